"""Audience arithmetic of an information event: pure functions of the measured series, testable
without a database. The definition of an information event asks for a *growing* audience, so the
growth is computed from the series, never typed in."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from cur.charts import count_axis, date_axis

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Growth:
    reach: int  # the newest measurement
    delta: int  # reach gained since the reference measurement
    per_day: float | None  # relative growth, % per day; None without a usable reference
    growing: bool

    @property
    def label(self) -> str:
        if self.per_day is None:
            return "нет данных" if not self.reach else "один замер"
        sign = "+" if self.per_day > 0 else ""
        return f"{sign}{self.per_day:.1f} % в сутки"


def audience_growth(points: Sequence[tuple[datetime.datetime, int]], *, window: datetime.timedelta = DAY) -> Growth:
    """The growth of the newest measurement against the newest one at least `window` older (or the
    first one, when the series is shorter), as % per day."""
    series = sorted(points)
    if not series:
        return Growth(0, 0, None, False)
    last_at, last = series[-1]
    reference = next(((at, reach) for at, reach in reversed(series) if last_at - at >= window), series[0])
    ref_at, ref = reference
    span = last_at - ref_at
    delta = last - ref
    if span <= datetime.timedelta(0) or ref <= 0:
        return Growth(last, delta, None, delta > 0)
    per_day = (delta / ref) * 100 / (span / DAY)
    return Growth(last, delta, round(per_day, 2), delta > 0)


def growth_figure(points: Sequence[tuple[datetime.datetime, int]]) -> dict:
    """A plotly figure (plain dict) of the audience over time."""
    series = sorted(points)
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Охват",
                "x": [at.isoformat() for at, _ in series],
                "y": [reach for _, reach in series],
                "hovertemplate": "%{x|%d.%m.%Y %H:%M}: %{y}<extra></extra>",
                "line": {"color": "#0d6efd"},
            }
        ],
        "layout": {
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "height": 280,
            "xaxis": date_axis("Дата"),
            "yaxis": count_axis("Охват, человек", [reach for _, reach in series]),
        },
    }
