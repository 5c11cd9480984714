"""Near-duplicates and mass problems among newly classified appeals.

A new appeal is compared with recent appeals about the same place — the same territory (its own,
or the classifier's suggestion while it waits in triage), else the same address — by cosine
similarity of TF-IDF vectors of lemmas. The most similar earlier one over the threshold becomes
its `similar_to` (a possible duplicate the operator decides on). When N similar open appeals
about one territory arrive within a day, an Incident (a mass problem) is opened for them
automatically (services.create_incident, by nobody), and later similar appeals join it. Links
are written set-based — one conditional UPDATE per batch with the same event and signal as
services.link_to_incident — since an import can link hundreds of appeals at once.

Candidate sets are bounded: one territory (or one address), a time window, at most
DUPLICATES_MAX_CANDIDATES rows, newest first — never a scan of the appeals table. Settings
(with defaults): DUPLICATES_WINDOW_DAYS 14, DUPLICATES_THRESHOLD 0.6, DUPLICATES_MAX_CANDIDATES
1000, INCIDENT_MIN_APPEALS 5, INCIDENT_WINDOW_HOURS 24.
"""

import datetime
import functools
import html
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Left
from django.utils import timezone

from sectors.models import SectorBlock, Territory

from .. import events, services
from ..models import Appeal, AppealEvent, Incident, Topic
from ..signals import appeals_changed
from . import gazetteer

logger = logging.getLogger(__name__)

S = Appeal.Status
ACTIVE_INCIDENT = (Incident.Status.OPEN, Incident.Status.IN_WORK)
TEXT_CHARS = 3_000  # the start of a text says what it is about; compared texts are cut here
# Words too common to tell two appeals apart (TF-IDF weighs the rest).
STOP_WORDS = frozenset(
    {
     "а", "и", "в", "во", "на", "по", "с", "со", "к", "ко", "о", "об", "от", "до", "из", "у", "за", "для",
     "при", "под", "над", "без", "не", "ни", "но", "же", "ли", "бы", "уже", "это", "этот", "эта", "эти", "тот",
     "та", "те", "то", "так", "как", "что", "чтобы", "который", "мой", "наш", "ваш", "свой", "весь", "все",
     "всё", "я", "мы", "вы", "он", "она", "они", "оно", "его", "её", "ее", "их", "нам", "вам", "мне", "меня",
     "нас", "вас", "быть", "мочь", "просить", "прошу", "пожалуйста", "очень", "уважаемый", "здравствуйте",
     "добрый", "день", "также", "еще", "ещё"
    }
)  # fmt: skip


def _setting(name: str, default):
    return getattr(settings, name, default)


def window() -> datetime.timedelta:
    return datetime.timedelta(days=_setting("DUPLICATES_WINDOW_DAYS", 14))


def threshold() -> float:
    return float(_setting("DUPLICATES_THRESHOLD", 0.6))


# --- rows ------------------------------------------------------------------------------------


@dataclass
class _Row:
    pk: int
    text: str
    address: str
    received_at: datetime.datetime
    registered_at: datetime.datetime
    status: str
    place_id: int | None  # the territory, or the suggestion while the appeal waits in triage
    similar_to_id: int | None
    incident_id: int | None
    incident_status: str | None
    sector_block_id: int | None
    topic_id: int | None

    @property
    def key(self) -> tuple:
        """Order of arrival: a duplicate points to an earlier appeal."""
        return (self.received_at, self.pk)

    @property
    def number(self) -> str:
        return Appeal(pk=self.pk, registered_at=self.registered_at).number


_VALUES = ("pk", "short_text", "address", "received_at", "registered_at", "status", "territory_id",
           "suggested_territory_id", "similar_to_id", "incident_id", "incident__status", "sector_block_id",
           "suggested_sector_block_id", "topic_id", "suggested_topic_id")  # fmt: skip


def _rows(queryset) -> list[_Row]:
    rows = []
    for v in queryset.annotate(short_text=Left("text", TEXT_CHARS)).values(*_VALUES):
        rows.append(
            _Row(
                pk=v["pk"], text=v["short_text"], address=(v["address"] or "").strip(),
                received_at=v["received_at"], registered_at=v["registered_at"], status=v["status"],
                place_id=v["territory_id"] or v["suggested_territory_id"], similar_to_id=v["similar_to_id"],
                incident_id=v["incident_id"], incident_status=v["incident__status"],
                sector_block_id=v["sector_block_id"] or v["suggested_sector_block_id"],
                topic_id=v["topic_id"] or v["suggested_topic_id"],
            )
        )  # fmt: skip
    return rows


