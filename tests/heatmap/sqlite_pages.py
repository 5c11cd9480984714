"""Run by `test_embedded_sqlite` in a process of its own on the embedded default (no DATABASE_URL: SQLite in
VAR_DIR): a small demo region, then the heat map pages of a curator, a block head and an executor. Prints
one JSON object: the status of every page and the priorities as ranked."""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cur.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from cur.demo.appeals import seed_appeals_demo  # noqa: E402
from cur.demo.heatmap import seed_heatmap_demo  # noqa: E402
from cur.demo.sectors import seed_sectors_demo  # noqa: E402
from cur.models import User  # noqa: E402
from cur.roles import Role  # noqa: E402
from heatmap.models import HeatCellMonth  # noqa: E402
from sectors.models import Organisation, SectorBlock  # noqa: E402


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    seed_sectors_demo()
    seed_appeals_demo(count=600)
    seed_heatmap_demo()
    cell = HeatCellMonth.objects.filter(topic__isnull=False).select_related("topic").order_by("-received").first()
    block = SectorBlock.objects.get(pk=cell.sector_block_id)
    organisation = Organisation.objects.filter(pk=cell.organisation_id).first() or Organisation.objects.first()
    people = {
        "curator": User.objects.create(username="sqlite-curator", role=Role.CURATOR),
        "head": User.objects.create(username="sqlite-head", role=Role.BLOCK_HEAD),
        "executor": User.objects.create(username="sqlite-executor", role=Role.EXECUTOR, organisation=organisation),
    }
    people["head"].sector_blocks.set([block])
    topic, channel = cell.topic.code, cell.channel
    focus = f"/heatmap/focus/?territory={cell.territory_id}&topic={topic}&channel={channel}"
    pages = [
        ("curator", "/heatmap/map/?period=365"),
        ("curator", f"/heatmap/map/?period=365&topic={topic}&channel={channel}"),  # every dimension
        ("curator", "/heatmap/priorities/?min_count=2"),
        ("curator", focus),
        ("curator", "/heatmap/dashboard/region/"),
        ("head", "/heatmap/dashboard/block/"),
        ("head", "/heatmap/priorities/"),
        ("executor", f"/heatmap/map/?period=365&topic={topic}"),
        ("executor", "/heatmap/priorities/?min_count=1"),
    ]
    result = {"status": {}, "priorities": []}
    for who, url in pages:
        client = Client()
        client.force_login(people[who])
        response = client.get(url)
        result["status"][f"{who} {url}"] = response.status_code
        if who == "curator" and "priorities" in url:
            rows = response.context["rows"]
            result["priorities"] = [(r.priority.score, r.priority.stats.received) for r in rows]
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
