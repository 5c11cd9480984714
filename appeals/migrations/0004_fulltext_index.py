"""Russian full-text search over appeal texts (PostgreSQL only; SQLite falls back to icontains).

The expression matches what `SearchVector("text", config="russian")` generates, so the
queue's search filter uses this index.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS appeal_text_fts_idx ON appeals_appeal "
    "USING gin (to_tsvector('russian'::regconfig, COALESCE(text, '')))"
)
DROP = "DROP INDEX IF EXISTS appeal_text_fts_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("appeals", "0003_appeal_import")]
    operations = [migrations.RunPython(create, drop)]