def _candidates(place: tuple, members: list[_Row]) -> list[_Row]:
    """Recent appeals about the same place as `members` (the members included), newest first, bounded."""
    limit = int(_setting("DUPLICATES_MAX_CANDIDATES", 1000))
    since = min(m.registered_at for m in members) - window()
    received = {
        "received_at__gte": min(m.received_at for m in members) - window(),
        "received_at__lte": max(m.received_at for m in members) + window(),
    }
    kind, value = place
    if kind == "territory":
        querysets = [
            # appeal_territory_idx (territory, -registered_at)
            Appeal.objects.filter(territory_id=value, registered_at__gte=since, **received),
            # appeal_triage_idx: appeals waiting in triage with the classifier's territory only
            Appeal.objects.filter(
                status__in=(S.NEW, S.REOPENED), territory=None, suggested_territory_id=value, registered_at__gte=since,
                **received,
            ),
        ]  # fmt: skip
    else:
        # No index on the address: the status list lets appeal_status_idx (status, -registered_at)
        # bound the scan to the window.
        querysets = [Appeal.objects.filter(address=value, status__in=S.values, registered_at__gte=since, **received)]
    found = {m.pk: m for m in members}
    for qs in querysets:
        for row in _rows(qs.order_by("-registered_at", "-pk")[:limit]):
            found.setdefault(row.pk, row)
    return list(found.values())


# --- similarity ------------------------------------------------------------------------------

_TAG_RE = re.compile(r"<[^<>]*>")


@functools.lru_cache(maxsize=20_000)
def _lemma_text(text: str) -> str:
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(w for w in gazetteer.lemmatize(text) if w not in STOP_WORDS)


