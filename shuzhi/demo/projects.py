"""Demo data for the year's commitments: the city's round of declarations for this year, most
accepted, the quarters already due reported and rated by 督查办, a few units late."""

import random
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from shuzhi.accounts.models import User
from shuzhi.core.roles import Role
from shuzhi.cycles.models import Cycle
from shuzhi.orgs.models import Organization
from shuzhi.projects import rules, services
from shuzhi.projects.models import QUARTERS, Declaration, DeclaredItem, Progress, Project, Rating, Round

PROBLEMS = [
    ("村级后备干部储备不足，年龄结构老化", "党员队伍", "谈心谈话 46 人次，村干部平均年龄 54 岁"),
    ("党员教育管理方式单一，流动党员联系不紧", "党员队伍", "问卷 120 份，31% 的流动党员一年未参加组织生活"),
    ("部分村集体经济薄弱，服务群众能力不足", "服务群众", "调研 23 个村，7 个村集体经营性收入低于 10 万元"),
    ("党群服务中心使用率不高", "阵地建设", "实地查看 18 个中心，6 个日常闲置"),
    ("三会一课记录不规范，主题党日内容空泛", "制度落实", "上级督查抽查台账 40 本，12 本不规范"),
]
PROJECTS = [
    (
        "村级后备力量“育苗”工程",
        ["摸排后备人选建立名册", "集中培训一期并结对帮带", "到村岗位锻炼", "考察评估入库"],
        "每村储备后备干部2名",
    ),
    (
        "流动党员“红色驿站”",
        ["建立流动党员台账", "建成驿站3个", "开展线上组织生活", "总结评估"],
        "流动党员联系率100%",
    ),
    (
        "集体经济“强村富民”计划",
        ["确定帮扶村和项目", "项目落地开工", "产生收益", "收益分配公示"],
        "薄弱村收入全部超过10万元",
    ),
    (
        "党群服务中心“提质增效”",
        ["制定服务清单", "推行错时延时服务", "引入社会组织", "群众满意度测评"],
        "使用率提高到80%",
    ),
    (
        "组织生活“规范提升”行动",
        ["统一台账样式", "分片交叉检查", "示范主题党日观摩", "年终评比"],
        "台账规范率100%",
    ),
]
COMMENTS = {
    "好": "节点任务全部完成，数据翔实，佐证充分。",
    "较好": "按计划推进，个别指标略有滞后。",
    "一般": "推进偏慢，需加快节奏并补充佐证材料。",
    "差": "节点任务未完成，请限期整改。",
}


def demo_projects_ensure(*, root: Organization, seed: int = 2024) -> int:
    """The city's round for this year (its units and groups from this year's cycle): returns the
    units that declared. Done once."""
    today = timezone.localdate()
    organiser = User.objects.filter(username="organiser", organization=root).first()
    office = User.objects.filter(role=Role.SUPERVISOR, organization=root).first()
    if (
        organiser is None
        or office is None
        or not Cycle.objects.filter(organization=root, year=today.year).exists()
        or Round.objects.filter(organization=root, year=today.year).exists()
    ):
        return 0
    rng = random.Random(f"{seed}/projects/{today.year}")
    year = today.year
    with transaction.atomic():
        round_ = services.round_open(
            actor=organiser,
            year=year,
            title=f"{year}年度全市书记抓基层党建项目",
            declare_due=date(year, 1, 31),
            quarter_dues=[date(year, 4, 10), date(year, 7, 10), date(year, 10, 10), date(year + 1, 1, 10)],
            scheme=rules.DEFAULT_SCHEME,
        )
        declarations = list(round_.declarations.select_related("secretary", "organization"))
        for n, declaration in enumerate(declarations):
            if n % 9 == 8:  # a few units still have not declared: the late list
                continue
            actor = declaration.secretary
            problems = rng.sample(range(len(PROBLEMS)), 2)
            items = [
                services.item_add(
                    actor=actor,
                    declaration=declaration,
                    kind=DeclaredItem.Kind.PROBLEM,
                    text=PROBLEMS[i][0],
                    category=PROBLEMS[i][1],
                    evidence=PROBLEMS[i][2],
                )
                for i in problems
            ]
            services.item_add(
                actor=actor,
                declaration=declaration,
                kind=DeclaredItem.Kind.DUTY,
                text="落实基层党建述职评议考核和问题整改",
                target="问题整改销号率100%",
                owner=actor.full_name,
                due=date(year, 12, 31),
            )
            for item, index in zip(items, problems, strict=True):
                title, milestones, target = PROJECTS[index]
                services.project_save(
                    actor=actor,
                    declaration=declaration,
                    title=title,
                    problem=item,
                    goals=[{"goal": title.split("“")[0] or title, "target": target, "due": f"{year}-12-31"}],
                    milestones=milestones,
                    team="组织委员、党建指导员",
                    budget=rng.choice([None, 5, 10, 20]),
                )
            if n % 9 == 7:  # one waits for review
                continue
            services.declaration_submit(actor=actor, declaration=declaration)
            services.declaration_accept(actor=organiser, declaration=declaration)
            for project in declaration.projects.all():
                for quarter in QUARTERS:
                    if today <= round_.quarter_due(quarter) or (quarter == 3 and rng.random() < 0.15):
                        break
                    progress = services.progress_submit(
                        actor=actor,
                        project=project,
                        quarter=quarter,
                        done=f"{project.milestones[quarter - 1]}：已按节点完成，召开推进会 {rng.randint(1, 4)} 次。",
                        figures=f"覆盖党员 {rng.randint(20, 300)} 名",
                    )
                    if rng.random() < 0.85:  # most came in on time
                        Progress.objects.filter(pk=progress.pk).update(late=False)
                    label = rng.choices(["好", "较好", "一般", "差"], weights=[4, 4, 2, 1])[0]
                    services.rating_record(
                        actor=office,
                        progress=progress,
                        label=label,
                        comment=COMMENTS[label],
                        onsite="实地查看台账和现场",
                    )
        waiting = [d for n, d in enumerate(declarations) if n % 9 == 8]
        if waiting:  # a unit still declaring found its problems by a questionnaire first
            demo_survey_write(secretary=waiting[0].secretary, rng=rng)
        best = round_.declarations.filter(status="accepted").first()
        if best is not None:
            services.project_mark_exemplary(
                actor=organiser,
                project=best.projects.first(),
                exemplary=True,
                note="机制完备、成效可量化，可在全市推广",
            )
    return sum(1 for n in range(len(declarations)) if n % 9 != 8)


