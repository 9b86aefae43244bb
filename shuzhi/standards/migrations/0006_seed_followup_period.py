"""The follow-up period of new members (data): three years."""

from django.db import migrations


def seed(apps, schema_editor):
    FollowUpPeriod = apps.get_model("standards", "FollowUpPeriod")
    if not FollowUpPeriod.objects.exists():
        FollowUpPeriod.objects.create(years=3)


def unseed(apps, schema_editor):
    apps.get_model("standards", "FollowUpPeriod").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("standards", "0005_followup")]
    operations = [migrations.RunPython(seed, unseed)]
