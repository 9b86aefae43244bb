"""The platform's default points scheme (基本分 70 + 民主评议 20 + 贡献 10), as data."""

from django.db import migrations

DEFAULT = [
    {"name": "组织生活", "source": "attendance", "points": 40},
    {"name": "按时交纳党费", "source": "dues", "points": 15},
    {"name": "承诺践诺", "source": "commitments", "points": 15},
    {"name": "民主评议", "source": "manual", "points": 20},
    {"name": "贡献加分", "source": "manual", "points": 10},
]


def seed(apps, schema_editor):
    apps.get_model("records", "PointsScheme").objects.get_or_create(
        organization=None, defaults={"name": "基本分 70 + 民主评议 20 + 贡献 10", "parts": DEFAULT}
    )


def unseed(apps, schema_editor):
    apps.get_model("records", "PointsScheme").objects.filter(organization=None).delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0008_points")]

    operations = [migrations.RunPython(seed, unseed)]
