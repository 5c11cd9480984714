"""The permission matrix, generated from the URL conf: every named URL (pages and API), requested by
every role and anonymously, with path parameters filled by an object in the role's scope and one
outside it (another sector block, organisation or territory). Every response also carries the
security headers. The expectations are matrix.URLS; a URL missing there fails the first test."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.admin import site as admin_site
from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from appeals.models import Appeal, AppealImport, ClassifierVersion, Incident
from cur.models import User
from cur.roles import BLOCK_ROLES, Role, can
from cur.security import CONTENT_SECURITY_POLICY
from heatmap.models import PollImport, ProblemPoint
from informing.models import (
    DisinformationCase,
    InformationActivity,
    InformationEvent,
    Material,
    OfficialPage,
    Recommendation,
)
from moderation.models import IncomingMessage, MessageImport, ModerationReport, Surge
from portal.models import BestPractice, Indicator, Report, Roadmap, RoadmapMeasure
from ratings import indicators
from ratings.models import RatingEntry, RatingMethodology, RatingRun
from sectors.models import Organisation, ResponsiblePerson, SectorBlock, Territory

from .matrix import LOGGED_IN, PUBLIC, REDIRECT, SCOPES, URLS

# Module-scoped data (conftest.demo_world) needs the test database; each test runs in a savepoint.
pytestmark = pytest.mark.django_db

MODELS = {
    "block": SectorBlock,
    "organisation": Organisation,
    "territory": Territory,
    "person": ResponsiblePerson,
    "appeal": Appeal,
    "open311": Appeal,
    "incident": Incident,
    "appeal-import": AppealImport,
    "classifier": ClassifierVersion,
    "run": RatingRun,
    "methodology": RatingMethodology,
    "problem": ProblemPoint,
    "problem-action": ProblemPoint,
    "poll-import": PollImport,
    "event": InformationEvent,
    "recommendation": Recommendation,
    "activity": InformationActivity,
    "material": Material,
    "case": DisinformationCase,
    "page": OfficialPage,
    "message": IncomingMessage,
    "message-import": MessageImport,
    "surge": Surge,
    "moderation-report": ModerationReport,
    "report": Report,
    "report-version": Report,
    "indicator": Indicator,
    "roadmap": Roadmap,
    "measure": RoadmapMeasure,
    "practice": BestPractice,
}
SCOPE_KIND = {"problem-action": "problem", "report-version": "report", "open311": "appeal"}

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
REFUSED = (403, 404)


def named_urls() -> set[str]:
    """Every named URL of the project except the Django admin site's own."""
    names = set()

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == admin_site.name:
                    continue
                inner = pattern.namespace or ""
                walk(pattern, ":".join(filter(None, [namespace, inner])))
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver(), "")
    return names


def scope_of(user: User | None) -> tuple[str, Q] | None:
    """The user's scope as (kind, how to match a lookup to it), None for region-wide roles."""
    if user is None:
        return None
    if user.role in BLOCK_ROLES:
        return "block", list(user.sector_blocks.values_list("pk", flat=True))
    if user.role == Role.EXECUTOR:
        return "organisation", [user.organisation_id]
    if user.role == Role.MUNICIPAL_OPERATOR:
        territory = user.territory_id
        return "territory", list(
            Territory.objects.filter(Q(pk=territory) | Q(parent=territory)).values_list("pk", flat=True)
        )
    return None


def url_kwargs(kind: str, obj) -> dict:
    if kind == "block":
        return {"code": obj.code}
    if kind == "methodology":
        return {"version": obj.version}
    if kind == "open311":
        return {"request_id": obj.number}
    if kind == "problem-action":
        return {"pk": obj.pk, "action": "confirm"}
    if kind == "report-version":
        return {"pk": obj.pk, "number": 1}
    return {"pk": obj.pk}


def focus_variants(user: User | None) -> list[tuple[str, dict, str]]:
    """The focus page takes its territory and topic from the query: inside and outside the scope."""
    scope = scope_of(user)
    located = Appeal.objects.exclude(topic=None).exclude(territory=None).order_by("pk")
    if scope is None:
        found = [("any", located.first())]
    else:
        mine = Q(**{f"{SCOPES['appeal'][scope[0]]}__in": scope[1]})
        found = [("own", located.filter(mine).first()), ("foreign", located.exclude(mine).first())]
    return [(variant, {}, f"?topic={a.topic.code}&territory={a.territory_id}") for variant, a in found if a]


