"""The steps of 发展党员 (《中国共产党发展党员工作细则》) with their date rules, as data."""

from django.db import migrations

# order, code, stage, name, after, min_months, max_months, strict, check, documents, people_label
STEPS = [
    (1, "apply", "applicant", "递交入党申请书", "", 0, 0, False, "age", "入党申请书", ""),
    (2, "talk", "applicant", "党组织派人谈话", "apply", 0, 1, False, "", "谈话记录", ""),
    (3, "recommend", "applicant", "推荐入党积极分子（党员推荐、群团组织推优）", "", 0, 0, False, "", "推荐材料", ""),
    (4, "activist", "activist", "支委会研究确定为入党积极分子", "", 0, 0, False, "", "支委会会议记录", ""),
    (5, "activist_filed", "activist", "报上级党委备案（入党积极分子）", "", 0, 0, False, "", "备案表", ""),
    (6, "contacts", "activist", "指定两名培养联系人", "", 0, 0, False, "two_people", "", "培养联系人"),
    (7, "review1", "activist", "第一次半年培养考察", "activist", 6, 0, False, "", "培养考察登记表", ""),
    (8, "review2", "activist", "第二次半年培养考察", "review1", 6, 0, False, "", "培养考察登记表", ""),
    (9, "hearing", "activist", "听取党小组、培养联系人、党员和群众意见", "", 0, 0, False, "", "意见汇总", ""),
    (10, "candidate", "candidate", "支委会研究确定为发展对象", "activist", 12, 0, False, "", "支委会会议记录", ""),
    (11, "candidate_filed", "candidate", "报上级党委备案（发展对象）", "", 0, 0, False, "", "备案表", ""),
    (12, "sponsors", "candidate", "确定两名入党介绍人", "", 0, 0, False, "two_people", "", "入党介绍人"),
    (13, "vetting", "candidate", "政治审查", "", 0, 0, False, "", "政审材料", ""),
    (14, "training", "candidate", "短期集中培训", "", 0, 0, False, "training", "培训结业证明", ""),
    (15, "precheck", "candidate", "支部委员会审查", "", 0, 0, False, "", "支委会会议记录", ""),
    (16, "prereview", "candidate", "上级党委预审", "", 0, 0, False, "", "预审意见", ""),
    (17, "publicity", "candidate", "公示", "", 0, 0, False, "publicity", "公示材料", ""),
    (18, "form", "candidate", "填写入党志愿书", "", 0, 0, False, "", "入党志愿书", ""),
    (19, "admission", "candidate", "支部党员大会讨论接收预备党员", "", 0, 0, False, "", "支部大会会议记录", ""),
    (20, "committee_talk", "candidate", "上级党委派人谈话", "admission", 0, 3, False, "", "谈话记录", ""),
    (21, "approval", "probationary", "上级党委审批为预备党员", "admission", 0, 3, True, "", "审批意见", ""),
    (22, "oath", "probationary", "入党宣誓", "", 0, 0, False, "", "", ""),
    (23, "probation_review", "probationary", "预备期教育考察", "", 0, 0, False, "", "考察材料", ""),
    (24, "conversion_request", "probationary", "本人提出转正申请", "admission", 11, 0, False, "", "转正申请书", ""),
    (25, "conversion_meeting", "probationary", "支部党员大会讨论转正", "admission", 12, 0, False, "", "支部大会会议记录", ""),
    (26, "conversion_approval", "full", "上级党委审批转正", "conversion_meeting", 0, 3, True, "", "审批意见", ""),
]  # fmt: skip

FIELDS = ("order", "code", "stage", "name", "after", "min_months", "max_months", "strict", "special", "documents",
          "people_label")  # fmt: skip


def seed(apps, schema_editor):
    Step = apps.get_model("lifecycle", "Step")
    for row in STEPS:
        values = dict(zip(FIELDS, row, strict=True))
        Step.objects.update_or_create(code=values.pop("code"), defaults=values)


def unseed(apps, schema_editor):
    apps.get_model("lifecycle", "Step").objects.filter(code__in=[row[1] for row in STEPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