def similarities(texts_a: Sequence[str], texts_b: Sequence[str]):
    """Cosine similarity (a dense len(a) × len(b) array) of TF-IDF vectors of the texts' lemmas,
    the vocabulary fitted on both lists together."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [_lemma_text(t[:TEXT_CHARS]) for t in (*texts_a, *texts_b)]
    if not any(docs):
        return np.zeros((len(texts_a), len(texts_b)))
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True)  # noqa: S106
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # an empty vocabulary: nothing but stop words
        return np.zeros((len(texts_a), len(texts_b)))
    a, b = matrix[: len(texts_a)], matrix[len(texts_a) :]
    return (a @ b.T).toarray()


# --- the step --------------------------------------------------------------------------------


@dataclass
class Result:
    duplicates: int = 0
    incidents: int = 0
    joined: int = 0


def _place(row: _Row) -> tuple | None:
    if row.place_id:
        return ("territory", row.place_id)
    if row.address:
        return ("address", row.address)
    return None


def process_new_appeals(ids: Iterable[int]) -> dict[str, int]:
    """Link possible duplicates and form or join incidents for these (newly classified) appeals."""
    result = Result()
    rows = _rows(Appeal.objects.filter(pk__in=list(ids)))
    groups: dict[tuple, list[_Row]] = defaultdict(list)
    for row in rows:
        place = _place(row)
        if place is not None:
            groups[place].append(row)
    for place, members in groups.items():
        members.sort(key=lambda r: r.key)
        candidates = _candidates(place, members)
        sims = similarities([m.text for m in members], [c.text for c in candidates])
        frame = _Frame(members, candidates)
        _link_duplicates(members, candidates, sims, frame, result)
        if place[0] == "territory":
            _incidents(place[1], members, candidates, sims, frame, result)
    return {"duplicates": result.duplicates, "incidents": result.incidents, "joined": result.joined}


class _Frame:
    """The candidates as arrays, for vectorised filtering of a similarity row."""

    def __init__(self, members: list[_Row], candidates: list[_Row]) -> None:
        order = sorted(range(len(candidates)), key=lambda j: candidates[j].key)
        self.rank = np.empty(len(candidates), dtype=np.int64)  # order of arrival
        self.rank[order] = np.arange(len(candidates))
        position = {c.pk: j for j, c in enumerate(candidates)}
        self.member_rank = [int(self.rank[position[m.pk]]) for m in members]
        self.time = np.array([c.received_at.timestamp() for c in candidates])
        self.open = np.array([c.status in Appeal.OPEN_STATUSES for c in candidates], dtype=bool)
        self.place = np.array([c.place_id or 0 for c in candidates], dtype=np.int64)
        self.pk = np.array([c.pk for c in candidates], dtype=np.int64)


@transaction.atomic
def _link_duplicates(members: list[_Row], candidates: list[_Row], sims, frame: _Frame, result: Result) -> None:
    limit, span = threshold(), window().total_seconds()
    links: dict[int, tuple[_Row, float]] = {}
    for i, member in enumerate(members):
        if member.similar_to_id is not None:
            continue
        ok = (
            (sims[i] >= limit)
            & (frame.rank < frame.member_rank[i])
            & (np.abs(frame.time - member.received_at.timestamp()) <= span)
        )
        found = np.flatnonzero(ok)
        if not len(found):
            continue
        # The most similar; among equally similar ones the latest earlier appeal.
        j = found[np.lexsort((frame.rank[found], sims[i, found]))[-1]]
        links[member.pk] = (candidates[j], round(min(float(sims[i, j]), 1.0), 4))
    if not links:
        return
    # One conditional UPDATE: a second run (or a racing worker) links nothing twice.
    linked = update_appeals(
        [("similar_to_id", "bigint"), ("similarity", "double precision")],
        [(pk, other.pk, score) for pk, (other, score) in links.items()],
        constants={"updated_at": timezone.now()},
        only_null="similar_to_id",
    )
    timeline = [
        events.similar_found(pk, other_id=links[pk][0].pk, other_number=links[pk][0].number, score=links[pk][1])
        for pk in linked
    ]
    for member in members:
        if member.pk in linked:
            member.similar_to_id = links[member.pk][0].pk
    events.write(timeline)
    result.duplicates += len(timeline)


def update_appeals(
    columns: Sequence[tuple[str, str]],
    rows: Sequence[tuple],
    *,
    constants: dict[str, Any] | None = None,
    only_null: str | None = None,
) -> list[int]:
    """Set per-row values on appeals in one statement; the ids updated.

    `rows` are (id, *values) in the order of `columns` ((column, SQL type) pairs); `constants` are
    set on every row; with `only_null`, only rows whose that column is still NULL are touched.
    PostgreSQL: one UPDATE … FROM (VALUES …) RETURNING id (Django's bulk_update builds a CASE per
    column and row: measured 3.4 s for 1,000 appeals, against a few ms here). Elsewhere, per row.
    """
    if not rows:
        return []
    constants = constants or {}
    names = [name for name, _ in columns]
    if connection.vendor != "postgresql":
        updated = []
        for pk, *values in rows:
            queryset = Appeal.objects.filter(pk=pk)
            if only_null:
                queryset = queryset.filter(**{only_null: None})
            if queryset.update(**dict(zip(names, values, strict=True)), **constants):
                updated.append(pk)
        return updated
    qn = connection.ops.quote_name
    sets = [f"{qn(name)} = v.{qn(name)}" for name in names] + [f"{qn(name)} = %s" for name in constants]
    row = "(" + ", ".join(["%s::bigint", *(f"%s::{kind}" for _, kind in columns)]) + ")"
    where = f" AND a.{qn(only_null)} IS NULL" if only_null else ""
    # Identifiers come from this module's callers, never from input; values are parameters.
    sql = (
        f"UPDATE {qn(Appeal._meta.db_table)} AS a SET {', '.join(sets)} "  # noqa: S608
        f"FROM (VALUES {', '.join([row] * len(rows))}) AS v(id, {', '.join(qn(n) for n in names)}) "
        f"WHERE a.id = v.id{where} RETURNING a.id"
    )
    params = [*constants.values(), *(value for r in rows for value in r)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def _advisory_lock(territory_id: int) -> None:
    """Serialise incident forming per territory: two workers must not open two incidents for one
    cluster. PostgreSQL only; on SQLite writers are serialised anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x1C1D, territory_id])