SURVEY_TEXTS = [
    "希望支部活动多结合村里实际，少开空会。",
    "村务公开栏更新不及时，希望线上也能看到。",
    "流动党员参加组织生活不方便，建议开展线上学习。",
    "建议多组织党员志愿服务，帮扶困难群众。",
    "年轻党员少，后备力量不足。",
]


def demo_survey_write(*, secretary: User, rng: random.Random) -> None:
    """The unit's questionnaire of the year, answered by 24 members with their codes and closed
    (its results and a finding ready to go into the problem list), and a second one still
    collecting answers by its open link."""
    from shuzhi.projects import surveys

    q = surveys.survey_create(
        actor=secretary, organization=secretary.organization, title="述职前党员群众满意度调查",
        intro="为查找本单位抓基层党建工作存在的问题，请如实填写，匿名作答。",
    )  # fmt: skip
    single = surveys.question_add(actor=secretary, questionnaire=q, kind="single",
                                  text="您对本单位党组织班子的总体评价", options="满意\n基本满意\n不满意")  # fmt: skip
    multiple = surveys.question_add(
        actor=secretary, questionnaire=q, kind="multiple", text="您认为当前最突出的问题（可多选）",
        options="组织生活不规范\n党员作用发挥不明显\n服务群众不到位\n村务公开不及时\n后备力量不足",
    )  # fmt: skip
    rating = surveys.question_add(actor=secretary, questionnaire=q, kind="rating", text="“三会一课”开展情况")
    text = surveys.question_add(
        actor=secretary, questionnaire=q, kind="text", text="您的意见建议", required=False
    )
    surveys.survey_publish(actor=secretary, questionnaire=q, codes=30)
    for token in list(q.codes.values_list("token", flat=True))[:24]:
        chosen = rng.sample(range(5), rng.choice([1, 1, 2]))
        surveys.survey_answer(questionnaire=q, token=token, submitted={
            single.pk: [str(rng.choices([0, 1, 2], weights=[5, 3, 2])[0])],
            multiple.pk: [str(i) for i in chosen],
            rating.pk: [str(rng.choices([2, 3, 4, 5], weights=[1, 3, 4, 2])[0])],
            text.pk: [rng.choice(SURVEY_TEXTS) if rng.random() < 0.5 else ""],
        })  # fmt: skip
    surveys.survey_close(actor=secretary, questionnaire=q)
    live = surveys.survey_create(actor=secretary, organization=secretary.organization,
                                 title="群众身边问题征集", audience="residents", mode="open")  # fmt: skip
    asked = surveys.question_add(
        actor=secretary, questionnaire=live, kind="text", text="您身边最希望解决的问题"
    )
    surveys.survey_publish(actor=secretary, questionnaire=live)
    for line in SURVEY_TEXTS[:3]:
        surveys.survey_answer(questionnaire=live, submitted={asked.pk: [line]})


