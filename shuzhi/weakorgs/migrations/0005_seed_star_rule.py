"""The rule that lets the bottom of the star rating feed the weak-organisation flags. Off at
first: it reads standards.star_level, whose counted level (e.g. 三星及以上) is the standards area's
choice, so a 二星 branch would be flagged too; the organiser switches it on when the star rating
of the year is confirmed and the threshold fits the practice."""

from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("weakorgs", "Rule").objects.get_or_create(
        key="star_low",
        defaults={"label": "星级评定靠后（一星或未达标，未达到计入等次）", "threshold": Decimal("50"), "unit": "%",
                  "position": 8, "enabled": False},
    )  # fmt: skip


def unseed(apps, schema_editor):
    apps.get_model("weakorgs", "Rule").objects.filter(key="star_low").delete()


class Migration(migrations.Migration):
    dependencies = [("weakorgs", "0004_guarantees")]

    operations = [migrations.RunPython(seed, unseed)]
