"""The rules and the ratio practice as first set (the organiser changes them on the rules page)."""

from decimal import Decimal

from django.db import migrations

RULES = [
    ("secretary_vacant", "书记长期空缺", "3", "个月"),
    ("no_new_member", "两年未发展党员", "2", "年"),
    ("life_below", "组织生活未达到频次要求", "100", "%"),
    ("satisfaction", "群众满意度低", "60", "%"),
    ("bottom_share", "年度考核排名靠后", "10", "%"),
    ("overdue_items", "整改事项逾期未完成", "0", "项"),
    ("ageing", "党员老龄化（平均年龄超过阈值且无35岁以下党员）", "60", "岁"),
    ("no_life_meeting", "全年未召开组织生活会", "1", "次"),
]
RATIOS = [("rural", "10"), ("community", "5")]


def seed(apps, schema_editor):
    Rule = apps.get_model("weakorgs", "Rule")
    RatioPractice = apps.get_model("weakorgs", "RatioPractice")
    for position, (key, label, threshold, unit) in enumerate(RULES):
        Rule.objects.get_or_create(
            key=key,
            defaults={"label": label, "threshold": Decimal(threshold), "unit": unit, "position": position},
        )
    for field, percent in RATIOS:
        RatioPractice.objects.get_or_create(field=field, defaults={"percent": Decimal(percent)})


def unseed(apps, schema_editor):
    apps.get_model("weakorgs", "Rule").objects.all().delete()
    apps.get_model("weakorgs", "RatioPractice").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("weakorgs", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
