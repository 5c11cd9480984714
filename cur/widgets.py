"""Select widgets rendered in Python.

Django renders every <option> through a template include: a filter bar with the region's
topics, organisations and territories (≈ 400 options) cost ≈ 50 ms a page, more than the
page's queries. The output here is the same HTML, built with format_html.
"""

from functools import cache

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class FastSelectMixin:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group, options, _index in widget["optgroups"]:
            html = format_html_join(
                "", "<option value=\"{}\"{}>{}</option>",
                (("" if o["value"] is None else o["value"], flatatt(o["attrs"]), o["label"]) for o in options),
            )  # fmt: skip
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', group, html) if group else html)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(parts)),  # noqa: S308 — parts are built by format_html
        )


@cache
def _fast_class(cls: type) -> type:
    return type(f"Fast{cls.__name__}", (FastSelectMixin, cls), {})


def speed_up(widget: forms.Widget) -> forms.Widget:
    """Make a Select / SelectMultiple (or a subclass) render in Python; other widgets unchanged."""
    if isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(widget, FastSelectMixin):
        widget.__class__ = _fast_class(type(widget))
    return widget
