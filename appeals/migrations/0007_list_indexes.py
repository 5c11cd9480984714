from django.db import migrations, models
from django.db.models import Q
from django.db.models.functions import Coalesce

CLOCK = Q(status__in=["assigned", "in_progress", "returned", "reopened"], clock_paused_at=None)
OPEN = Q(status__in=["new", "assigned", "in_progress", "info_requested", "returned", "reopened"])
DUE = Coalesce("due_at", "registered_at")


class Migration(migrations.Migration):
    dependencies = [("appeals", "0006_classifier_routing_duplicates")]
    operations = [
        migrations.AddIndex("appeal", models.Index(fields=["-registered_at", "-id"], name="appeal_registered_idx")),
        migrations.AddIndex(
            "appeal",
            models.Index(fields=["-registered_at", "-id", "due_at"], name="appeal_running_registered_idx", condition=CLOCK),
        ),
        migrations.AddIndex(
            "appeal", models.Index(DUE, "id", name="appeal_triage_due_idx", condition=Q(status__in=["new", "reopened"]))
        ),
        migrations.AddIndex("appeal", models.Index(DUE, "id", name="appeal_open_due_order_idx", condition=OPEN)),
    ]
