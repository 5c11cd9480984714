"""Every write of the heat map: the rollup (see `heatmap.rollup`), problem points (detection and status
changes), poll results imports. Views, tasks and the demo call these."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from appeals.models import Topic
from cur import audit
from sectors.models import Territory

from . import detection, polls, selectors
from .errors import HeatmapError
from .models import PollImport, PollResult, ProblemPoint
from .rollup import rebuild_all, rebuild_range, refresh_appeals

__all__ = [
    "add_to_roadmap", "confirm_problem_point", "detect_problem_points", "dismiss_problem_point", "import_poll_results",
    "rebuild_all", "rebuild_range", "refresh_appeals", "resolve_problem_point",
]  # fmt: skip

log = logging.getLogger(__name__)
S = ProblemPoint.Status
BASELINE_WEEKS = 8


# --- problem points: detection ------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def detect_problem_points(until: datetime.date | None = None, *, spike_rules=None, persistence_rules=None) -> dict:
    """Find spikes and persistent problems in the 7 days up to `until` (today by default): a new point for a
    new finding, a fresh detection on an open point updates its figures. Returns counts."""
    until = until or _today()
    spike_rules = spike_rules or detection.SpikeRules()
    persistence_rules = persistence_rules or detection.PersistenceRules()
    weeks = max(BASELINE_WEEKS, persistence_rules.weeks) + 1
    series = selectors.weekly_series(until, weeks)
    directory = selectors.places()
    population = {p.id: p.population for p in directory.municipal}
    known = sum(p for p in population.values() if p)
    topic_totals: dict[int, int] = {}
    for (territory, topic), counts in series.items():
        if population.get(territory):
            topic_totals[topic] = topic_totals.get(topic, 0) + sum(counts[-persistence_rules.weeks :])
    window_start = until - datetime.timedelta(days=6)
    window = f"{window_start:%d.%m}–{until:%d.%m.%Y}"
    findings = []
    for (territory, topic), counts in series.items():
        if territory is None:
            continue
        spike = detection.detect_spike(counts, spike_rules)
        if spike:
            findings.append((ProblemPoint.Kind.SPIKE, territory, topic, spike, window_start,
                             detection.spike_explanation(spike, window=window)))  # fmt: skip
        region_rate = 1000 * topic_totals.get(topic, 0) / known if known else None
        steady = detection.detect_persistent(counts, population=population.get(territory), region_rate=region_rate,
                                             rules=persistence_rules)  # fmt: skip
        if steady:
            start = until - datetime.timedelta(days=7 * persistence_rules.weeks - 1)
            findings.append((ProblemPoint.Kind.PERSISTENT, territory, topic, steady, start,
                             detection.persistent_explanation(steady, weeks=persistence_rules.weeks)))  # fmt: skip
    return _save_findings(findings, until)


@transaction.atomic
def _save_findings(findings: list, until: datetime.date) -> dict:
    counts = {"spikes": 0, "persistent": 0, "created": 0, "updated": 0}
    if not findings:
        return counts
    now = timezone.now()
    blocks = dict(Topic.objects.filter(pk__in={f[2] for f in findings}).values_list("pk", "sector_block_id"))
    existing = {
        (p.kind, p.territory_id, p.topic_id): p
        for p in ProblemPoint.objects.select_for_update().filter(
            status__in=ProblemPoint.OPEN_STATUSES, topic_id__in=blocks
        )
    }
    for kind, territory, topic, finding, start, explanation in findings:
        counts["spikes" if kind == ProblemPoint.Kind.SPIKE else "persistent"] += 1
        fields = {"window_start": start, "window_end": until, "observed": finding.observed,
                  "expected": finding.expected, "score": finding.score, "p_value": finding.p_value,
                  "explanation": explanation}  # fmt: skip
        point = existing.get((kind, territory, topic))
        if point is None:
            ProblemPoint.objects.create(kind=kind, territory_id=territory, topic_id=topic,
                                        sector_block_id=blocks.get(topic), first_detected_at=now,
                                        last_detected_at=now, **fields)  # fmt: skip
            counts["created"] += 1
        elif point.window_end < until or point.observed != finding.observed:
            ProblemPoint.objects.filter(pk=point.pk).update(last_detected_at=now, detections=point.detections + 1,
                                                            **fields)  # fmt: skip
            counts["updated"] += 1
    return counts


# --- problem points: status ----------------------------------------------------------------------


def _change(point: ProblemPoint, allowed: tuple, to: str, by, action: str, **fields) -> ProblemPoint:
    point = ProblemPoint.objects.select_for_update().get(pk=point.pk)
    if point.status not in allowed:
        raise HeatmapError(
            f"Нельзя {action}: проблемная точка в статусе «{point.get_status_display()}».", code="bad_transition"
        )
    now = timezone.now()
    changes = audit.apply_changes(point, {"status": to, "status_changed_by": by, "status_changed_at": now, **fields})
    point.save()
    audit.record(by, f"problem_point.{to}", point, changes)
    return point


def _comment(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise HeatmapError(f"Укажите {what}.", code="comment_required")
    return text[:5000]


@transaction.atomic
def confirm_problem_point(point: ProblemPoint, *, by, comment: str = "") -> ProblemPoint:
    """Confirm a new point: it enters «Перечень региональных проблем»."""
    return _change(point, (S.NEW,), S.CONFIRMED, by, "подтвердить", confirmed_by=by, confirmed_at=timezone.now(),
                   comment=(comment or "").strip()[:5000])  # fmt: skip


@transaction.atomic
def add_to_roadmap(point: ProblemPoint, *, by, roadmap_note: str) -> ProblemPoint:
    """A confirmed problem is taken into a roadmap (named in the note)."""
    note = _comment(roadmap_note, "дорожную карту (название, номер или ссылку)")[:500]
    return _change(point, (S.CONFIRMED,), S.ROADMAP, by, "включить в дорожную карту", roadmap_note=note)


@transaction.atomic
def resolve_problem_point(point: ProblemPoint, *, by, comment: str) -> ProblemPoint:
    """The problem is solved: it leaves the list of regional problems."""
    return _change(point, (S.CONFIRMED, S.ROADMAP), S.RESOLVED, by, "отметить решённой",
                   resolved_at=timezone.now(), comment=_comment(comment, "что сделано"))  # fmt: skip


@transaction.atomic
def dismiss_problem_point(point: ProblemPoint, *, by, comment: str) -> ProblemPoint:
    """Not a problem (a statistical accident, already known): the point is closed without confirmation."""
    return _change(point, (S.NEW,), S.DISMISSED, by, "отклонить", comment=_comment(comment, "почему точка отклонена"))


# --- poll results -----------------------------------------------------------------------------------


def _directory() -> tuple[dict[str, int], dict[str, int]]:
    territories: dict[str, int] = {}
    for pk, name, oktmo in Territory.objects.filter(is_active=True).values_list("pk", "name", "oktmo"):
        territories[oktmo] = pk
        territories.setdefault(name.lower(), pk)
    topics: dict[str, int] = {}
    for pk, code, name in Topic.objects.values_list("pk", "code", "name"):
        topics[code] = pk
        topics.setdefault(name.lower(), pk)
    return territories, topics


def import_poll_results(raw: bytes, *, name: str, by, scope=None) -> PollImport:
    """Import a CSV of poll, vote and discussion results. Bad rows are reported with their line numbers
    and skipped; a row imported before is not added twice. Raises HeatmapError if the file is unreadable."""
    try:
        text = polls.decode(raw)
        territories, topics = _directory()
        rows, errors = polls.parse(text, territories=territories, topics=topics)
    except polls.PollFileError as exc:
        raise HeatmapError(str(exc), code="bad_file") from exc
    if scope is not None:
        allowed, rows = rows, []
        blocks = dict(Topic.objects.values_list("pk", "sector_block_id")) if scope.blocks is not None else {}
        for row in allowed:
            in_block = scope.blocks is None or blocks.get(row.topic_id) in scope.blocks
            if scope.allows_territory(row.territory_id) and in_block:
                rows.append(row)
            else:
                errors.append({"line": row.line, "error": "территория или тема вне вашей зоны ответственности"})
    errors.sort(key=lambda e: e["line"])
    with transaction.atomic():
        batch = PollImport.objects.create(created_by=by if getattr(by, "pk", None) else None,
                                          original_name=(name or "итоги.csv")[:255],
                                          total_rows=len(rows) + len(errors), error_count=len(errors),
                                          errors=errors[:1000])  # fmt: skip
        PollResult.objects.bulk_create(
            [PollResult(kind=r.kind, title=r.title, held_on=r.held_on, territory_id=r.territory_id, topic_id=r.topic_id,
                        participants=r.participants, support_percent=r.support_percent, result=r.result, url=r.url,
                        batch=batch) for r in rows],
            ignore_conflicts=True,
        )  # fmt: skip
        batch.created_count = PollResult.objects.filter(batch=batch).count()
        batch.existing_count = len(rows) - batch.created_count
        batch.save(update_fields=["created_count", "existing_count"])
        audit.record(by, "poll_import.create", batch, {"created": batch.created_count, "errors": len(errors)})
    return batch
