"""Russian full-text search over message texts (PostgreSQL only; SQLite falls back to icontains).

The expression matches what `SearchVector("text", config="russian")` generates, so the queue's search
(`moderation.selectors._filter`) uses this index: a LIKE '%…%' over 100k messages does not meet the
queue's 200 ms budget.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS message_text_fts_idx ON moderation_incomingmessage "
    "USING gin (to_tsvector('russian'::regconfig, COALESCE(text, '')))"
)
DROP = "DROP INDEX IF EXISTS message_text_fts_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
