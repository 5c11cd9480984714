"""Personal data of finished appeals erased after the retention period (152-ФЗ, docs/privacy.md).

An appeal closed or rejected more than APPEAL_PD_RETENTION_DAYS ago loses its applicant's name,
phone, e-mail, postal address and legal name; phone numbers, e-mail addresses and the applicant's
name as written are cut out of the texts (appeal, answer, citizen's comment, timeline comments);
applicant fields are dropped from the appeal's history rows. Everything statistics need stays:
channel, dates, statuses, sector, topic, territory, organisation, quality, satisfaction, the
problem's address and coordinates — ratings and the heat map do not change.

Set-based: one UPDATE per batch of BATCH_SIZE appeals picked with FOR UPDATE SKIP LOCKED, each batch
its own transaction. Safe to run twice (erased appeals leave the candidate set: `pd_erased_at`) and
concurrently (a second run skips the rows the first has locked, and an appeal an operator is
editing right now waits for the next day).
"""

import datetime
import re
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Func, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone

from cur.models import AuditEvent

from ..models import Appeal, AppealEvent, AppealImport

BATCH_SIZE = 10_000
ERASED_TEXT = "данные удалены по сроку хранения"
APPLICANT_FIELDS = ("applicant_name", "applicant_phone", "applicant_email", "applicant_address", "applicant_legal_name")
FREE_TEXT_FIELDS = ("text", "answer_text", "satisfaction_comment")
FINISHED = (Appeal.Status.CLOSED, Appeal.Status.REJECTED)

# One syntax that both PostgreSQL (ARE) and Python's re read. Russian numbers: +7 or 8, then ten
# digits with the usual separators («+7 (912) 345-67-89», «8 912 3456789», «89123456789»).
PHONE_RE = r"(?<![\w+])(?:\+7|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)"
EMAIL_RE = r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"
PHONE_MARK, EMAIL_MARK, NAME_MARK = "[телефон удалён]", "[e-mail удалён]", "[ФИО удалено]"


class RegexpReplace(Func):
    function = "regexp_replace"
    arity = 4  # source, pattern, replacement, flags ("g": every match)


def _scrubbed(field: str):
    """The text without the applicant's name as written, e-mail addresses and phone numbers."""
    text = Replace(F(field), F("applicant_name"), Value(NAME_MARK))  # replace(x, '', y) is x: no name, no change
    text = RegexpReplace(text, Value(EMAIL_RE), Value(EMAIL_MARK), Value("g"))
    return RegexpReplace(text, Value(PHONE_RE), Value(PHONE_MARK), Value("g"))


def _py_regexp_replace(value, pattern, replacement, flags):
    return None if value is None else re.sub(pattern, replacement, value, count=0 if "g" in flags else 1)


def _install_sqlite_regexp() -> None:
    # The embedded SQLite default has no regexp_replace: Python's re reads the same patterns.
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.connection.create_function("regexp_replace", 4, _py_regexp_replace, deterministic=True)


def retention_cutoff(now: datetime.datetime | None = None, days: int | None = None) -> datetime.datetime:
    """Appeals finished before this moment have outlived the retention period."""
    days = settings.APPEAL_PD_RETENTION_DAYS if days is None else days
    return (now or timezone.now()) - datetime.timedelta(days=days)


def expired_appeals(cutoff: datetime.datetime) -> QuerySet[Appeal]:
    """Finished appeals closed before `cutoff` whose personal data is still stored (appeal_pd_retention_idx)."""
    return Appeal.objects.filter(status__in=FINISHED, pd_erased_at=None, closed_at__lt=cutoff)


@dataclass
class RetentionResult:
    cutoff: str
    retention_days: int
    appeals: int = 0
    events: int = 0
    history_rows: int = 0
    import_files: int = 0
    batches: int = 0
    seconds: float = 0.0


