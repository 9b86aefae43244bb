"""SQLite uses an index for `LIKE 'prefix%'` only if it is NOCASE (its LIKE ignores case).

PostgreSQL gets its prefix index (varchar_pattern_ops) from Django for the unique path column.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS orgs_organization_path_nocase ON orgs_organization (path COLLATE NOCASE)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS orgs_organization_path_nocase")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
