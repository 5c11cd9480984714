"""The sector blocks of DESIGN §3: eight mandatory ones and the region's extra ones."""

from django.db import migrations

BLOCKS = [
    ("health", "Здравоохранение", True),
    ("education", "Образование", True),
    ("social", "Социальная защита", True),
    ("housing", "ЖКХ", True),
    ("waste", "Твёрдые коммунальные отходы", True),
    ("roads", "Дороги", True),
    ("transport", "Транспорт", True),
    ("energy", "Энергетика", True),
    ("business", "МСП и самозанятые", False),
    ("ecology", "Экология", False),
    ("public_spaces", "Благоустройство общественных пространств", False),
    ("sport", "Физическая культура и спорт", False),
    ("labour", "Труд и занятость", False),
    ("culture", "Культура и туризм", False),
]


def create_blocks(apps, schema_editor):
    SectorBlock = apps.get_model("sectors", "SectorBlock")
    for position, (code, name, mandatory) in enumerate(BLOCKS, start=1):
        SectorBlock.objects.update_or_create(
            code=code, defaults={"name": name, "is_mandatory": mandatory, "position": position * 10}
        )


def remove_blocks(apps, schema_editor):
    apps.get_model("sectors", "SectorBlock").objects.filter(code__in=[b[0] for b in BLOCKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("sectors", "0001_initial")]
    operations = [migrations.RunPython(create_blocks, remove_blocks)]
