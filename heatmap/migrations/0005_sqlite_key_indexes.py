"""The embedded SQLite default: plain indexes on the rollup keys.

Django creates no UNIQUE … NULLS NOT DISTINCT constraint on SQLite (models.W047), so there the level
tables had no index on their keys and every incremental update and every heat map read scanned them. The
same columns get a plain index (not unique: SQLite's unique indexes treat NULLs as distinct, and
`heatmap.rollup_python` matches keys with NULLs itself). PostgreSQL has the constraints; nothing to do there.
"""

from django.db import migrations, models


def key_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for model in apps.get_app_config("heatmap").get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.nulls_distinct is False:
                columns = ", ".join(
                    schema_editor.quote_name(model._meta.get_field(f).column) for f in constraint.fields
                )
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(constraint.name + '_sqlite')} "
                    f"ON {schema_editor.quote_name(model._meta.db_table)} ({columns})"
                )


class Migration(migrations.Migration):
    dependencies = [("heatmap", "0004_rollup_cell_months")]

    operations = [migrations.RunPython(key_indexes, migrations.RunPython.noop)]
