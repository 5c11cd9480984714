"""Automated reports of the center (Rules 4(2)а «автоматизированный сбор отчётности»): the beat builds
the previous day, week and month once each; anyone may rebuild a period. A report freezes
`selectors.period_figures` — the same function the dashboard shows — so the two never disagree."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from cur import audit
from informing.models import InformationEvent, Network

from . import selectors
from .errors import ModerationError
from .models import IncomingMessage, ModerationReport

P = ModerationReport.Period


@dataclass(frozen=True)
class Period:
    kind: str
    first: datetime.date
    last: datetime.date


def period_of(kind: str, day: datetime.date) -> Period:
    """The day, the week (Monday to Sunday) or the month that contains `day`."""
    if kind == P.DAY:
        return Period(kind, day, day)
    if kind == P.WEEK:
        first = day - datetime.timedelta(days=day.weekday())
        return Period(kind, first, first + datetime.timedelta(days=6))
    if kind == P.MONTH:
        first = day.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return Period(kind, first, following - datetime.timedelta(days=1))
    raise ModerationError("Неизвестный период отчёта.", code="bad_period")


def previous_periods(today: datetime.date) -> list[Period]:
    """The last full day, week and month before `today`."""
    yesterday = today - datetime.timedelta(days=1)
    last_week_day = today - datetime.timedelta(days=today.weekday() + 1)
    last_month_day = today.replace(day=1) - datetime.timedelta(days=1)
    return [period_of(P.DAY, yesterday), period_of(P.WEEK, last_week_day), period_of(P.MONTH, last_month_day)]


def build_report(period: Period, *, by=None) -> ModerationReport:
    """Compute the period's figures and store them (a rebuild replaces the figures of the same report)."""
    start, end = selectors.day_bounds(period.first, period.last)
    if start > timezone.now():
        raise ModerationError("Отчёт за будущий период не формируется.", code="future_period")
    figures = selectors.period_figures(start, end)
    with transaction.atomic():
        report, created = ModerationReport.objects.select_for_update().get_or_create(
            period_kind=period.kind,
            period_start=period.first,
            defaults={
                "period_end": period.last,
                "figures": figures,
                "built_at": timezone.now(),
                "created_by": by if getattr(by, "pk", None) else None,
            },
        )
        if not created:
            report.figures, report.built_at = figures, timezone.now()
            report.created_by = by if getattr(by, "pk", None) else report.created_by
            report.save()
        audit.record(by, "moderation_report.build" if created else "moderation_report.rebuild", report)
    return report


def build_due_reports(today: datetime.date | None = None) -> list[ModerationReport]:
    """Beat: the previous day, week and month, each built once (an existing report is left as is)."""
    today = today or timezone.localdate()
    built = []
    for period in previous_periods(today):
        if ModerationReport.objects.filter(period_kind=period.kind, period_start=period.first).exists():
            continue
        try:
            built.append(build_report(period))
        except IntegrityError:
            continue  # tolerated race: a parallel sweep built the same period a moment ago
    return built


# --- the figures as rows (pages, XLSX, PDF) --------------------------------------------------------


def _minutes(value) -> str:
    if value is None:
        return "—"
    if value < 120:
        return f"{value:.0f} мин"
    return f"{value / 60:.1f} ч".replace(".", ",")


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def report_rows(figures: dict) -> list[tuple[str, str, str]]:
    """(section, indicator, value) rows of a report's figures, in Russian, as people read them."""
    m, e = figures.get("messages", {}), figures.get("events", {})
    networks, statuses = dict(Network.choices), dict(IncomingMessage.Status.choices)
    outcomes, origins = dict(InformationEvent.Outcome.choices), dict(InformationEvent.Origin.choices)
    rows = [
        ("Сообщения", "Поступило сообщений", str(m.get("received", 0))),
        *[
            ("Сообщения", f"— из них {networks.get(k, k)}", str(v))
            for k, v in sorted(m.get("received_by_network", {}).items())
        ],
        ("Сообщения", "Принято решений", str(m.get("decided", 0))),
        *[("Сообщения", f"— {statuses.get(k, k).lower()}", str(v)) for k, v in sorted(m.get("decisions", {}).items())],
        ("Сообщения", "Время до первой реакции, медиана", _minutes(m.get("reaction", {}).get("median_min"))),
        ("Сообщения", "Время до решения, медиана", _minutes(m.get("decision", {}).get("median_min"))),
        ("Сообщения", "Время до решения, среднее", _minutes(m.get("decision", {}).get("mean_min"))),
        ("Сообщения", "Решено в срок", _pct(m.get("decision", {}).get("on_time_pct"))),
        ("Сообщения", "Сроков решения в периоде", str(m.get("due", 0))),
        ("Сообщения", "— из них нарушено", str(m.get("due_missed", 0))),
        *[
            ("Модераторы", row["name"], f"решено {row['decided']}, в срок {row['on_time']}")
            for row in m.get("moderators", [])
        ],
        ("Информационные поводы", "Выявлено поводов", str(e.get("events_detected", 0))),
        *[
            ("Информационные поводы", f"— {origins.get(k, k).lower()}", str(v))
            for k, v in sorted(e.get("events_by_origin", {}).items())
        ],
        (
            "Информационные поводы",
            "Время до первой реакции, медиана",
            _minutes(e.get("reaction", {}).get("median_min")),
        ),
        ("Информационные поводы", "Реакция в срок", _pct(e.get("reaction", {}).get("on_time_pct"))),
        ("Информационные поводы", "Отработано поводов", str(e.get("worked_off", {}).get("count", 0))),
        ("Информационные поводы", "Время отработки, медиана", _minutes(e.get("worked_off", {}).get("median_min"))),
        ("Информационные поводы", "Отработано в срок", _pct(e.get("worked_off", {}).get("on_time_pct"))),
        ("Информационные поводы", "Сроков отработки в периоде", str(e.get("events_due", 0))),
        ("Информационные поводы", "— из них нарушено", str(e.get("events_due_missed", 0))),
        ("Информационные поводы", "Закрыто поводов", str(e.get("events_closed", 0))),
        *[("Итоги", outcomes.get(k, k), str(v)) for k, v in sorted(e.get("outcomes", {}).items())],
        ("Рекомендации", "Выдано рекомендаций", str(e.get("recommendations_issued", 0))),
        ("Рекомендации", "Выполнено", str(e.get("recommendations_done", 0))),
        ("Рекомендации", "Выполнено в срок", _pct(e.get("recommendations_done_on_time_pct"))),
        ("Рекомендации", "Эскалировано просроченных", str(e.get("recommendations_escalated", 0))),
        ("Мероприятия", "Опубликовано мероприятий", str(e.get("activities_published", 0))),
        ("Мероприятия", "Суммарный охват", f"{e.get('activities_reach', 0):,}".replace(",", " ")),
        ("Дезинформация", "Выявлено утверждений", str(e.get("disinformation_detected", 0))),
        ("Дезинформация", "Опровергнуто", str(e.get("disinformation_refuted", 0))),
    ]
    return rows