def variants(kind: str | None, user: User | None) -> list[tuple[str, dict, str]]:
    """(variant, URL kwargs, query): "any" object for region-wide roles, "own" and "foreign" for scoped ones."""
    return [(variant, kwargs, "") for variant, kwargs in path_variants(kind, user)]


def path_variants(kind: str | None, user: User | None) -> list[tuple[str, dict]]:
    if kind is None:
        return [("none", {})]
    if kind in ("run-subject", "run-drilldown"):
        entry = RatingEntry.objects.filter(run__status=RatingRun.Status.DONE).order_by("pk").first()
        kwargs = {"pk": entry.run_id, "subject_id": entry.subject_id}
        return [("any", kwargs | ({"code": indicators.SPECS[0].code} if kind == "run-drilldown" else {}))]
    objects = MODELS[kind].objects.order_by("pk")
    if kind == "report-version":
        objects = objects.filter(versions__number=1)
    if kind == "poll-import":  # an import's page belongs to whoever uploaded it
        return [("foreign", url_kwargs(kind, objects.exclude(created_by=user).first()))]
    scope = scope_of(user)
    lookup = SCOPES.get(SCOPE_KIND.get(kind, kind), {}).get(scope[0]) if scope else None
    if lookup is None:
        return [("any", url_kwargs(kind, objects.first()))]
    mine = Q(**{f"{lookup}__in": scope[1]})
    own = objects.filter(mine).first()
    foreign = objects.exclude(mine).filter(**{f"{lookup}__isnull": False}).first()
    return [(variant, url_kwargs(kind, obj)) for variant, obj in (("own", own), ("foreign", foreign)) if obj]


def may_enter(who, user: User | None) -> bool:
    if who in (PUBLIC, REDIRECT):
        return True
    if user is None:
        return False
    if who == LOGGED_IN:
        return True
    return any(can(user, capability) for capability in (who if isinstance(who, tuple) else (who,)))


@dataclass
class Case:
    name: str
    role: str
    variant: str
    path: str
    status: int
    location: str = ""
    error: str = ""
    headers: dict | None = None

    def __str__(self):
        return f"{self.role} {self.path} ({self.name}, {self.variant}) → {self.status} {self.location}{self.error}"


def request(client: Client, path: str) -> Case:
    """GET (POST with no data if the URL takes only POST), inside a savepoint rolled back afterwards:
    no request changes what the next one sees."""
    with transaction.atomic():
        try:
            response = client.get(path)
            if response.status_code == 405:
                response = client.post(path, {})
            case = Case("", "", "", path, response.status_code, response.get("Location", ""))
            case.headers = {name: response.get(name) for name in [*SECURITY_HEADERS, "Permissions-Policy"]}
        except Exception as exc:
            case = Case("", "", "", path, 500, error=f"{type(exc).__name__}: {exc}")
        transaction.set_rollback(True)
    return case


@pytest.fixture(scope="module")
def world(demo_world, django_db_blocker):
    """The demo region plus what seed_demo does not make: an upload of each kind, by someone else."""
    from django.core.files.base import ContentFile

    with django_db_blocker.unblock():
        uploader = User.objects.create_user("uploader", role=Role.ADMIN)
        PollImport.objects.create(original_name="итоги.csv", created_by=uploader)
        AppealImport.objects.create(
            file=ContentFile(b"", name="x.csv"), original_name="x.csv", format="pos", channel="pos", created_by=uploader
        )
        MessageImport.objects.create(original_name="x.csv", created_by=uploader)
        # The demo executor's organisation gets an appeal waiting for it (the demo spreads appeals elsewhere).
        executor = demo_world[Role.EXECUTOR]
        waiting = Appeal.objects.filter(status=Appeal.Status.ASSIGNED).order_by("pk").first()
        Appeal.objects.filter(pk=waiting.pk).update(organisation=executor.organisation)
        # Problem points come from the nightly detection: one inside the block and municipal scopes, one outside.
        blocks = demo_world[Role.BLOCK_RESPONSIBLE].sector_blocks.all()
        territory = demo_world[Role.MUNICIPAL_OPERATOR].territory
        located = Appeal.objects.exclude(sector_block=None).exclude(topic=None).exclude(territory=None)
        for appeal in (
            located.filter(sector_block__in=blocks, territory=territory).first()
            or located.filter(sector_block__in=blocks).first(),
            located.exclude(sector_block__in=blocks).exclude(territory=territory).first(),
        ):
            now = timezone.now()
            ProblemPoint.objects.create(
                kind=ProblemPoint.Kind.values[0], territory=appeal.territory, sector_block=appeal.sector_block,
                topic=appeal.topic, window_start=now.date(), window_end=now.date(), observed=5, expected=1.0,
                score=4.0, first_detected_at=now, last_detected_at=now,
            )  # fmt: skip
    return demo_world


