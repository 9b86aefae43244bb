"""The frequencies the rules ask of a branch (《中国共产党支部工作条例（试行）》): data the
organisation department may change afterwards."""

from django.db import migrations

SEED = [
    # kind, period, times, secretary_only, label
    ("congress", "quarter", 1, False, "支部党员大会每季度至少 1 次"),
    ("committee", "month", 1, False, "支委会每月 1 次"),
    ("group", "month", 1, False, "党小组会每月 1 次"),
    ("lecture", "quarter", 1, False, "党课每季度至少 1 次"),
    ("lecture", "year", 1, True, "支部书记每年至少讲 1 次党课"),
    ("theme_day", "month", 1, False, "主题党日每月 1 次"),
    ("life_meeting", "year", 1, False, "组织生活会每年至少 1 次"),
]


def seed(apps, schema_editor):
    Requirement = apps.get_model("records", "Requirement")
    for kind, period, times, secretary_only, label in SEED:
        Requirement.objects.update_or_create(
            kind=kind,
            secretary_only=secretary_only,
            defaults={"period": period, "times": times, "label": label},
        )


def unseed(apps, schema_editor):
    Requirement = apps.get_model("records", "Requirement")
    for kind, _period, _times, secretary_only, _label in SEED:
        Requirement.objects.filter(kind=kind, secretary_only=secretary_only).delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
