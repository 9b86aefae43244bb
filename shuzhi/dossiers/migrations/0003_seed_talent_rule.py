"""The talent reserve's targets (seed 002: 每个村不少于20人, 党员能人占20%以上) and two reserve
cadres per village post, as data."""

from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("dossiers", "TalentRule").objects.update_or_create(
        code="default", defaults={"min_count": 20, "member_share": 20, "reserves_per_post": 2}
    )


def unseed(apps, schema_editor):
    apps.get_model("dossiers", "TalentRule").objects.filter(code="default").delete()


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0002_seed_checklist")]
    operations = [migrations.RunPython(seed, unseed)]
