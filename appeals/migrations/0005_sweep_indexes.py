from django.db import migrations, models
from django.db.models import Q

CLOCK = Q(status__in=["assigned", "in_progress", "returned", "reopened"], clock_paused_at=None)


class Migration(migrations.Migration):
    dependencies = [("appeals", "0004_fulltext_index")]
    operations = [
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(fields=["due_at"], name="appeal_sweep_overdue_idx", condition=CLOCK & Q(overdue_at=None)),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                fields=["escalation_level", "due_at"],
                name="appeal_sweep_escalation_idx",
                condition=CLOCK & Q(overdue_at__isnull=False, escalation_level__lt=2),
            ),
        ),
    ]
