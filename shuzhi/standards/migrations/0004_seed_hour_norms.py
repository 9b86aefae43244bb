"""The yearly hour norms (data): every member 32 学时, the secretaries 56."""

from django.db import migrations

NORMS = {"member": 32, "cadre": 56}


def seed(apps, schema_editor):
    HourNorm = apps.get_model("standards", "HourNorm")
    for group, hours in NORMS.items():
        HourNorm.objects.get_or_create(group=group, defaults={"hours": hours})


def unseed(apps, schema_editor):
    apps.get_model("standards", "HourNorm").objects.filter(group__in=NORMS).delete()


class Migration(migrations.Migration):
    dependencies = [("standards", "0003_education")]
    operations = [migrations.RunPython(seed, unseed)]
