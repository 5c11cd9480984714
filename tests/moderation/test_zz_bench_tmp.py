import pytest
from django.test.utils import override_settings

from moderation import benchmark


@pytest.mark.django_db
def test_bench():
    from django.db import connection
    benchmark.generate(100_000)
    with connection.cursor() as c:
        c.execute("ANALYZE moderation_incomingmessage")
    from bench import web_client
    with override_settings(DEBUG=False):
        rows = benchmark.run(runs=30, web_client=web_client)
    for r in rows:
        print("BENCH", r[0], " ".join(f"{x:.1f}" for x in r[1:]))
