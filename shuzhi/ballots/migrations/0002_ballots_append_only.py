"""Refuse UPDATE (and on PostgreSQL DELETE) of ballot rows in the database itself: what was
voted can only be added to. (SQLite keeps DELETE for the test suite's flush, as the audit log.)"""

from django.db import migrations

TABLES = ("ballots_ballot", "ballots_ballotmark")

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION shuzhi_ballots_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ballot rows are append-only';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW "
    "EXECUTE FUNCTION shuzhi_ballots_append_only();\n"
    for t in TABLES
)
POSTGRES_DOWN = "".join(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};\n" for t in TABLES) + (
    "DROP FUNCTION IF EXISTS shuzhi_ballots_append_only();"
)
SQLITE_UP = [
    f"CREATE TRIGGER {t}_append_only BEFORE UPDATE ON {t} BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END;"
    for t in TABLES
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {t}_append_only;" for t in TABLES]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("ballots", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
