"""The ballots' append-only trigger (PostgreSQL) lets one thing through: closing a meeting's vote
deletes its ballots and marks to write them again in a random order, so that nothing in the
storage pairs a used code with its ballot (shuzhi.core.secrecy). It is allowed only in the
transaction that has named that meeting with `set_config('shuzhi.rewrite', 'ballots.meeting:<id>',
true)`, only for DELETE and only for that meeting's rows; an UPDATE is always refused. (SQLite's
triggers refuse UPDATE only, as before.)"""

from django.db import migrations

UP = """
CREATE OR REPLACE FUNCTION shuzhi_ballots_append_only() RETURNS trigger AS $$
DECLARE
    allowed text := coalesce(current_setting('shuzhi.rewrite', true), '');
    meeting bigint;
BEGIN
    IF TG_OP = 'DELETE' AND starts_with(allowed, 'ballots.meeting:') THEN
        IF TG_TABLE_NAME = 'ballots_ballotmark' THEN
            SELECT b.meeting_id INTO meeting FROM ballots_ballot b WHERE b.id = OLD.ballot_id;
        ELSE
            meeting := OLD.meeting_id;
        END IF;
        IF allowed = 'ballots.meeting:' || meeting THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'ballot rows are append-only';
END;
$$ LANGUAGE plpgsql;
"""
DOWN = """
CREATE OR REPLACE FUNCTION shuzhi_ballots_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ballot rows are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UP)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DOWN)


class Migration(migrations.Migration):
    dependencies = [("ballots", "0014_orderings_on_own_columns")]

    operations = [migrations.RunPython(forwards, backwards)]
