"""SQLite uses an index for `LIKE 'prefix%'` only if it is NOCASE (its LIKE ignores case)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS members_member_org_path_nocase ON members_member (org_path COLLATE NOCASE)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS members_member_org_path_nocase")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
