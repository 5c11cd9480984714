"""The measures the heat map can colour by, as pure functions of summed counters."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    unit: str
    definition: str
    colorscale: str = "YlOrRd"
    percent: bool = False


METRICS: dict[str, Metric] = {
    m.code: m
    for m in (
        Metric("appeals", "Обращения", "обращений", "Число обращений, поступивших в периоде (без отклонённых)."),
        Metric("per_1000", "На 1 000 жителей", "на 1 000 жителей",
               "Обращения периода на 1 000 жителей территории (население — Росстат)."),
        Metric("overdue_share", "Доля просроченных", "%",
               "Из обращений, поступивших в периоде, доля тех, по которым нарушен срок ответа.", percent=True),
        Metric("dissatisfied_share", "Доля неудовлетворённых", "%",
               "Из оценённых заявителями обращений периода доля оценок 1–2.", percent=True),
        Metric("growth", "Рост к прошлому периоду", "%",
               "Изменение числа обращений к предыдущему периоду той же длины.", colorscale="RdBu_r", percent=True),
    )
}  # fmt: skip
DEFAULT_METRIC = "appeals"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def growth(current: int, previous: int) -> float | None:
    """Relative change; None when there was nothing before (growth from zero has no size)."""
    return (current - previous) / previous if previous else None


def value(code: str, counts: dict[str, int], *, previous_received: int = 0, population: int | None = None):
    """The measure `code` of one territory (or cell): a number, or None where it is undefined."""
    received = counts.get("received", 0)
    if code == "appeals":
        return received
    if code == "per_1000":
        return 1000 * received / population if population else None
    if code == "overdue_share":
        return share(counts.get("overdue", 0), received)
    if code == "dissatisfied_share":
        return share(counts.get("dissatisfied", 0), counts.get("rated", 0))
    if code == "growth":
        return growth(received, previous_received)
    raise KeyError(code)


def formatted(code: str, number) -> str:
    """A value as the page prints it (Russian decimal comma; percentages with a sign for growth)."""
    if number is None:
        return "—"
    metric = METRICS[code]
    if metric.percent:
        text = f"{100 * number:.1f}".replace(".", ",")
        return f"+{text} %" if code == "growth" and number > 0 else f"{text} %"
    if code == "per_1000":
        return f"{number:.2f}".replace(".", ",")
    return f"{number:,}".replace(",", " ")


def key_figures(counts: dict[str, int]) -> dict[str, float | None]:
    """The dashboard's shares of one block or of the region."""
    return {
        "on_time": share(counts.get("answered_on_time", 0), counts.get("answered", 0)),
        "overdue": share(counts.get("overdue", 0), counts.get("received", 0)),
        "on_merits": share(counts.get("on_merits", 0), counts.get("quality_checked", 0)),
        "dissatisfied": share(counts.get("dissatisfied", 0), counts.get("rated", 0)),
        "repeated": share(counts.get("repeated", 0), counts.get("received", 0)),
    }
