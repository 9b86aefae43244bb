"""Ballot marks store the grade as the word itself (好, 较好, 一般, 差), like results, schemes and the
audit log already do (shuzhi.core.grades). The marks are append-only in the database, so the
trigger is set aside for this one rewrite of the spelling and put back in the same transaction;
what was voted does not change."""

from django.db import migrations

WORDS = {"good": "好", "fairly_good": "较好", "average": "一般", "poor": "差"}
TABLE = "ballots_ballotmark"
TRIGGER = f"{TABLE}_append_only"
SQLITE_TRIGGER = (
    f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END;"
)


def _respell(schema_editor, spelling: dict[str, str]) -> None:
    cases = " ".join("WHEN %s THEN %s" for _old in spelling)
    params = [value for pair in spelling.items() for value in pair]
    update = (
        f"UPDATE {TABLE} SET grade = CASE grade {cases} END "  # noqa: S608 (constants only)
        f"WHERE grade IN ({', '.join(['%s'] * len(spelling))})"
    )
    params += list(spelling)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        schema_editor.execute(update, params)
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
        schema_editor.execute(update, params)
        schema_editor.execute(SQLITE_TRIGGER)
    else:
        schema_editor.execute(update, params)


def to_words(apps, schema_editor):
    _respell(schema_editor, WORDS)


def to_codes(apps, schema_editor):
    _respell(schema_editor, {word: code for code, word in WORDS.items()})


class Migration(migrations.Migration):
    dependencies = [("ballots", "0003_grade_choices")]

    operations = [migrations.RunPython(to_words, to_codes)]
