"""Formatting of rating numbers on the pages: shares as percents, days with a decimal comma."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from ratings import indicators

register = template.Library()


def _comma(text: str) -> str:
    return text.replace(".", ",")


@register.filter
def indicator_value(entry_values: dict, code: str) -> str:
    """The value of an indicator as the table shows it; «—» when undefined (nothing to count)."""
    value = (entry_values or {}).get(code, {}).get("value")
    if value is None:
        return "—"
    kind = indicators.spec(code).kind
    if kind == indicators.Kind.SHARE:
        return _comma(f"{value * 100:.1f} %")
    if kind == indicators.Kind.MEDIAN:
        return _comma(f"{value:.1f}")
    return str(value)


@register.simple_tag
def share_parts(run, entry, code: str) -> str:
    """«numerator / denominator» of a share, each linking to its appeals."""
    item = (entry.values or {}).get(code, {})
    if item.get("denominator") is None:
        return ""
    return format_html(
        '<a class="link-secondary" href="{}" title="числитель">{}</a>&thinsp;/&thinsp;'
        '<a class="link-secondary" href="{}" title="знаменатель">{}</a>',
        drill_url(run, entry, code, "numerator"), item.get("numerator"),
        drill_url(run, entry, code, "denominator"), item.get("denominator"),
    )  # fmt: skip


@register.filter
def normalised(entry_values: dict, code: str) -> str:
    value = (entry_values or {}).get(code, {}).get("normalised")
    return "—" if value is None else _comma(f"{value:.3f}")


@register.simple_tag
def drill_url(run, entry, code: str, part: str = "numerator") -> str:
    url = reverse("ratings:drilldown", args=[run.pk, entry.subject_id, code])
    return f"{url}?part={part}"


@register.simple_tag
def main_part(code: str) -> str:
    """The part a value links to: the counted appeals, or for a median the answered ones."""
    return "denominator" if indicators.spec(code).kind == indicators.Kind.MEDIAN else "numerator"


@register.filter
def signed(value) -> str:
    if value is None:
        return ""
    return _comma(f"{value:+}")


@register.filter
def get_item(mapping: dict, key: str):
    return (mapping or {}).get(key) or {}
