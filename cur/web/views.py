"""What the HTML views of several apps share: the error texts of flash messages, a 404 for a foreign
object, and the POST action view (scoped fetch → form → one service call → message → redirect)."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from cur.errors import DomainError
from cur.permissions import HasCapability


def errors_text(form) -> str:
    """All errors of a form in one line, for a flash message."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{str(label).capitalize()}: {text}" if label else text)
    return " ".join(parts)


def rejected(form) -> HttpResponseBadRequest:
    """A 400 with the form's errors as plain text: what an export answers to a filter that does not
    validate, before its first byte (a streamed 200 cannot turn into an error half-way)."""
    return HttpResponseBadRequest(errors_text(form), content_type="text/plain; charset=utf-8")


def error_text(exc: Exception) -> str:
    """The message of a service's refusal: a DomainError's, or the model validation's."""
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    raise exc  # pragma: no cover - callers catch only the two kinds above


def or_404(fetch, *args):
    try:
        return fetch(*args)
    except ObjectDoesNotExist:
        raise Http404("Не найдено.") from None


class ActionView(HasCapability, View):
    """A POST that does one thing to one object: `fetch(user, pk)`, `form_class`, `run(obj, data)`."""

    form_class = None
    success = "Сохранено."
    http_method_names = ["post"]

    def fetch(self, user, pk):
        raise NotImplementedError

    def run(self, obj, data: dict):
        raise NotImplementedError

    def back(self, obj) -> str:
        raise NotImplementedError

    def post(self, request, pk: int):
        obj = or_404(self.fetch, request.user, pk)
        data = {}
        if self.form_class is not None:
            form = self.form_class(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, errors_text(form))
                return self._redirect(request, obj)
            data = form.cleaned_data
        try:
            self.run(obj, data)
        except (DomainError, ValidationError) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, self.success)
        return self._redirect(request, obj)

    def _redirect(self, request, obj):
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            return redirect(target)
        return redirect(self.back(obj))
