"""支委会 is asked only of branches with a committee: 《中国共产党支部工作条例（试行）》 art. 8 sets
one up where a branch has seven or more full members; a smaller one elects only a secretary."""

from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("records", "Requirement").objects.filter(kind="committee").update(
        min_members=7, label="支委会每月 1 次（正式党员 7 人以上的支部）"
    )


def unseed(apps, schema_editor):
    apps.get_model("records", "Requirement").objects.filter(kind="committee").update(
        min_members=0, label="支委会每月 1 次"
    )


class Migration(migrations.Migration):
    dependencies = [("records", "0005_requirement_min_members")]

    operations = [migrations.RunPython(seed, unseed)]
