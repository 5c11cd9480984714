"""Time the operator's lists: the triage queue and the list of all appeals, first page of 50.

Two measurements per case, p50/p95 over N runs:
- query: the list's selector + AppealFilter + the default (or given) sort, the page's rows fetched
  the way the page fetches them (51 rows: one more tells whether there is a next page);
- page: the whole HTML page through django.test.Client, logged in as an operator (when the
  URL «appeals:queue» exists).
"""

import argparse
from urllib.parse import quote

from bench import print_table, require_postgresql, setup, timed, timing_row, web_client

# (list, query string) — the first is each list's default view.
CASES = [
    ("queue", ""),
    ("queue", "sector=housing"),
    ("queue", "channel=pos&territory={ryazan}"),
    ("queue", "q=отопление"),
    ("list", ""),
    ("list", "status=in_progress"),
    ("list", "sector=roads&registered_from=01.03.2025&registered_to=31.05.2025"),
    ("list", "territory={shatsk}&status=closed"),
    ("list", "overdue=true"),
    ("list", "due_within=3"),
    ("list", "q=яма во дворе"),
    ("list", "sort=due&status=assigned&status=in_progress"),
]


def _operator():
    from cur.models import User
    from cur.roles import Role

    user = User.objects.filter(username="bench-operator").first()
    if user is None:
        user = User(username="bench-operator", role=Role.OPERATOR, last_name="Бенчмарк")
        user.set_unusable_password()
        user.save()
    return user


def _placeholders() -> dict[str, str]:
    from sectors.models import Territory

    ids = dict(Territory.objects.filter(oktmo__in=["61701000", "61656000"]).values_list("oktmo", "pk"))
    return {"ryazan": str(ids.get("61701000", "")), "shatsk": str(ids.get("61656000", ""))}


def _query_runner(kind_name: str, query: str, user):
    """The rows of the first page, fetched as the list page fetches them."""
    from django.test import RequestFactory

    from appeals.views import lists
    from cur.web.pagination import slice_page

    request = RequestFactory().get("/?" + quote(query, safe="=&"))
    request.user = user
    kind = lists.LISTS[kind_name]

    def run():
        _, queryset, _ = lists.filtered_appeals(request, kind)
        return slice_page(queryset, None).object_list

    return run


def _page_runner(kind_name: str, query: str, client):
    from django.urls import reverse

    url = reverse(f"appeals:{kind_name}") + (f"?{quote(query, safe='=&')}" if query else "")

    def run():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        return response

    return run


def measure(*, runs: int = 30) -> list[tuple]:
    """(label, query timing, page timing or None) per case; [] when the appeal lists are missing."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("appeals:queue")
        has_pages = True
    except NoReverseMatch:
        has_pages = False
    try:
        from appeals.views import lists

        has_views = hasattr(lists, "filtered_appeals")
    except ImportError:
        has_views = False
    if not has_views:
        return []

    user = _operator()
    client = web_client(user)
    values = _placeholders()
    out = []
    for kind_name, template in CASES:
        query = template.format(**values)
        q = timed(_query_runner(kind_name, query, user), runs)
        p = timed(_page_runner(kind_name, query, client), runs) if has_pages else None
        out.append((f"{kind_name} {query or '(по умолчанию)'}", q, p))
    return out


def run(*, runs: int = 30) -> list[tuple]:
    """This module's own table."""
    measured = measure(runs=runs)
    if not measured:
        return [("queue", "—", "нет appeals.views.lists.filtered_appeals", "", "")]
    return [
        (label, f"{q['p50']:.1f}", f"{q['p95']:.1f}", f"{p['p50']:.1f}" if p else "—", f"{p['p95']:.1f}" if p else "—")
        for label, q, p in measured
    ]


def table_rows(*, runs: int = 30) -> list[tuple]:
    """Rows of the common table (python -m bench): the query and the whole page of each case."""
    rows = []
    for label, q, p in measure(runs=runs):
        rows.append(timing_row("списки", f"{label}: запрос", q, rows=51))
        if p:
            rows.append(timing_row("списки", f"{label}: страница", p, rows=50, note="цель < 200 мс"))
    return rows


HEADER = ("список, фильтр", "запрос p50, мс", "запрос p95, мс", "страница p50, мс", "страница p95, мс")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_queue", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    setup()
    require_postgresql()
    print_table(run(runs=args.runs), HEADER)


if __name__ == "__main__":
    main()
