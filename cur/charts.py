"""What every plotly figure of the site shares: Russian date ticks, percent axes written «15 %», legends that
never cover axis labels, and the two colour scales (sequential with zero lightest; diverging around zero).
Plain dicts, so the apps' figure functions stay pure and testable without a browser.

The words of the axes (month names, the decimal comma, the thousands space) come from plotly.js's `ru`
locale, which templates/cur/_plotly.html loads from our static files."""

import math
from collections.abc import Iterable

# Date axes: plotly picks the tick spacing, these pick the words for it (%b is the locale's short month). The
# first stop whose range holds the spacing wins and the ends count as inside: the day stop ends below a month.
DAY_MS = 86_400_000
DATE_TICKS = [
    {"dtickrange": [None, DAY_MS - 1], "value": "%H:%M<br>%-d %b"},
    {"dtickrange": [DAY_MS, 20 * DAY_MS], "value": "%-d %b"},
    {"dtickrange": ["M1", "M11"], "value": "%b %Y"},
    {"dtickrange": ["M12", None], "value": "%Y"},
]
DATE_HOVER = "%d.%m.%Y"

# Above the plot, left-aligned: a legend below the plot would sit on rotated category labels.
LEGEND_ABOVE = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}

# ColorBrewer YlOrRd: zero is the lightest, more is darker (plotly's own "YlOrRd" runs the other way).
SEQUENTIAL = [[0.0, "#ffffcc"], [0.125, "#ffeda0"], [0.25, "#fed976"], [0.375, "#feb24c"], [0.5, "#fd8d3c"],
              [0.625, "#fc4e2a"], [0.75, "#e31a1c"], [0.875, "#bd0026"], [1.0, "#800026"]]  # fmt: skip
# ColorBrewer RdBu turned so that growth (more appeals) is red and decline blue; zero is near white.
DIVERGING = [[0.0, "#2166ac"], [0.1, "#4393c3"], [0.25, "#92c5de"], [0.4, "#d1e5f0"], [0.5, "#f7f7f7"],
             [0.6, "#fddbc7"], [0.75, "#f4a582"], [0.9, "#d6604d"], [1.0, "#b2182b"]]  # fmt: skip

PERCENT_SUFFIX = "\u00a0%"  # «15 %»: a no-break space before the sign, as Russian typography writes it


def axis(title: str, **extra) -> dict:
    """A category or value axis with a title (the unit in it) and room for its labels (automargin)."""
    return {"title": {"text": title}, "automargin": True, **extra}


def date_axis(title: str, **extra) -> dict:
    """A date axis in Russian: «8 Ноя», «Ноя 2026»; hover «08.11.2026»."""
    return axis(title, type="date", tickformatstops=DATE_TICKS, hoverformat=DATE_HOVER, **extra)


def count_axis(title: str, values: Iterable[float | None], **extra) -> dict:
    """An axis of counts from zero: whole numbers with the locale's thousands space («12 600», not «12.6k»);
    small counts tick by one (no «0,5 обращения»), and an all-zero series still shows 0–1."""
    top = max([v for v in values if v is not None] + [0])
    result = axis(title, rangemode="tozero", tickformat=",d", **extra)
    if top <= 5:
        result |= {"dtick": 1, "range": [0, max(top, 1) * 1.08]}
    return result


def nice_ceiling(value: float) -> float:
    """The next «round» number at or above `value`: 1, 2, 2.5, 5 or 10 times a power of ten."""
    if value <= 0:
        return 0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value - 1e-9)


def percent_axis(title: str, values: Iterable[float | None], **extra) -> dict:
    """An axis of percentages (values 0–100) labelled «15 %», from zero to a round number above the largest
    value (at least 10 %, at most 100 %): an all-zero series shows 0–10 %, not 0–0.9."""
    top = max([v for v in values if v is not None] + [0])
    upper = min(100, max(10, nice_ceiling(top * 1.1)))
    # tickmode auto: an overlaying axis would otherwise put its ticks on the other axis's grid (0; 3,74; 7,48).
    return axis(title, range=[0, upper], ticksuffix=PERCENT_SUFFIX, tickmode="auto", **extra)


def symmetric_limit(values: Iterable[float | None], *, cap: float = 100) -> float:
    """The half-width of a diverging scale centred at zero: the largest |value| rounded up, at most `cap` (a
    district growing from 1 appeal to 5 is +400 % and would wash every other colour out), at least 10."""
    largest = max([abs(v) for v in values if v is not None] + [0])
    return min(cap, max(10, nice_ceiling(largest)))


def diverging_colorbar(limit: float, *, title: str, capped: bool) -> dict:
    """A colour bar from −limit to +limit with percent ticks; the ends say «≤»/«≥» when values go beyond."""
    ticks = [-limit, -limit / 2, 0, limit / 2, limit]
    labels = [f"{t:+g}".replace("-", "−").replace(".", ",") + PERCENT_SUFFIX for t in ticks]
    labels[2] = "0" + PERCENT_SUFFIX
    if capped:
        labels[0], labels[-1] = f"≤ {labels[0]}", f"≥ {labels[-1]}"
    return colorbar(title, tickvals=ticks, ticktext=labels)


def colorbar(title: str, **extra) -> dict:
    """A colour bar titled with its unit, the title along the bar (a long title would widen the figure)."""
    return {"title": {"text": title, "side": "right"}, "thickness": 14, **extra}
