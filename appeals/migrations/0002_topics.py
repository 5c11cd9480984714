"""The topic groups and topics of appeals (appeals/data/topics.json), mapped to sector blocks.

Topics outside every sector block go to an extra block «Прочие вопросы» (code `other`).
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "topics.json"


def load_topics(apps, schema_editor):
    SectorBlock = apps.get_model("sectors", "SectorBlock")
    TopicGroup = apps.get_model("appeals", "TopicGroup")
    Topic = apps.get_model("appeals", "Topic")
    SectorBlock.objects.get_or_create(
        code="other", defaults={"name": "Прочие вопросы", "is_mandatory": False, "position": 900}
    )
    blocks = {b.code: b for b in SectorBlock.objects.all()}
    for group in json.loads(DATA.read_text(encoding="utf-8"))["groups"]:
        block = blocks[group["sector_block"]]
        g, _ = TopicGroup.objects.update_or_create(
            code=group["code"], defaults={"name": group["name"], "sector_block": block}
        )
        for topic in group["topics"]:
            Topic.objects.update_or_create(
                code=topic["code"],
                defaults={"name": topic["name"], "group": g, "sector_block": block, "severity": topic["severity"]},
            )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial"), ("sectors", "0002_sector_blocks")]
    operations = [migrations.RunPython(load_topics, migrations.RunPython.noop)]
