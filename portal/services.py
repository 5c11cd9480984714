"""Writes of the portal's reports: one transaction each, a row lock, an audit row, notifications on commit.
Indicators, roadmaps and the registries live in services_plans.py."""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cur import audit
from cur.errors import NotPermitted
from cur.models import User
from cur.roles import BLOCK_ROLES, Role, can
from cur.services import notify
from ratings import periods

from . import figures as fig
from .errors import PortalError
from .models import NARRATIVE_SECTIONS, PeriodKind, Report, ReportVersion
from .selectors import may_write_report

S = Report.Status
MAX_SECTION = 20000


def curators() -> list[User]:
    return list(User.objects.filter(role=Role.CURATOR, is_active=True))


def require(user, capability: str) -> None:
    if not can(user, capability):
        raise NotPermitted("Недостаточно прав для этого действия.", code="forbidden")


def period_of(kind: str, start: datetime.date) -> periods.Period:
    """The month or quarter that begins on `start` (PortalError when `start` does not begin one)."""
    if kind == PeriodKind.MONTH and start.day == 1:
        return periods.month(start.year, start.month)
    if kind == PeriodKind.QUARTER and start.day == 1 and start.month in (1, 4, 7, 10):
        return periods.quarter(start.year, (start.month - 1) // 3 + 1)
    raise PortalError("Период отчёта — календарный месяц или квартал.", code="bad_period")


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update(of=("self",)).select_related("sector_block").get(pk=report.pk)


def _url(report: Report) -> str:
    return reverse("portal:report-detail", args=[report.pk])


def _authors(report: Report) -> list[User]:
    ids = {report.created_by_id, *report.versions.values_list("submitted_by_id", flat=True)} - {None}
    return list(User.objects.filter(pk__in=ids, is_active=True))


@transaction.atomic
def create_report(*, by, sector_block, period_kind: str, period_start: datetime.date) -> Report:
    """Start a block's report (or, `sector_block` None, the ЦУР's summary report) for a month or quarter."""
    require(by, "portal.reports.write")
    period = period_of(period_kind, period_start)
    if period.start > periods.today():
        raise PortalError("Отчёт за будущий период составить нельзя.", code="future_period")
    if sector_block is None and by.role != Role.EXECUTIVE:
        raise NotPermitted("Сводный отчёт ЦУР составляет ответственный исполнитель.", code="forbidden")
    if sector_block is not None and by.role in BLOCK_ROLES and not by.sector_blocks.filter(pk=sector_block.pk).exists():
        raise NotPermitted("Это не ваш отраслевой блок.", code="forbidden")
    try:
        with transaction.atomic():
            report = Report.objects.create(
                sector_block=sector_block,
                period_kind=period.kind,
                period_start=period.start,
                period_end=period.end,
                created_by=by,
            )
    except IntegrityError:
        raise PortalError("Отчёт за этот период уже есть.", code="duplicate") from None
    audit.record(by, "report.create", report, {"period": [period.start.isoformat(), period.end.isoformat()]})
    return report


def _clean_narrative(narrative: dict) -> dict:
    codes = dict(NARRATIVE_SECTIONS)
    cleaned = {}
    for code, text in (narrative or {}).items():
        if code not in codes:
            raise PortalError(f"Неизвестный раздел отчёта: {code}.", code="bad_section")
        text = str(text or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_SECTION:
            raise PortalError(f"Раздел «{codes[code]}» длиннее {MAX_SECTION} знаков.", code="too_long")
        cleaned[code] = text
    return cleaned


@transaction.atomic
def update_report_text(report: Report, *, by, narrative: dict) -> Report:
    """Change the narrative sections of a draft or returned report (its authors only)."""
    report = _locked(report)
    if not may_write_report(by, report):
        raise NotPermitted("Текст отчёта меняют только ответственные за блок.", code="forbidden")
    if report.status not in Report.EDITABLE:
        raise PortalError(
            f"Текст нельзя изменить: отчёт в статусе «{report.get_status_display()}».", code="bad_transition"
        )
    new = {**report.narrative, **_clean_narrative(narrative)}
    changed = sorted(code for code in new if new.get(code) != report.narrative.get(code))
    report.narrative = new
    report.save(update_fields=["narrative", "updated_at"])
    audit.record(by, "report.edit", report, {"sections": changed})
    return report


@transaction.atomic
def submit_report(report: Report, *, by) -> ReportVersion:
    """Send a draft (or a returned report) to the curator: a new version with the text and today's figures."""
    report = _locked(report)
    if not may_write_report(by, report):
        raise NotPermitted("Отчёт направляют только ответственные за блок.", code="forbidden")
    if report.status not in Report.EDITABLE:
        raise PortalError(f"Нельзя направить: отчёт в статусе «{report.get_status_display()}».", code="bad_transition")
    if not (report.narrative.get("summary") or "").strip():
        raise PortalError("Заполните раздел «Общая характеристика работы за период».", code="empty_report")
    number = (report.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    blocks = None if report.is_summary else [report.sector_block_id]
    version = ReportVersion.objects.create(
        report=report,
        number=number,
        narrative=dict(report.narrative),
        submitted_by=by,
        figures=fig.period_figures(blocks, report.period_start, report.period_end),
    )
    before = report.status
    report.status, report.submitted_at = S.SUBMITTED, timezone.now()
    report.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record(by, "report.submit", report, {"status": [before, S.SUBMITTED], "version": number})
    notify(curators(), title=f"Отчёт на утверждение: {report}", body=f"Версия {number}.", url=_url(report))
    return version


def _decide(report: Report, *, by, to: str, comment: str = "") -> Report:
    require(by, "portal.approve")
    report = _locked(report)
    if report.status != S.SUBMITTED:
        raise PortalError(
            f"Решение не принять: отчёт в статусе «{report.get_status_display()}».", code="bad_transition"
        )
    now = timezone.now()
    version = report.versions.select_for_update().order_by("-number").first()
    version.decision = ReportVersion.Decision.APPROVED if to == S.APPROVED else ReportVersion.Decision.RETURNED
    version.decided_at, version.decided_by, version.comment = now, by, comment
    version.save(update_fields=["decision", "decided_at", "decided_by", "comment"])
    report.status = to
    fields = ["status", "updated_at"]
    if to == S.APPROVED:
        blocks = None if report.is_summary else [report.sector_block_id]
        # Frozen here: later changes of the appeals do not alter an approved report.
        report.figures = fig.period_figures(blocks, report.period_start, report.period_end)
        report.approved_at, report.approved_by = now, by
        fields += ["figures", "approved_at", "approved_by"]
    report.save(update_fields=fields)
    audit.record(
        by, f"report.{to}", report, {"status": [S.SUBMITTED, to], "version": version.number, "comment": comment}
    )
    title = f"Отчёт утверждён: {report}" if to == S.APPROVED else f"Отчёт возвращён на доработку: {report}"
    notify(_authors(report), title=title, body=comment, url=_url(report))
    return report


@transaction.atomic
def approve_report(report: Report, *, by) -> Report:
    """The curator approves the submitted version; the figures are frozen."""
    return _decide(report, by=by, to=S.APPROVED)


@transaction.atomic
def return_report(report: Report, *, by, comment: str) -> Report:
    """The curator returns the submitted version with a comment."""
    comment = (comment or "").strip()
    if not comment:
        raise PortalError("Укажите, что нужно доработать.", code="comment_required")
    return _decide(report, by=by, to=S.RETURNED, comment=comment[:5000])
