"""Rating periods: calendar months, quarters and years of Moscow time, or any span of days."""

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from cur.web import dates

MOSCOW = ZoneInfo("Europe/Moscow")
MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь")  # fmt: skip
QUARTERS = ("I", "II", "III", "IV")
MAX_CUSTOM_DAYS = dates.MAX_PERIOD_DAYS
PERIOD_RE = re.compile(r"^\s*(\d{4})(?:-(?:(0[1-9]|1[0-2])|[Qq]([1-4])))?\s*$")


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def label(self) -> str:
        return period_label(self.kind, self.start, self.end)


def month(year: int, number: int) -> Period:
    start = datetime.date(year, number, 1)
    following = datetime.date(year + number // 12, number % 12 + 1, 1)
    return Period("month", start, following - datetime.timedelta(days=1))


def quarter(year: int, number: int) -> Period:
    start = datetime.date(year, 3 * (number - 1) + 1, 1)
    return Period("quarter", start, month(year, 3 * number).end)


def year(number: int) -> Period:
    return Period("year", datetime.date(number, 1, 1), datetime.date(number, 12, 31))


def today() -> datetime.date:
    return timezone.localtime(timezone.now(), MOSCOW).date()


def previous_month(on: datetime.date | None = None) -> Period:
    """The last full month before the day `on` (today in Moscow by default)."""
    first = (on or today()).replace(day=1)
    last = first - datetime.timedelta(days=1)
    return month(last.year, last.month)


def last_full_months(count: int, on: datetime.date | None = None) -> list[Period]:
    """The `count` full months before `on`, oldest first."""
    periods, day = [], on or today()
    for _ in range(count):
        period = previous_month(day)
        periods.append(period)
        day = period.start
    return periods[::-1]


def bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[00:00 of `start`, 00:00 after `end`) in Moscow time: the window and its cut-off."""
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=MOSCOW)
    cutoff = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=MOSCOW)
    return begin, cutoff


def period_label(kind: str, start: datetime.date, end: datetime.date) -> str:
    if kind == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if kind == "quarter":
        return f"{QUARTERS[(start.month - 1) // 3]} квартал {start.year}"
    if kind == "year":
        return f"{start.year} год"
    return f"{start:%d.%m.%Y} — {end:%d.%m.%Y}"


def parse_period(text: str) -> Period | None:
    """«2026» (a year), «2026-10» (a month), «2026-Q3» (a quarter); None when it is none of them."""
    match = PERIOD_RE.match(text or "")
    if match is None:
        return None
    number = int(match.group(1))
    if not dates.year_in_range(number):
        return None
    if match.group(2):
        return month(number, int(match.group(2)))
    if match.group(3):
        return quarter(number, int(match.group(3)))
    return year(number)