def _incidents(territory_id: int, members: list[_Row], candidates: list[_Row], sims, frame: _Frame, result) -> None:
    limit, span = threshold(), window().total_seconds()
    day = datetime.timedelta(hours=_setting("INCIDENT_WINDOW_HOURS", 24))
    needed = int(_setting("INCIDENT_MIN_APPEALS", 5))
    for i, member in enumerate(members):
        if member.status not in Appeal.OPEN_STATUSES or member.incident_id is not None:
            continue
        ok = (
            (sims[i] >= limit)
            & frame.open
            & (frame.place == territory_id)
            & (frame.pk != member.pk)
            & (np.abs(frame.time - member.received_at.timestamp()) <= span)
        )
        found = np.flatnonzero(ok)
        if not len(found):
            continue
        similar = [candidates[j] for j in found[np.argsort(-sims[i, found], kind="stable")]]
        cluster = [o for o in similar if abs(member.received_at - o.received_at) <= day]
        if len(cluster) + 1 < needed and not any(o.incident_id for o in similar):
            # Nothing to join, too few to form (as far as this run knows; a racing worker's fresh
            # incident is joined by the next similar appeal).
            continue
        with transaction.atomic():
            _advisory_lock(territory_id)
            # Fresh incident links under the lock: another worker may have just formed one.
            pks = [member.pk, *(o.pk for o in similar)]
            fresh = {
                pk: (incident_id, status)
                for pk, incident_id, status in Appeal.objects.filter(pk__in=pks).values_list(
                    "pk", "incident_id", "incident__status"
                )
            }
            if fresh.get(member.pk, (None,))[0] is not None:
                continue
            joined = next(
                (fresh[o.pk][0] for o in similar if fresh.get(o.pk, (None, None))[1] in ACTIVE_INCIDENT), None
            )
            if joined is not None:
                if _link([member.pk], Incident(pk=joined)):
                    member.incident_id = joined
                    result.joined += 1
                continue
            if len(cluster) + 1 < needed:
                continue
            incident = _open_incident(territory_id, [member, *cluster])
            linked = set(_link([row.pk for row in [member, *cluster]], incident))
            for row in [member, *cluster]:
                if row.pk in linked:
                    row.incident_id = incident.pk
            result.incidents += 1


def _link(appeal_ids: list[int], incident: Incident) -> list[int]:
    """Link appeals not yet in an incident to `incident`: what services.link_to_incident does for
    one appeal (the field, an INCIDENT_LINKED event, the signal on commit), in one UPDATE for many."""
    linked = update_appeals(
        [("incident_id", "bigint")],
        [(pk, incident.pk) for pk in appeal_ids],
        constants={"updated_at": timezone.now()},
        only_null="incident_id",
    )
    if linked:
        comment = "Похожие обращения по той же территории: привязано автоматически."
        events.write(events.incident_linked(pk, incident_id=incident.pk, comment=comment) for pk in linked)
        transaction.on_commit(
            lambda: appeals_changed.send(Appeal, appeal_ids=linked, kind=AppealEvent.Kind.INCIDENT_LINKED)
        )
    return linked


def _open_incident(territory_id: int, rows: list[_Row]) -> Incident:
    territory = Territory.objects.get(pk=territory_id)
    block_id = _most_common(r.sector_block_id for r in rows)
    topic_id = _most_common(r.topic_id for r in rows if r.sector_block_id == block_id)
    block = SectorBlock.objects.filter(pk=block_id).first() if block_id else None
    topic = Topic.objects.filter(pk=topic_id, sector_block_id=block_id).first() if topic_id else None
    about = topic or block
    title = f"Массовая проблема: {about.name if about else 'похожие обращения'} — {territory.name}"
    first = min(rows, key=lambda r: r.key)
    numbers = ", ".join(f"№ {r.number}" for r in sorted(rows, key=lambda r: r.key))
    description = (
        f"Создан автоматически: {len(rows)} похожих обращений за сутки по территории «{territory.name}» "
        f"({numbers}). Первое: «{first.text[:300]}»"
    )
    return services.create_incident(
        title=title[:255], by=None, description=description, sector_block=block, topic=topic, territory=territory
    )


def _most_common(values: Iterable[int | None]) -> int | None:
    counts = Counter(v for v in values if v is not None)
    return counts.most_common(1)[0][0] if counts else None
