"""The common table of `python -m bench` and the generator's parallel index rebuild."""

import pytest
from django.db import connection

from bench import row, timing_row
from bench.generate import drop_secondary_indexes, restore_indexes


def test_a_latency_row_shows_milliseconds_and_the_rate_of_one_client():
    given = {"p50": 12.34, "p95": 40.0, "mean": 20.0, "max": 50.0}

    assert timing_row("API", "GET /api/v1/appeals/", given, rows=50) == (
        "API", "GET /api/v1/appeals/", "12.3 мс", "40.0 мс", "50 запр./с", "50", "",
    )  # fmt: skip


def test_a_one_off_row_shows_seconds_and_thousands_separated_by_spaces():
    result = row("импорт", "CSV", seconds=8.5, per_second=2352.9, unit="строк", rows=20_000, note="цель")

    assert result == ("импорт", "CSV", "8.500 с", "", "2 353 строк/с", "20 000", "цель")


def test_a_slow_rate_keeps_one_decimal():
    assert row("x", "y", per_second=3.25, unit="запр.")[4] == "3.2 запр./с"


def _appeal_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'appeals_appeal'")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_parked_indexes_come_back_when_two_connections_rebuild_them():
    before = _appeal_indexes()
    with connection.cursor() as cursor:
        parked = drop_secondary_indexes(cursor)
        assert len(_appeal_indexes()) < len(before)

        restored = restore_indexes(cursor, stdout=lambda _: None, jobs=2)

        cursor.execute("SELECT to_regclass('bench_parked_index')")
        assert cursor.fetchone()[0] is None
    assert restored == parked > 10
    assert _appeal_indexes() == before