def city_projects_write(*, root: Organization, year: int, units: int = 2000, seed: int = 1) -> int:
    """A benchmark's round at city scale, written in bulk (no audit, no notifications): the first
    `units` non-branch organisations under the root declare, two projects each, four quarters
    reported and rated. Returns the projects written; done once per root and year."""
    if Round.objects.filter(organization=root, year=year).exists():
        return 0
    rng = random.Random(f"{seed}/city-projects/{year}")
    organiser = User.objects.filter(organization=root, role=Role.ORGANISER).first()
    if organiser is None:
        organiser = User.objects.create(
            username=f"bench_projects_{root.code}",
            full_name="市委组织部",
            role=Role.ORGANISER,
            organization=root,
        )
    orgs = list(
        Organization.objects.filter(path__startswith=root.path, depth__gt=root.depth)
        .exclude(kind="branch")
        .order_by("path")[:units]
    )
    with transaction.atomic():
        secretaries = {
            u.organization_id: u for u in User.objects.filter(organization__in=orgs, role=Role.SECRETARY)
        }
        missing = [
            User(
                username=f"sec_p_{org.code}",
                full_name=f"{org.name}书记",
                role=Role.SECRETARY,
                organization=org,
                password=make_password(None),
            )
            for org in orgs
            if org.pk not in secretaries
        ]
        for user in User.objects.bulk_create(missing, batch_size=2000):
            secretaries[user.organization_id] = user
        round_ = Round.objects.create(
            organization=root,
            org_path=root.path,
            year=year,
            title=f"{year}年度全市书记抓基层党建项目",
            declare_due=date(year, 1, 31),
            q1_due=date(year, 4, 10),
            q2_due=date(year, 7, 10),
            q3_due=date(year, 10, 10),
            q4_due=date(year + 1, 1, 10),
            rating_scheme=rules.DEFAULT_SCHEME,
            created_by=organiser,
        )
        groups = ["县区", "市直机关", "国企", "高校"]
        declarations = Declaration.objects.bulk_create(
            [
                Declaration(
                    round=round_,
                    organization=org,
                    org_path=org.path,
                    secretary=secretaries[org.pk],
                    group=groups[n % 4],
                    status=Declaration.Status.ACCEPTED,
                    position=n,
                )
                for n, org in enumerate(orgs)
            ],
            batch_size=2000,
        )
        problems = DeclaredItem.objects.bulk_create(
            [
                DeclaredItem(
                    declaration=d,
                    kind=DeclaredItem.Kind.PROBLEM,
                    text=PROBLEMS[n % 5][0],
                    category=PROBLEMS[n % 5][1],
                    evidence=PROBLEMS[n % 5][2],
                )
                for n, d in enumerate(declarations)
            ],
            batch_size=2000,
        )
        projects = Project.objects.bulk_create(
            [
                Project(
                    declaration=d,
                    problem=p,
                    title=PROJECTS[(n + k) % 5][0],
                    milestones=PROJECTS[(n + k) % 5][1],
                    goals=[{"goal": "目标", "target": PROJECTS[(n + k) % 5][2], "due": f"{year}-12-31"}],
                )
                for n, (d, p) in enumerate(zip(declarations, problems, strict=True))
                for k in (0, 1)
            ],
            batch_size=4000,
        )
        by_id = {d.pk: d for d in declarations}
        progress = Progress.objects.bulk_create(
            [
                Progress(
                    project=p,
                    quarter=q,
                    done="按节点推进",
                    late=rng.random() < 0.1,
                    submitted_by=secretaries[by_id[p.declaration_id].organization_id],
                )
                for p in projects
                for q in QUARTERS
            ],
            batch_size=5000,
        )
        office = User.objects.filter(organization=root, role=Role.SUPERVISOR).first() or organiser
        scores = {str(s["label"]): s["score"] for s in rules.DEFAULT_SCHEME}
        labels = rng.choices(list(scores), weights=[4, 4, 2, 1], k=len(progress))
        Rating.objects.bulk_create(
            [
                Rating(progress=p, label=label, score=scores[label], comment=COMMENTS[label], rated_by=office)
                for p, label in zip(progress, labels, strict=True)
            ],
            batch_size=5000,
        )
    return len(projects)
