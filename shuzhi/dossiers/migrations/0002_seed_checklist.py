"""The standard checklist of a member's file (党员档案), as data: the materials 《中国共产党发展党员
工作细则》 has the branch keep for each member, from the application to the conversion. An entry
names the 发展党员 steps whose scans count for it."""

from django.db import migrations

# order, code, name, required, full_only, step codes, description
ITEMS = [
    (1, "application", "入党申请书", True, False, "apply", ""),
    (2, "autobiography", "自传", True, False, "", "发展对象填写入党志愿书前写出"),
    (3, "recommendation", "推荐入党积极分子材料（党员推荐、群团组织推优）", False, False, "recommend", ""),
    (4, "activist_filing", "确定入党积极分子的支委会记录和备案材料", False, False, "activist,activist_filed", ""),
    (5, "activist_review", "培养考察材料（入党积极分子考察登记表）", True, False, "review1,review2,hearing", ""),
    (6, "candidate_filing", "确定发展对象的支委会记录和备案材料（发展对象考察登记表）", True, False,
     "candidate,candidate_filed", ""),
    (7, "vetting", "政治审查材料（政审综合报告）", True, False, "vetting", ""),
    (8, "training", "发展对象短期集中培训结业证明", True, False, "training", ""),
    (9, "prereview", "上级党委预审意见及公示材料", False, False, "prereview,publicity", ""),
    (10, "volunteer_form", "入党志愿书", True, False, "form,admission,approval", "含支部大会决议和上级党委审批意见"),
    (11, "probation_review", "预备期教育考察材料", False, False, "probation_review", ""),
    (12, "conversion_request", "转正申请书", True, True, "conversion_request", ""),
    (13, "conversion_approval", "转正材料（支部大会决议、上级党委审批意见）", True, True,
     "conversion_meeting,conversion_approval", ""),
    (14, "dues_and_transfers", "党费缴纳、组织关系转接等其他材料", False, False, "", ""),
]  # fmt: skip

FIELDS = ("order", "code", "name", "required", "full_only", "step_codes", "description")


def seed(apps, schema_editor):
    Item = apps.get_model("dossiers", "ChecklistItem")
    for row in ITEMS:
        values = dict(zip(FIELDS, row, strict=True))
        Item.objects.update_or_create(code=values.pop("code"), defaults=values)


def unseed(apps, schema_editor):
    apps.get_model("dossiers", "ChecklistItem").objects.filter(code__in=[row[1] for row in ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
