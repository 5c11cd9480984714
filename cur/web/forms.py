"""What the forms of several apps share: Bootstrap classes on every widget, and the Russian date input.
Forms validate only; every write goes through a service."""

from django import forms

from cur.widgets import speed_up

DATE_FORMAT = "%d.%m.%Y"


class BootstrapFormMixin:
    """Gives every widget its Bootstrap 5 class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
                speed_up(widget)
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class Form(BootstrapFormMixin, forms.Form):
    pass


class ModelForm(BootstrapFormMixin, forms.ModelForm):
    pass


class DateInput(forms.DateInput):
    """A text input in the Russian format: the same on every browser, typed or pasted."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": "дд.мм.гггг", "inputmode": "numeric", **(attrs or {})}, format=DATE_FORMAT
        )
