from django import template

from appeals.models import Appeal

register = template.Library()

S = Appeal.Status
# The badge of a status: waiting for the ЦУР, done, set aside, waiting for a decision, sent back.
TONES = {
    S.NEW: "text-bg-primary",
    S.REOPENED: "text-bg-primary",
    S.CLOSED: "text-bg-success",
    S.REJECTED: "text-bg-secondary",
    S.ANSWERED: "text-bg-info",
    S.RETURNED: "text-bg-warning",
}


@register.filter
def status_tone(status: str) -> str:
    """The Bootstrap classes of a status badge (templates never compare raw statuses)."""
    return TONES.get(status, "text-bg-light border")
