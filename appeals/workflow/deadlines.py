"""Deadline arithmetic: calendar days, or working days on the Russian production calendar.

The production calendar is the `holidays` package's Russia calendar, which knows the
public holidays and the government's day transfers (so 1–8 January, the May holidays and
moved days off are skipped, and a working Saturday counts).
"""

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

MOSCOW = ZoneInfo("Europe/Moscow")
ACCELERATED_DAYS = 30  # the accelerated mechanism: at most 30 calendar days


@lru_cache(maxsize=32)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=year)


def is_working_day(day: datetime.date) -> bool:
    """A working day of the production calendar: weekdays less holidays and moved days off,
    plus Saturdays made working by a transfer."""
    return _calendar(day.year).is_working_day(day)


def add_days(start: datetime.datetime, days: int, *, working: bool) -> datetime.datetime:
    """The due moment `days` days after `start`: the end (23:59:59 Moscow) of the last day.

    Calendar days: day 1 is the day after registration. Working days: count only working days
    after the registration day.
    """
    day = start.astimezone(MOSCOW).date()
    if working:
        left = days
        while left:
            day += datetime.timedelta(days=1)
            if is_working_day(day):
                left -= 1
    else:
        day += datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=MOSCOW)
