from django import template

from heatmap import metrics

register = template.Library()


@register.filter
def pct(value) -> str:
    """A share 0…1 as «12,3 %»; «—» where it is undefined."""
    return metrics.formatted("overdue_share", value)


@register.filter
def growth(value) -> str:
    """A relative change as «+12,3 %» / «−4,0 %»; «—» when there was nothing before."""
    return metrics.formatted("growth", value)


@register.filter
def num(value) -> str:
    """A count with thin thousands separators: 12 345."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,}".replace(",", " ")


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
