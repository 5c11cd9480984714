from django import forms
from django.contrib.auth.forms import AuthenticationForm

from . import services
from .middleware import client_ip


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form; after LOGIN_FAILURE_LIMIT failures of one username from one address
    it refuses even the right password until the window passes."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Неверное имя пользователя или пароль.",
        "locked": "Слишком много неудачных попыток входа. Повторите через 15 минут.",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request else None
        if services.login_locked(username, ip):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            services.record_login_failure(username, ip)
            raise
        services.clear_login_failures(username, ip)
        return cleaned
