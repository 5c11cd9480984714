"""Version 1 of the rating methodology, approved, so that a fresh install can compute ratings.

The values are frozen here (not read from ratings.indicators): a later change of the defaults
must not rewrite what version 1 was. A test checks that the two agree today.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

V1_NAME = "Методика рейтинга ЦУР, версия 1"
V1_DESCRIPTION = (
    "Первая версия: своевременность (30), ответы по существу (20), удовлетворённость (20), "
    "время ответа (10), возобновлённые и повторные (10), перенаправления (5), открытые просроченные (5). "
    "Число поступивших обращений показывается и служит порогом достаточности данных, но в балл не входит: "
    "оно зависит от размера организации или территории, а не от качества работы."
)
V1_MIN_APPEALS = 5
# code, name, weight, direction, normalisation
V1_INDICATORS = (
    ("received", "Поступило обращений", "0", "lower", "minmax"),
    ("on_time", "Доля ответов в срок", "30", "higher", "share"),
    ("median_days", "Медианное время ответа", "10", "lower", "minmax"),
    ("on_merits", "Доля ответов по существу", "20", "higher", "share"),
    ("satisfied", "Доля удовлетворённых заявителей", "20", "higher", "share"),
    ("reopened", "Доля возобновлённых и повторных", "10", "lower", "share"),
    ("redirected", "Доля перенаправленных по компетенции", "5", "lower", "share"),
    ("open_overdue", "Открытых просроченных на конец периода", "5", "lower", "minmax"),
)


def create_v1(apps, schema_editor):
    RatingMethodology = apps.get_model("ratings", "RatingMethodology")
    RatingIndicator = apps.get_model("ratings", "RatingIndicator")
    if RatingMethodology.objects.filter(version=1).exists():
        return
    methodology = RatingMethodology.objects.create(
        version=1, name=V1_NAME, description=V1_DESCRIPTION, min_appeals=V1_MIN_APPEALS,
        status="approved", approved_at=timezone.now(),
    )  # fmt: skip
    RatingIndicator.objects.bulk_create(
        RatingIndicator(methodology=methodology, code=code, name=name, weight=Decimal(weight), direction=direction,
                        normalisation=normalisation, position=position)
        for position, (code, name, weight, direction, normalisation) in enumerate(V1_INDICATORS)
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]

    operations = [migrations.RunPython(create_v1, migrations.RunPython.noop)]
