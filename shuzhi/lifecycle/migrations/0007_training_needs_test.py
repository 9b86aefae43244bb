"""The training step needs the 发展对象 test passed (where a test is in force)."""

from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("lifecycle", "Step").objects.filter(code="training").update(needs_test=True)


def unmark(apps, schema_editor):
    apps.get_model("lifecycle", "Step").objects.filter(code="training").update(needs_test=False)


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0006_training")]
    operations = [migrations.RunPython(seed, unmark)]
