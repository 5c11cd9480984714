"""Import of appeals from CSV/XLSX files: parse, map, validate, register — set-based.

A file is read into numbered rows (`intake.formats`), each row is validated in Python against
directories loaded once (`intake.rows`: topics, territories, organisations), and the good rows of
every chunk of ~1,000 are registered by `intake.bulk.register_appeals_bulk`: one SELECT of the
external ids that exist, one INSERT of the new appeals, one INSERT of their events (DESIGN §6). Bad
rows are reported by line number with a Russian reason (`intake.report`); good rows still import.
Registration is idempotent on (channel, external_id) exactly like `services.register_appeal`, so a
second import of the same file creates nothing; a row without an id gets a stable hash of its
content as its id.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from cur import audit
from cur.queue import send_on_commit

from ..models import AppealImport
from . import bulk
from .formats import FORMATS, ImportFileError, Table, read_table
from .report import ImportReport
from .rows import Directory, RowCleaner

logger = logging.getLogger(__name__)


class ImportSuperseded(Exception):
    """Another run of the same import moved its progress first: this run stops and rolls back its chunk."""


# --- the import ----------------------------------------------------------------------------

OnChunk = Callable[[ImportReport, int], bool]


def import_table(
    table: Table,
    *,
    fmt: str,
    channel: str,
    by=None,
    dry_run: bool = False,
    report: ImportReport | None = None,
    on_chunk: OnChunk | None = None,
    comment: str = "",
) -> ImportReport:
    """Validate and register the rows of a parsed file; a dry run writes no appeal.

    `report` carries the progress of an earlier run to resume after its last committed chunk.
    `on_chunk(report, processed_before)` runs inside each chunk's transaction; False rolls the
    chunk back and stops (ImportSuperseded).
    """
    spec = FORMATS[fmt]
    columns = spec.resolve(table.header)
    report = report or ImportReport()
    report.total_rows = len(table.rows)
    report.unused_columns = spec.unused(table.header)
    cleaner = RowCleaner(
        columns,
        channel=channel,
        directory=Directory(),
        width=len(table.header) if table.encoding else None,
        labels={name: table.header[index] for name, index in columns.items()},
    )
    seen: dict[tuple[str, str], int] = {}
    for chunk in bulk.batched(table.rows[report.processed_rows :], bulk.CHUNK_SIZE):
        before = report.processed_rows
        by_channel: dict[str, list[dict]] = {}
        for line, cells in chunk:
            row = cleaner.clean(line, cells, report)
            if row is None:
                continue
            key = (row["channel"], row["external_id"])
            if key in seen:
                report.existing_count += 1
                report.add_warning(line, f"Повторяет строку {seen[key]} — учтено как одно обращение")
                continue
            seen[key] = line
            by_channel.setdefault(row.pop("channel"), []).append(row)
        with transaction.atomic():
            for row_channel, rows in by_channel.items():
                if dry_run:
                    fresh, existing = bulk.plan_appeals_bulk(rows, channel=row_channel)
                    report.created_count += len(fresh)
                else:
                    ids, existing = bulk.register_appeals_bulk(rows, by=by, channel=row_channel, comment=comment)
                    report.created_count += len(ids)
                    report.created_ids.extend(ids)
                report.existing_count += existing
            report.processed_rows = before + len(chunk)
            if on_chunk is not None and not on_chunk(report, before):
                raise ImportSuperseded
    return report


def import_file(path, *, fmt: str, channel: str, by=None, dry_run: bool = False) -> tuple[ImportReport, Table]:
    """Import a file from disk synchronously (the management command)."""
    with open(path, "rb") as fh:
        data = fh.read()
    table = read_table(data, str(path), FORMATS[fmt])
    report = import_table(table, fmt=fmt, channel=channel, by=by, dry_run=dry_run, comment=f"Импорт из файла {path}")
    return report, table


@transaction.atomic
def create_import(*, uploaded_file, fmt: str, channel: str, dry_run: bool, by) -> AppealImport:
    """Store an uploaded file and queue its import (a Celery task, after commit)."""
    imp = AppealImport.objects.create(
        file=uploaded_file,
        original_name=uploaded_file.name[:255],
        format=fmt,
        channel=channel,
        dry_run=dry_run,
        created_by=by if getattr(by, "pk", None) else None,
    )
    audit.record(by, "appeals.import", imp, {"format": fmt, "channel": channel, "dry_run": dry_run})
    send_on_commit("appeals.tasks.run_import", imp.pk)
    return imp


_FINISHED = (AppealImport.Status.DONE, AppealImport.Status.FAILED)


def run_import(import_id: int) -> None:
    """Run an uploaded import (the body of the Celery task). Safe to run twice: a finished import is
    skipped; a running one resumes after its last committed chunk, and registration is idempotent."""
    imp = AppealImport.objects.filter(pk=import_id).first()
    if imp is None or imp.status in _FINISHED:
        return
    running = AppealImport.objects.filter(pk=import_id, status__in=[AppealImport.Status.PENDING,
                                                                   AppealImport.Status.RUNNING])  # fmt: skip
    if not running.update(status=AppealImport.Status.RUNNING):
        return
    mine = AppealImport.objects.filter(pk=import_id, status=AppealImport.Status.RUNNING)
    # A real import continues where an interrupted run stopped; a dry run wrote nothing, so it starts again.
    if imp.status == AppealImport.Status.RUNNING and imp.processed_rows and not imp.dry_run:
        report = ImportReport.resumed(imp)
    else:
        report = ImportReport()
        mine.update(processed_rows=0, created_count=0, existing_count=0, error_count=0, errors=[])
    try:
        try:
            with imp.file.open("rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise ImportFileError("Загруженный файл не найден в хранилище: загрузите его заново.") from exc
        table = read_table(data, imp.original_name, FORMATS[imp.format])
        mine.update(total_rows=len(table.rows))

        def save_progress(rep: ImportReport, before: int) -> bool:
            # Conditional UPDATE in the chunk's transaction: if another run of this import moved the
            # progress meanwhile, this run's chunk rolls back and it stops.
            return (
                mine.filter(processed_rows=before).update(
                    processed_rows=rep.processed_rows,
                    created_count=rep.created_count,
                    existing_count=rep.existing_count,
                    error_count=rep.error_count,
                    errors=rep.problems,
                )
                == 1
            )

        report = import_table(
            table,
            fmt=imp.format,
            channel=imp.channel,
            by=imp.created_by,
            dry_run=imp.dry_run,
            report=report,
            on_chunk=save_progress,
            comment=f"Импорт из файла «{imp.original_name}» № {imp.pk}",
        )
    except ImportSuperseded:
        return
    except ImportFileError as exc:
        mine.update(status=AppealImport.Status.FAILED, message=exc.message, finished_at=timezone.now())
        return
    except Exception:
        logger.exception("Import %s failed", import_id)
        mine.update(
            status=AppealImport.Status.FAILED,
            message="Внутренняя ошибка при импорте. Строки, обработанные до неё, сохранены; "
            "обратитесь к администратору.",
            finished_at=timezone.now(),
        )
        return
    mine.update(
        status=AppealImport.Status.DONE,
        total_rows=report.total_rows,
        processed_rows=report.processed_rows,
        created_count=report.created_count,
        existing_count=report.existing_count,
        error_count=report.error_count,
        errors=report.problems,
        message=report.summary(dry_run=imp.dry_run),
        finished_at=timezone.now(),
    )