def _erase_batch(cutoff: datetime.datetime, now: datetime.datetime, size: int) -> tuple[int, int, int] | None:
    """One transaction: lock up to `size` expired appeals nobody else holds, erase them and their history.
    None when there are none left."""
    with transaction.atomic():
        ids = list(
            expired_appeals(cutoff).select_for_update(skip_locked=True).order_by().values_list("pk", flat=True)[:size]
        )
        if not ids:
            return None
        erase = {name: Value("") for name in APPLICANT_FIELDS} | {name: _scrubbed(name) for name in FREE_TEXT_FIELDS}
        # pd_erased_at=None again: a row erased by a concurrent run between our SELECT and UPDATE is left alone.
        appeals = Appeal.objects.filter(pk__in=ids, pd_erased_at=None).update(**erase, pd_erased_at=now)
        # Timeline comments are typed by staff and may quote a phone or an address of e-mail.
        quoted = Q(comment__regex=EMAIL_RE) | Q(comment__regex=PHONE_RE)
        events = AppealEvent.objects.filter(quoted, appeal_id__in=ids).update(
            comment=RegexpReplace(
                RegexpReplace(F("comment"), Value(EMAIL_RE), Value(EMAIL_MARK), Value("g")),
                Value(PHONE_RE), Value(PHONE_MARK), Value("g"),
            )
        )  # fmt: skip
        history = _drop_applicant_changes(ids)
    return appeals, events, history


def _drop_applicant_changes(ids: list[int]) -> int:
    """Applicant fields recorded as before/after in the appeal's history and audit rows (an admin's edit)."""
    if connection.vendor != "postgresql":
        return 0  # the embedded SQLite default has no jsonb operators; development data only
    keys = list(APPLICANT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE appeals_appealevent SET changes = changes - %s::text[] "
            "WHERE appeal_id = ANY(%s) AND changes ?| %s::text[]",
            [keys, ids, keys],
        )
        count = cursor.rowcount
        # audit_object_idx: object_type, object_id.
        cursor.execute(
            "UPDATE cur_auditevent SET changes = changes - %s::text[] "
            "WHERE object_type = 'appeals.appeal' AND object_id = ANY(%s) AND changes ?| %s::text[]",
            [keys, [str(pk) for pk in ids], keys],
        )
        return count + cursor.rowcount


def _erase_import_files(cutoff: datetime.datetime) -> int:
    """Uploaded import files hold every row's applicant: older than the period, they go too."""
    old = AppealImport.objects.filter(created_at__lt=cutoff).exclude(file="")
    names = dict(old.values_list("pk", "file"))
    for name in names.values():
        default_storage.delete(name)  # a missing file is no error
    return AppealImport.objects.filter(pk__in=names).update(file="", errors=[])


def anonymise_expired_appeals(
    *, days: int | None = None, batch_size: int = BATCH_SIZE, now: datetime.datetime | None = None
) -> RetentionResult:
    """Erase the personal data of appeals finished longer ago than the retention period; one audit row per run."""
    started = time.monotonic()
    now = now or timezone.now()
    days = settings.APPEAL_PD_RETENTION_DAYS if days is None else days
    cutoff = retention_cutoff(now, days)
    result = RetentionResult(cutoff=cutoff.isoformat(), retention_days=days)
    _install_sqlite_regexp()
    while (batch := _erase_batch(cutoff, now, batch_size)) is not None:
        appeals, events, history = batch
        result.appeals += appeals
        result.events += events
        result.history_rows += history
        result.batches += 1
    result.import_files = _erase_import_files(cutoff)
    result.seconds = round(time.monotonic() - started, 3)
    AuditEvent.objects.create(
        action="appeal.pd_retention",
        object_type="appeals.appeal",
        object_repr="Удаление персональных данных по сроку хранения",
        changes=asdict(result),
    )
    return result


def count_expired_appeals(*, days: int | None = None) -> int:
    """How many appeals the next run would anonymise (the command's --dry-run)."""
    return expired_appeals(retention_cutoff(days=days)).count()


def applicant_shown(appeal: Appeal, value: str) -> str:
    """What a page or an export shows for an applicant field: the value, or why it is gone."""
    return ERASED_TEXT if appeal.pd_erased_at is not None else value
