"""The demo standard (data): one per field, items under the five 好, stars or 达标."""

from decimal import Decimal

from django.db import migrations

STARS = [(5, "五星", 90), (4, "四星", 80), (3, "三星", 70), (2, "二星", 60), (1, "一星", 50)]
PASS = [(1, "达标", 70)]

ROLE = {
    "rural": "带领群众发展村级集体经济、推进乡村振兴",
    "community": "网格化服务群众、协调解决居民急难愁盼",
    "agency": "围绕中心工作、建设模范机关",
    "public_institution": "提升公共服务质量和群众满意度",
    "state_enterprise": "党建与生产经营深度融合",
    "private_enterprise": "引导企业守法经营、促进企业健康发展",
    "social_organization": "引领社会组织正确发展方向",
    "school": "落实立德树人根本任务",
    "hospital": "推动医德医风建设、改善就医体验",
    "other": "在本单位中心工作中发挥战斗堡垒作用",
}

NAMES = {
    "rural": "农村", "community": "社区", "agency": "机关", "public_institution": "事业单位",
    "state_enterprise": "国有企业", "private_enterprise": "非公有制企业", "social_organization": "社会组织",
    "school": "学校", "hospital": "医院", "other": "其他领域",
}  # fmt: skip


def items(field):
    # heading, title, points, evidence, fact key, threshold
    return [
        ("team", "支部书记在岗在位，支委会配备齐全、分工明确", 10, "checked", "", None),
        ("team", "支部书记年度述职、接受党员评议", 5, "checked", "", None),
        ("members", "党费按月足额交纳（交纳率不低于 95%）", 10, "computed", "records.dues_rate", Decimal(95)),
        (
            "members",
            "党员学习教育学时达标（达标率不低于 90%）",
            5,
            "computed",
            "standards.education_rate",
            Decimal(90),
        ),
        (
            "members",
            "民主评议党员按期开展并统计结束",
            10,
            "computed",
            "records.evaluation_done",
            Decimal(100),
        ),
        ("members", "党员档案、组织关系台账齐全准确", 5, "checked", "", None),
        (
            "life",
            "三会一课、主题党日、组织生活会全年达到频次要求",
            20,
            "computed",
            "records.org_life_rate",
            Decimal(100),
        ),
        ("life", "会议记录规范，照片、签到表等佐证齐全", 5, "checked", "", None),
        ("systems", "活动阵地规范：场所、标识、制度上墙", 10, "checked", "", None),
        ("systems", "发展党员程序规范、材料完整", 5, "checked", "", None),
        ("role", ROLE[field], 10, "checked", "", None),
        ("role", "党员承诺践诺、志愿服务常态开展", 5, "checked", "", None),
    ]


def seed(apps, schema_editor):
    Standard = apps.get_model("standards", "Standard")
    Level = apps.get_model("standards", "Level")
    Item = apps.get_model("standards", "Item")
    for field, name in NAMES.items():
        if Standard.objects.filter(field=field).exists():
            continue
        by_pass = field in ("private_enterprise", "social_organization")
        standard = Standard.objects.create(
            field=field, name=f"{name}党支部标准化规范化建设标准",
            below_label="未达标" if by_pass else "未定级", counted_rank=1 if by_pass else 3,
        )  # fmt: skip
        for rank, label, minimum in PASS if by_pass else STARS:
            Level.objects.create(standard=standard, rank=rank, label=label, min_score=minimum)
        for order, (heading, title, points, evidence, key, threshold) in enumerate(items(field), start=1):
            Item.objects.create(standard=standard, heading=heading, title=title, points=points, evidence=evidence,
                                fact_key=key, threshold=threshold, order=order)  # fmt: skip


def unseed(apps, schema_editor):
    apps.get_model("standards", "Standard").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
