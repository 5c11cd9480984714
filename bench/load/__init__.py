"""Load test of the web with locust: 200 operators browsing and 20 source systems posting appeals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cur_bench REDIS_URL=redis://127.0.0.1:6379/4 bench/load/run.sh

See bench/README.md («Нагрузочный тест»).
"""
