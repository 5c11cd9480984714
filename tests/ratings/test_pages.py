"""The rating pages: who may open what, the table (sort, filters, arrows), a subject, the drill-down
scoped by role, the compute form, the methodology pages, exports."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cur.roles import CAPABILITIES, Role
from ratings import periods
from ratings.models import Level, RatingMethodology, RatingRun
from sectors.models import SectorBlock

from .helpers import compute, make_run
from .world import OCTOBER

pytestmark = pytest.mark.django_db
SEPTEMBER, OCT = periods.month(2025, 9), periods.Period("month", *OCTOBER)


def share(value, n, d):
    return {"value": value, "numerator": n, "denominator": d, "normalised": value}


@pytest.fixture
def two_months(db):
    """September and October for three organisations: Б climbs from 3rd to 1st, А falls from 1st to 2nd."""
    attrs = {
        1: {"kind": "subordinate", "kind_name": "Подведомственное учреждение", "territory_id": 7,
            "territory_name": "Район А", "sectors": ["health"]},
        2: {"kind": "regional_body", "kind_name": "Исполнительный орган", "territory_id": 8,
            "territory_name": "Район Б", "sectors": ["roads"]},
        3: {"kind": "subordinate", "kind_name": "Подведомственное учреждение", "territory_id": 8,
            "territory_name": "Район Б", "sectors": ["health", "roads"]},
    }  # fmt: skip
    september = make_run(Level.ORGANISATION, SEPTEMBER, [
        (1, "А", 1, "90", {"on_time": share(0.9, 9, 10)}, attrs[1]),
        (2, "Б", 3, "50", {"on_time": share(0.5, 5, 10)}, attrs[2]),
        (3, "В", 2, "70", {"on_time": share(0.7, 7, 10)}, attrs[3]),
    ])  # fmt: skip
    october = make_run(Level.ORGANISATION, OCT, [
        (1, "А", 2, "80", {"on_time": share(0.8, 8, 10)}, attrs[1]),
        (2, "Б", 1, "95", {"on_time": share(0.95, 19, 20)}, attrs[2]),
        (3, "В", None, None, {"on_time": share(None, 0, 0)}, attrs[3]),
    ])  # fmt: skip
    return september, october


def subjects_in_order(response) -> list[str]:
    return [row.entry.subject_name for row in response.context["rows"]]


# --- who may open what -----------------------------------------------------------------------------------


def pages(run: RatingRun, subject_id: int) -> list[tuple[str, str]]:
    return [
        (reverse("ratings:index"), "ratings.web"),
        (reverse("ratings:run-list"), "ratings.web"),
        (reverse("ratings:run-detail", args=[run.pk]), "ratings.web"),
        (reverse("ratings:subject", args=[run.pk, subject_id]), "ratings.web"),
        (reverse("ratings:drilldown", args=[run.pk, subject_id, "on_time"]), "ratings.web"),
        (reverse("ratings:export-csv", args=[run.pk]), "ratings.web"),
        (reverse("ratings:export-xlsx", args=[run.pk]), "ratings.web"),
        (reverse("ratings:methodology"), "ratings.web"),
        (reverse("ratings:methodology-version", args=[1]), "ratings.web"),
        (reverse("ratings:compute"), "ratings.compute"),
        (reverse("ratings:methodology-edit"), "ratings.methodology.edit"),
    ]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_opens_exactly_the_pages_its_capabilities_allow(role, two_months, make_user, client):
    client.force_login(make_user(role))
    for url, capability in pages(two_months[1], 1):
        expected = 200 if role in CAPABILITIES[capability] else 403
        assert client.get(url).status_code == expected, (role, url)


def test_the_competence_center_has_no_rating_pages_but_the_menu_hides_them_too(competence_center, client):
    client.force_login(competence_center)
    assert client.get(reverse("ratings:index")).status_code == 403
    assert "Рейтинги" not in client.get(reverse("home")).content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("ratings:index"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_approving_is_a_post_for_the_curator_only(make_user, client, v1):
    draft = RatingMethodology.objects.create(version=2, name="Черновик")
    draft.indicators.create(code="on_time", name="Доля ответов в срок", weight=1, direction="higher",
                            normalisation="share")  # fmt: skip
    url = reverse("ratings:methodology-approve", args=[2])
    client.force_login(make_user(Role.ADMIN))
    assert client.post(url).status_code == 403
    client.force_login(make_user(Role.CURATOR))
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.is_approved


# --- the table ------------------------------------------------------------------------------------------


def test_the_table_shows_the_change_against_the_previous_period(two_months, operator, client_for):
    _, october = two_months
    response = client_for(operator).get(reverse("ratings:run-detail", args=[october.pk]))
    rows = {row.entry.subject_name: row for row in response.context["rows"]}

    assert (rows["Б"].rank_change, rows["А"].rank_change, rows["В"].rank_change) == (2, -1, None)
    assert str(rows["Б"].score_change) == "45.00"
    html = response.content.decode()
    assert "▲&nbsp;2" in html and "▼&nbsp;1" in html
    assert "недостаточно данных" in html
    assert subjects_in_order(response) == ["Б", "А", "В"]  # by place, the unranked last


@pytest.mark.parametrize(
    ("sort", "order"),
    [("rank", ["Б", "А", "В"]), ("-rank", ["А", "Б", "В"]), ("-score", ["Б", "А", "В"]), ("score", ["А", "Б", "В"]),
     ("name", ["А", "Б", "В"]), ("-name", ["В", "Б", "А"]), ("on_time", ["А", "Б", "В"]),
     ("-on_time", ["Б", "А", "В"]), ("nonsense", ["Б", "А", "В"])],
)  # fmt: skip
def test_the_table_sorts_by_any_indicator_with_missing_values_last(two_months, operator, client_for, sort, order):
    response = client_for(operator).get(reverse("ratings:run-detail", args=[two_months[1].pk]), {"sort": sort})
    assert subjects_in_order(response) == order


@pytest.mark.parametrize(
    ("query", "names"),
    [({"sector": "health"}, ["А", "В"]), ({"territory": "8"}, ["Б", "В"]), ({"kind": "regional_body"}, ["Б"]),
     ({"sector": "roads", "territory": "8", "kind": "subordinate"}, ["В"])],
)  # fmt: skip
def test_the_table_filters_by_sector_territory_and_kind(two_months, operator, client_for, query, names):
    response = client_for(operator).get(reverse("ratings:run-detail", args=[two_months[1].pk]), query)
    assert sorted(subjects_in_order(response)) == names


@pytest.mark.parametrize(
    "query",
    [{"territory": "abc"}, {"territory": "99999999999999999999999"}, {"sector": "<script>"}, {"kind": "\x00"},
     {"sort": "-" * 300}, {"page": "-1"}],
)  # fmt: skip
def test_garbage_in_the_query_string_is_ignored(two_months, operator, client_for, query):
    response = client_for(operator).get(reverse("ratings:run-detail", args=[two_months[1].pk]), query)
    assert response.status_code == 200


def test_the_table_costs_the_same_queries_however_many_rows(two_months, operator, client, django_assert_num_queries):
    client.force_login(operator)
    url = reverse("ratings:run-detail", args=[two_months[1].pk])
    client.get(url)  # warm the session
    rows = [(i, f"Орг {i}", i, "50", {}, {"sectors": ["health"]}) for i in range(1, 60)]
    many = make_run(Level.ORGANISATION, periods.month(2025, 11), rows)
    with django_assert_num_queries(9):
        client.get(url)
    with django_assert_num_queries(9):
        client.get(reverse("ratings:run-detail", args=[many.pk]))


def test_missing_runs_and_subjects_are_404(two_months, operator, client_for):
    client = client_for(operator)
    october = two_months[1]
    assert client.get(reverse("ratings:run-detail", args=[10**20])).status_code == 404
    assert client.get(reverse("ratings:subject", args=[october.pk, 10**20])).status_code == 404
    assert client.get(reverse("ratings:drilldown", args=[october.pk, 1, "nonsense"])).status_code == 404
    assert client.get(reverse("ratings:drilldown", args=[october.pk, 1, "on_time"]), {"part": "x"}).status_code == 404
    assert client.get(reverse("ratings:methodology-version", args=[99])).status_code == 404


def test_a_pending_run_says_it_is_being_computed(db, v1, operator, client_for):
    run = RatingRun.objects.create(level=Level.ORGANISATION, period_kind="month", period_start=OCT.start,
                                   period_end=OCT.end, methodology=v1)  # fmt: skip
    response = client_for(operator).get(reverse("ratings:run-detail", args=[run.pk]))
    assert 'data-testid="run-pending"' in response.content.decode()
    assert client_for(operator).get(reverse("ratings:export-csv", args=[run.pk])).status_code == 404


def test_the_index_shows_the_newest_run_of_each_level(two_months, operator, client_for):
    html = client_for(operator).get(reverse("ratings:index")).content.decode()
    assert "Октябрь 2025" in html and "Сентябрь 2025" not in html
    assert "Рейтинг этого уровня ещё не рассчитан" in html  # municipalities, blocks


# --- a subject --------------------------------------------------------------------------------------------


def test_a_subject_page_shows_every_indicator_and_its_history_chart(two_months, operator, client_for):
    response = client_for(operator).get(reverse("ratings:subject", args=[two_months[1].pk, 2]))
    html = response.content.decode()

    assert [p.rank for p in response.context["history"]] == [3, 1]
    assert 'id="history-figure"' in html and "plotly/plotly.min.js" in html
    for code in ("on_time", "median_days", "on_merits", "satisfied", "reopened", "redirected", "open_overdue"):
        assert f'data-testid="indicator-{code}"' in html
    assert "https://" not in html.split("<footer")[0].split("</nav>", 1)[1]  # no CDN


def test_the_sector_block_level_links_the_blocks_responsible_persons(world, operator, client_for):
    from tests.factories import ResponsiblePersonFactory

    head = ResponsiblePersonFactory(last_name="Блоков")
    run = compute(Level.SECTOR_BLOCK)
    client = client_for(operator)
    person_url = reverse("sectors:person-detail", args=[head.pk])

    assert person_url in client.get(reverse("ratings:run-detail", args=[run.pk])).content.decode()
    html = client.get(reverse("ratings:subject", args=[run.pk, world.health.pk])).content.decode()
    assert 'data-testid="block-persons"' in html and person_url in html


# --- drill-down -------------------------------------------------------------------------------------------


def drilled(client, run, subject, code, part="numerator") -> set[int]:
    subject_id = subject.subject_id if hasattr(subject, "subject_id") else subject.pk  # an entry or a model
    response = client.get(reverse("ratings:drilldown", args=[run.pk, subject_id, code]), {"part": part})
    assert response.status_code == 200
    return {appeal.pk for appeal in response.context["page_obj"]}


def test_the_drill_down_lists_exactly_the_appeals_counted(world, operator, client_for):
    run = compute(Level.ORGANISATION)
    client = client_for(operator)
    w = world

    assert drilled(client, run, w.org_a, "on_time") == {w.a1.pk, w.a2.pk, w.a7.pk, w.a9.pk, w.a12.pk}
    assert drilled(client, run, w.org_a, "on_time", "denominator") == {
        w.a1.pk, w.a2.pk, w.a3.pk, w.a4.pk, w.a7.pk, w.a9.pk, w.a12.pk, w.a14.pk}  # fmt: skip
    assert drilled(client, run, w.org_a, "open_overdue") == {w.a4.pk, w.a10.pk, w.a14.pk}
    assert drilled(client, run, w.org_a, "reopened") == {w.a6.pk, w.a12.pk}
    assert drilled(client, run, w.org_a, "redirected") == {w.a16.pk}
    assert drilled(client, run, w.org_a, "redirected", "denominator") == {w.a1.pk, w.a7.pk, w.a16.pk}
    assert drilled(client, run, w.org_a, "median_days", "denominator") == {
        w.a1.pk, w.a2.pk, w.a3.pk, w.a7.pk, w.a9.pk, w.a12.pk}  # fmt: skip
    assert drilled(client, run, w.org_a, "median_days", "numerator") == set()


@pytest.mark.parametrize("level", Level.values)
def test_every_number_of_every_level_drills_down_to_as_many_appeals(world, operator, client_for, level):
    run = compute(level)
    client = client_for(operator)
    for entry in run.entries.all():
        for code, item in entry.values.items():
            for part in ("numerator", "denominator"):
                if item[part] is not None:
                    assert len(drilled(client, run, entry, code, part)) == item[part], (entry, code, part)


def test_the_drill_down_is_scoped_by_role(world, make_user, client):
    run = compute(Level.ORGANISATION)
    roads = SectorBlock.objects.get(code="roads")

    client.force_login(make_user(Role.BLOCK_HEAD, username="roads-head", sector_blocks=[roads]))
    assert drilled(client, run, world.org_a, "on_time", "denominator") == set()
    assert len(drilled(client, run, world.org_b, "open_overdue")) == 5

    client.force_login(make_user(Role.BLOCK_HEAD, username="health-head"))  # health
    assert len(drilled(client, run, world.org_a, "on_time", "denominator")) == 8
    assert drilled(client, run, world.org_b, "open_overdue") == set()

    client.force_login(make_user(Role.EXECUTOR, organisation=world.org_b))
    assert drilled(client, run, world.org_a, "received") == set()
    assert len(drilled(client, run, world.org_b, "received")) == 6


# --- computing, the methodology ----------------------------------------------------------------------------


def test_the_curator_computes_all_three_levels_of_a_month(db, v1, make_user, client, monkeypatch):
    from ratings import services

    monkeypatch.setattr(services, "send_on_commit", lambda *args: None)
    client.force_login(make_user(Role.CURATOR))
    response = client.post(reverse("ratings:compute"), {"level": "all", "period_kind": "month", "year": "2025",
                                                          "month": "10", "methodology": "1"})  # fmt: skip

    assert response.status_code == 302
    runs = RatingRun.objects.filter(period_start=OCT.start, period_end=OCT.end, status=RatingRun.Status.PENDING)
    assert sorted(runs.values_list("level", flat=True)) == sorted(Level.values)


@pytest.mark.parametrize("kind", ["month", "quarter", "year", "custom"])
def test_recompute_from_a_run_page_makes_a_new_run_of_the_same_period(db, v1, make_user, client, monkeypatch, kind):
    import re

    from ratings import services

    monkeypatch.setattr(services, "send_on_commit", lambda *args: None)
    period = {"month": OCT, "quarter": periods.quarter(2025, 4), "year": periods.year(2024),
              "custom": periods.Period("custom", OCT.start, OCT.start.replace(day=15))}[kind]  # fmt: skip
    old = make_run(Level.MUNICIPALITY, period, [(1, "Район", 1, "70", {}, {})])
    client.force_login(make_user(Role.CURATOR))
    html = client.get(reverse("ratings:run-detail", args=[old.pk])).content.decode()
    form = html.split('data-testid="recompute"', 1)[1].split("</form>", 1)[0]
    data = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))

    assert client.post(reverse("ratings:compute"), data).status_code == 302
    new = RatingRun.objects.exclude(pk=old.pk).get()
    assert (new.level, new.period_kind, new.period_start, new.period_end) == (
        old.level, old.period_kind, old.period_start, old.period_end)  # fmt: skip


@pytest.mark.parametrize(
    "data",
    [{}, {"level": "all", "period_kind": "month", "year": "abc", "month": "10", "methodology": "1"},
     {"level": "all", "period_kind": "month", "year": "2025", "month": "13", "methodology": "1"},
     {"level": "x", "period_kind": "year", "year": "2025", "methodology": "1"},
     {"level": "all", "period_kind": "quarter", "year": "2025", "methodology": "1"},
     {"level": "all", "period_kind": "custom", "start": "31.10.2025", "end": "01.10.2025", "methodology": "1"},
     {"level": "all", "period_kind": "custom", "start": "32.13.2025", "end": "\x00", "methodology": "1"},
     {"level": "all", "period_kind": "custom", "start": "01.01.2000", "end": "01.01.2010", "methodology": "1"},
     {"level": "all", "period_kind": "year", "year": "2999", "methodology": "1"},
     {"level": "all", "period_kind": "year", "year": "2025", "methodology": "99999999999999999999"}],
)  # fmt: skip
def test_garbage_in_the_compute_form_is_an_error_not_a_run(db, v1, make_user, client, data):
    client.force_login(make_user(Role.CURATOR))
    response = client.post(reverse("ratings:compute"), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not RatingRun.objects.exists()


def test_the_methodology_page_defines_every_indicator_in_russian(v1, operator, client_for):
    html = client_for(operator).get(reverse("ratings:methodology")).content.decode()

    for code in ("received", "on_time", "median_days", "on_merits", "satisfied", "reopened", "redirected",
                 "open_overdue"):  # fmt: skip
        assert f'data-testid="definition-{code}"' in html
    assert "не просрочено" in html  # an open appeal within its deadline
    assert "не до закрытия" in html  # answer time is not closing time
    assert "недостаточно данных" in html


def test_the_admin_saves_a_new_draft_version_from_the_form(v1, admin_user, client_for):
    data = {"name": "Версия 2", "description": "Больше веса срокам", "min_appeals": "8"}
    for spec_code in ("received", "on_time", "median_days", "on_merits", "satisfied", "reopened", "redirected",
                      "open_overdue"):  # fmt: skip
        data |= {f"{spec_code}__weight": "10", f"{spec_code}__direction": "lower",
                 f"{spec_code}__normalisation": "minmax"}  # fmt: skip
    response = client_for(admin_user).post(reverse("ratings:methodology-edit"), data)

    assert response.status_code == 302
    draft = RatingMethodology.objects.get(version=2)
    assert draft.status == "draft" and draft.min_appeals == 8


@pytest.mark.parametrize(
    "data",
    [{}, {"name": "x", "min_appeals": "0"}, {"name": "x", "min_appeals": "5", "on_time__weight": "-1"},
     {"name": "x", "min_appeals": "5", "median_days__normalisation": "share"},
     {"name": "\x00", "min_appeals": "abc", "on_time__weight": "1e400"}],
)  # fmt: skip
def test_garbage_in_the_methodology_form_is_an_error(v1, admin_user, client_for, data):
    response = client_for(admin_user).post(reverse("ratings:methodology-edit"), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert RatingMethodology.objects.count() == 1


# --- exports ---------------------------------------------------------------------------------------------


def test_exports_follow_the_table_and_neutralise_formulas(two_months, operator, client_for):
    _, october = two_months
    october.entries.filter(subject_id=2).update(subject_name='=HYPERLINK("http://evil")')
    client = client_for(operator)

    text = client.get(reverse("ratings:export-csv", args=[october.pk]), {"sector": "roads"}).content.decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Место", "Субъект", "Код субъекта", "Балл"]
    assert [r[1] for r in rows[1:]] == ['\'=HYPERLINK("http://evil")', "В"]
    assert rows[1][3] == "95,0" and rows[2][0] == "недостаточно данных"

    book = load_workbook(io.BytesIO(client.get(reverse("ratings:export-xlsx", args=[october.pk])).content))
    sheet = book.active
    names = [sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)]
    assert '\'=HYPERLINK("http://evil")' in names
