"""The dues bands of 《关于中国共产党党费收缴、使用和管理的规定》 (2008): data the organisation
department may change afterwards."""

from decimal import Decimal

from django.db import migrations

SEED = [
    # group, lower, upper, percent, amount
    ("employed", "0", "3000", "0.5", None),
    ("employed", "3000", "5000", "1.0", None),
    ("employed", "5000", "10000", "1.5", None),
    ("employed", "10000", None, "2.0", None),
    ("retired", "0", "5000", "0.5", None),
    ("retired", "5000", None, "1.0", None),
    ("flat", "0", None, "0", "0.20"),  # 农民、学生：每月 0.2 元至 1 元
]


def seed(apps, schema_editor):
    DuesBand = apps.get_model("records", "DuesBand")
    for group, lower, upper, percent, amount in SEED:
        DuesBand.objects.get_or_create(
            group=group, lower=Decimal(lower),
            defaults={"upper": Decimal(upper) if upper else None, "percent": Decimal(percent),
                      "amount": Decimal(amount) if amount else None},
        )  # fmt: skip


def unseed(apps, schema_editor):
    apps.get_model("records", "DuesBand").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0003_dues")]

    operations = [migrations.RunPython(seed, unseed)]
