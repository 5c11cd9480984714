"""Indexes for the appeal lists and the API at 1M appeals (measured in bench/README.md).

- appeal_registered_idx (registered_at DESC, id DESC): the default order of the list of all
  appeals and the API's cursor pagination. Without it the first page of 50 sorted the whole
  table: 1.5 s at 1M appeals; with it 1 ms.
- appeal_running_registered_idx: running appeals newest first, with the due date in the index,
  for the "overdue" and "due within N days" filters in that order: 90 ms → 2 ms at 1M appeals
  (without it PostgreSQL walks appeal_registered_idx through every recent appeal).
- appeal_triage_due_idx: the triage queue in its default order (due date, else registration —
  the views' SORTS["due"]): 18 ms → 1 ms.
- appeal_open_due_order_idx: the same order over every open status (a list sorted by due date
  with a status filter): 175 ms → 1 ms.

Created with the schema editor from Index objects (like 0004 and 0005, outside the model state);
see the caveat in 0005: their proper home is Appeal.Meta.indexes.
"""

from django.db import migrations, models
from django.db.models import Q
from django.db.models.functions import Coalesce

CLOCK = Q(status__in=["assigned", "in_progress", "returned", "reopened"], clock_paused_at=None)
OPEN = Q(status__in=["new", "assigned", "in_progress", "info_requested", "returned", "reopened"])
DUE = Coalesce("due_at", "registered_at")  # a new appeal has no due date: its registration counts
INDEXES = [
    models.Index(fields=["-registered_at", "-id"], name="appeal_registered_idx"),
    models.Index(fields=["-registered_at", "-id", "due_at"], name="appeal_running_registered_idx", condition=CLOCK),
    models.Index(DUE, "id", name="appeal_triage_due_idx", condition=Q(status__in=["new", "reopened"])),
    models.Index(DUE, "id", name="appeal_open_due_order_idx", condition=OPEN),
]


def _existing(schema_editor, table: str) -> set[str]:
    with schema_editor.connection.cursor() as cursor:
        return set(schema_editor.connection.introspection.get_constraints(cursor, table))


def create(apps, schema_editor):
    Appeal = apps.get_model("appeals", "Appeal")
    existing = _existing(schema_editor, Appeal._meta.db_table)
    for index in INDEXES:
        if index.name not in existing:
            schema_editor.add_index(Appeal, index)


def drop(apps, schema_editor):
    # IF EXISTS: on SQLite a later migration that rebuilds the table drops indexes unknown to
    # the model state (these are), so they may be gone already.
    for index in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index.name)}")


class Migration(migrations.Migration):
    dependencies = [("appeals", "0006_classifier_routing_duplicates")]
    operations = [migrations.RunPython(create, drop)]