@pytest.fixture(scope="module")
def cases(world, django_db_blocker) -> list[Case]:
    """Every classified URL × (every role + anonymous) × (own / foreign object)."""
    results = []
    with django_db_blocker.unblock():
        people = [(role.value, user) for role, user in world.items()] + [("anonymous", None)]
        for label, user in people:
            client = Client()
            for name, (_who, kind) in sorted(URLS.items()):
                found = focus_variants(user) if kind == "focus" else variants(kind, user)
                for variant, kwargs, query in found:
                    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
                    if user is not None and (session is None or not session.value):  # first, or after /logout/
                        client.force_login(user)
                    case = request(client, reverse(name, kwargs=kwargs) + query)
                    case.name, case.role, case.variant = name, label, variant
                    results.append(case)
    return results


def users_by_label(world) -> dict:
    return {role.value: user for role, user in world.items()} | {"anonymous": None}


def test_every_named_url_is_classified_in_the_matrix():
    urls = named_urls()
    assert sorted(urls - set(URLS)) == [], "new URLs: add them to tests/security/matrix.py"
    assert sorted(set(URLS) - urls) == [], "URLs no longer in the URL conf"


def test_no_request_of_the_matrix_fails_with_a_server_error(cases):
    assert len({c.name for c in cases}) == len(URLS)
    print(f"permission matrix: {len(URLS)} URLs, {len(cases)} requests (URL × role or anonymous × object)")
    errors = [str(c) for c in cases if c.status >= 500]
    assert not errors, "\n".join(errors)


def test_anonymous_users_are_sent_to_log_in_or_refused(cases):
    bad = [
        c
        for c in cases
        if c.role == "anonymous"
        and URLS[c.name][0] not in (PUBLIC, REDIRECT)
        and not (c.status in (401, 403) or (c.status == 302 and c.location.startswith("/login/")))
    ]
    assert [str(c) for c in bad] == []


def test_roles_without_the_capability_are_refused(cases, world):
    users = users_by_label(world)
    bad = [
        c
        for c in cases
        if users[c.role] is not None and not may_enter(URLS[c.name][0], users[c.role]) and c.status not in REFUSED
    ]
    assert [str(c) for c in bad] == []


def test_objects_outside_the_role_scope_are_not_found(cases, world):
    users = users_by_label(world)
    foreign = [
        c
        for c in cases
        if c.variant == "foreign" and URLS[c.name][0] != PUBLIC and may_enter(URLS[c.name][0], users[c.role])
    ]
    assert foreign, "the demo region has objects outside each scoped role's scope"
    leaks = [str(c) for c in foreign if c.status not in REFUSED]
    assert not leaks, "\n".join(leaks)


def test_pages_open_for_roles_with_the_capability_on_their_own_objects(cases, world):
    """The matrix reaches real objects: every URL answers a role allowed to use it with a success or
    a redirect (an action without its form data is refused by validation: 400/409 is fine there)."""
    users = users_by_label(world)
    allowed = [
        c
        for c in cases
        if c.variant != "foreign" and c.role != "anonymous" and may_enter(URLS[c.name][0], users[c.role])
    ]
    answered = {c.name for c in allowed if c.status < 400 or c.status in (400, 409)}
    unanswered = [str(c) for c in allowed if c.name not in answered]
    assert not unanswered, "\n".join(unanswered)


def test_every_response_carries_the_security_headers(cases):
    missing = [
        f"{c}: {name}={c.headers.get(name)!r}"
        for c in cases
        if c.headers is not None
        for name, value in SECURITY_HEADERS.items()
        if c.headers.get(name) != value
    ]
    assert missing == []
    assert all(c.headers["Permissions-Policy"].startswith("accelerometer=()") for c in cases if c.headers)
