"""Demo people on the 发展党员 path: a plan of dates that satisfies every step's rule, and a
bulk writer for the demo city and the generated ones (about 1% of members a year apply)."""

import random
from datetime import date, timedelta

from django.utils import timezone

from shuzhi.core.access import in_subtree
from shuzhi.core.protection import keyed_hash
from shuzhi.lifecycle import rules, services
from shuzhi.lifecycle.models import (
    Applicant,
    Attendance,
    Audience,
    Course,
    Departure,
    Exam,
    Plan,
    Question,
    QuestionBank,
    Sitting,
    Step,
    StepRecord,
    Transfer,
)
from shuzhi.lifecycle.training import code_hash
from shuzhi.members.models import ID_NUMBER_PURPOSE, Member
from shuzhi.members.rules import id_check_character
from shuzhi.orgs.models import Organization

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
REGION = "459901"  # applicants of the demo come from one county of another province: no clash with members
BATCH = 5000
# a demo path stops before the higher committee's approval: admitting someone writes a Member row
BULK_LAST = "committee_talk"


def path_plan(applied_on: date) -> dict[str, rules.StepEntry]:
    """Dates for every step from an application on `applied_on` on, each within its rule."""
    add = rules.add_months
    a = applied_on
    t = a + timedelta(days=60)  # 确定为积极分子
    r1 = add(t, 6) + timedelta(days=3)
    r2 = add(r1, 6) + timedelta(days=3)
    c = r2 + timedelta(days=10)  # 确定为发展对象, a year and more after t
    d = c + timedelta(days=75)  # 支部大会
    e = add(d, 12) + timedelta(days=5)  # 支部大会讨论转正
    entry = rules.StepEntry
    return {
        "apply": entry(a), "talk": entry(a + timedelta(days=10)), "recommend": entry(a + timedelta(days=40)),
        "activist": entry(t), "activist_filed": entry(t + timedelta(days=7)),
        "contacts": entry(t + timedelta(days=7), people=("王建国", "李秀英")),
        "review1": entry(r1), "review2": entry(r2), "hearing": entry(r2 + timedelta(days=2)),
        "candidate": entry(c), "candidate_filed": entry(c + timedelta(days=5)),
        "sponsors": entry(c + timedelta(days=7), people=("王建国", "赵志刚")), "vetting": entry(c + timedelta(days=30)),
        "training": entry(c + timedelta(days=40), until=c + timedelta(days=42), hours=24),
        "precheck": entry(c + timedelta(days=50)), "prereview": entry(c + timedelta(days=55)),
        "publicity": entry(c + timedelta(days=60), until=c + timedelta(days=68)),
        "form": entry(c + timedelta(days=70)), "admission": entry(d),
        "committee_talk": entry(d + timedelta(days=20)), "approval": entry(d + timedelta(days=40)),
        "oath": entry(d + timedelta(days=45)), "probation_review": entry(d + timedelta(days=200)),
        "conversion_request": entry(add(d, 11) + timedelta(days=5)), "conversion_meeting": entry(e),
        "conversion_approval": entry(e + timedelta(days=20)),
    }  # fmt: skip


def _branches_with_members(root: Organization):
    """The branches of `root`'s tree that have members, in tree order."""
    return Organization.objects.filter(
        in_subtree("path", root.path), kind=Organization.Kind.BRANCH, member_count__gt=0
    ).order_by("path")


def demo_pipeline_ensure(*, root: Organization, today: date, seed: int = 2024, share: float = 0.01) -> int:
    """People who applied over the last 18 months in the branches of `root` (share × members a
    year), each with the steps their plan has reached by `today`. Once per tree; returns how many."""
    if Applicant.objects.filter(in_subtree("org_path", root.path)).exists():
        return 0
    rng = random.Random(f"{seed}/pipeline")
    branches = list(_branches_with_members(root).values_list("id", "path", "member_count"))
    if not branches:
        return 0
    members = sum(row[2] for row in branches)
    count = max(1, round(members * share * 1.5))
    steps = {step.code: step for step in Step.objects.order_by("order")}
    all_rules = [step.as_rule() for step in steps.values()]
    last_order = steps[BULK_LAST].order
    serial: dict[tuple[date, str], int] = {}
    people: list[tuple[Applicant, dict[str, rules.StepEntry]]] = []
    for org_id, path, _n in rng.choices(branches, weights=[row[2] for row in branches], k=count):
        applied = today - timedelta(days=rng.randrange(1, 540))
        gender = "F" if rng.random() < 0.45 else "M"
        birth = applied - timedelta(days=365 * rng.randrange(19, 40) + rng.randrange(365))
        key = (birth, gender)
        n = serial.get(key, 0)
        serial[key] = n + 1
        body = f"{REGION}{birth:%Y%m%d}{n * 2 + (1 if gender == 'M' else 0):03d}"
        number = body + id_check_character(body)
        digest = keyed_hash(number, purpose=ID_NUMBER_PURPOSE)
        plan = {code: e for code, e in path_plan(applied).items()
                if e.done_on <= today and steps[code].order <= last_order}  # fmt: skip
        done = {code: e.done_on for code, e in plan.items()}
        upcoming = rules.next_rule(all_rules, done)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        person = Applicant(
            name=name, gender=gender, birth_date=birth, id_number=number, id_number_hash=digest,
            phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}", education=rng.choice(
                ["high_school", "college", "bachelor", "bachelor", "postgraduate"]),
            category=rng.choice(["farmer", "employed", "employed", "student"]), organization_id=org_id, org_path=path,
            stage=rules.stage_of(all_rules, done), next_step=steps[upcoming.code] if upcoming else None,
            next_earliest=rules.earliest_of(upcoming, done) if upcoming else None,
            next_deadline=rules.deadline_of(upcoming, done) if upcoming else None,
            applied_on=applied, last_done_on=max(done.values()),
        )  # fmt: skip
        people.append((person, plan))
    Applicant.objects.bulk_create([p for p, _plan in people], batch_size=BATCH)
    records = [
        StepRecord(applicant=person, step=steps[code], done_on=e.done_on, until=e.until, hours=e.hours,
                   people="、".join(e.people))
        for person, plan in people for code, e in plan.items()
    ]  # fmt: skip
    StepRecord.objects.bulk_create(records, batch_size=BATCH)
    return len(people)


# Training and the test online, the year's plan ----------------------------------------------------

S, M, J = "single", "multiple", "judge"
DEMO_QUESTIONS = [
    (S, "申请入党的人，应当年满多少周岁？", ["十六周岁", "十八周岁", "二十周岁", "二十二周岁"], "B"),
    (S, "党组织收到入党申请书后，应当在多长时间内派人同入党申请人谈话？", ["一周", "半个月", "一个月", "三个月"], "C"),
    (S, "入党积极分子经过多长时间以上的培养教育和考察，方可列为发展对象？", ["半年", "一年", "两年", "三年"], "B"),
    (S, "对入党积极分子的培养考察，党支部每隔多长时间进行一次考察？", ["一个月", "三个月", "半年", "一年"], "C"),
    (S, "发展对象入党前须经过集中培训，时间一般不少于？", ["1天或8个学时", "3天或24个学时", "5天或40个学时", "7天或56个学时"], "B"),
    (S, "发展对象确定后，公示时间为多少个工作日？", ["3个", "5个", "7个", "10个"], "B"),
    (S, "上级党委对支部大会通过接收的预备党员，应在多长时间内审批？", ["一个月", "两个月", "三个月", "六个月"], "C"),
    (S, "预备党员的预备期为？", ["半年", "一年", "两年", "三年"], "B"),
    (S, "预备党员的党龄，从何时算起？", ["递交入党申请书之日", "支部大会通过之日", "预备期满转为正式党员之日", "入党宣誓之日"], "C"),
    (S, "“三会一课”中的“一课”是指？", ["党课", "业务课", "法制课", "形势政策课"], "A"),
    (S, "支部党员大会一般每季度召开几次？", ["一次", "两次", "三次", "每月一次"], "A"),
    (S, "入党介绍人一般由几名正式党员担任？", ["一名", "两名", "三名", "四名"], "B"),
    (S, "流动党员的日常管理主要由谁负责？", ["流出地党组织", "流入地党组织", "本人自行", "县委组织部"], "B"),
    (S, "新党员入党后，本市实行几年跟踪考察制度？", ["一年", "两年", "三年", "五年"], "C"),
    (M, "发展党员工作应当贯彻的方针包括？", ["坚持标准", "保证质量", "改善结构", "慎重发展"], "ABCD"),
    (M, "发展对象的政治审查，主要内容包括？", ["对党的理论和路线、方针、政策的态度", "政治历史和在重大政治斗争中的表现", "遵纪守法和遵守社会公德情况", "个人收入情况"], "ABC"),
    (M, "入党积极分子可通过哪些方式产生？", ["党员推荐", "群团组织推优", "本人自荐后直接确定", "上级指定"], "AB"),
    (M, "“三会一课”包括？", ["支部党员大会", "支部委员会", "党小组会", "按时上好党课"], "ABCD"),
    (M, "流动党员管理中，流出地党组织应当做到？", ["跟踪管理", "掌握去向和联系方式", "发放流动党员活动证", "取消其党籍"], "ABC"),
    (M, "在职党员到社区报到后，可以参加的服务有？", ["志愿服务", "结对帮扶", "政策宣传", "代替社区干部签字"], "ABC"),
    (M, "支部大会讨论接收预备党员时，应当？", ["发展对象汇报对党的认识和入党动机", "入党介绍人介绍情况", "党支部报告审查情况", "采取无记名投票表决"], "ABCD"),
    (M, "发展党员要注重从哪些群体中发展？", ["产业工人", "青年农民", "高知识群体", "非公有制经济组织和社会组织"], "ABCD"),
    (J, "入党申请人必须以书面形式向工作、学习所在单位的党组织提出入党申请。", None, "A"),
    (J, "发展对象未经培训的，除个别特殊情况外，不能发展入党。", None, "A"),
    (J, "预备党员在预备期间不具有表决权、选举权和被选举权。", None, "A"),
    (J, "支部大会讨论两个以上发展对象入党时，可以一并表决。", None, "B"),
    (J, "超过三个月上级党委未审批的，可以直接视为批准。", None, "B"),
    (J, "党员领导干部应当以普通党员身份参加所在党支部的组织生活。", None, "A"),
    (J, "流动党员外出期间可以不参加任何党组织的活动。", None, "B"),
    (J, "党员应当按月交纳党费。", None, "A"),
]  # fmt: skip


def demo_training_ensure(*, root: Organization, year: int, actor) -> int:
    """The city's bank (about 30 questions), a course, the 发展对象 test passed by one demo person
    at that stage, and this year's plan for each county. Once per tree; returns the questions written."""
    if actor is None or QuestionBank.objects.filter(org_path=root.path).exists():
        return 0
    bank = QuestionBank.objects.create(organization=root, org_path=root.path, title="发展党员应知应会题库")
    questions = Question.objects.bulk_create(
        [Question(bank=bank, kind=kind, text=text, options=list(options or rules.JUDGE_OPTIONS), answer=answer,
                  points=2 if kind == M else 1) for kind, text, options, answer in DEMO_QUESTIONS]
    )  # fmt: skip
    course = Course.objects.create(organization=root, org_path=root.path, title="发展对象入党前集中培训（党章党规、党的基本知识）",
                                   hours=24, audience=Audience.CANDIDATE, recorded_by=actor)  # fmt: skip
    exam = Exam.objects.create(organization=root, org_path=root.path, bank=bank, title="发展对象入党前知识测试",
                               audience=Audience.CANDIDATE, single_count=10, multiple_count=5, judge_count=5,
                               pass_percent=60, max_attempts=3)  # fmt: skip
    person = (
        Applicant.objects.filter(in_subtree("org_path", root.path), stage="candidate", state="active")
        .order_by("applied_on", "id")
        .first()
    )
    if person is not None:
        paper = [q.pk for q in questions if q.kind == S][:10] + [q.pk for q in questions if q.kind == M][:5]
        paper += [q.pk for q in questions if q.kind == J][:5]
        by_id = {q.pk: q for q in questions}
        answers = {str(pk): by_id[pk].answer for pk in paper}
        answers[str(paper[0])] = "A"  # one slip
        total = sum(by_id[pk].points for pk in paper)
        now = timezone.now()
        Sitting.objects.create(exam=exam, applicant=person, org_path=person.org_path, number=1, code_hash=code_hash("DEMO2345"),
                               paper=paper, answers=answers, expires_at=now, started_at=now, submitted_at=now,
                               score=total - 1, total=total, passed=True, issued_by=actor)  # fmt: skip
        Attendance.objects.create(course=course, applicant=person, attended_on=min(person.last_done_on, now.date()),
                                  recorded_by=actor)  # fmt: skip
    counties = Organization.objects.filter(in_subtree("path", root.path), depth=root.depth + 1)
    Plan.objects.bulk_create(
        [Plan(organization=c, org_path=c.path, year=year, total=max(2, c.member_count // 100),
              young=max(1, c.member_count // 250), women=max(1, c.member_count // 300),
              frontline=max(1, c.member_count // 400), set_by=actor) for c in counties],
        ignore_conflicts=True,
    )  # fmt: skip
    return len(questions)


# 组织关系转接 ------------------------------------------------------------------------------------

TRANSFER_REASONS = ["工作调动", "工作调动", "迁居", "升学", "退休后随子女居住", "单位改制"]


def demo_transfers_ensure(*, root: Organization, today: date, actor, seed: int = 2024, share: float = 0.003,
                          focus: Organization | None = None) -> int:  # fmt: skip
    """Relationship transfers between the branches of a county, about `share` of the members over
    the last two years: most received and reported (the member is on the receiving roster now), some
    received and not yet reported, some sent within the last days and waiting for the receiving
    branch. With `focus`, one transfer waits for that branch and one into it is done, so its
    keepers see both. Once per tree; returns how many."""
    if actor is None or Transfer.objects.filter(in_subtree("from_path", root.path)).exists():
        return 0
    rng = random.Random(f"{seed}/transfers")
    branches = list(_branches_with_members(root).values_list("id", "path"))
    if len(branches) < 2:
        return 0
    county_width = len(root.path) + Organization.steplen
    by_county: dict[str, list[tuple[int, str]]] = {}
    for row in branches:
        by_county.setdefault(row[1][:county_width], []).append(row)
    members = list(
        Member.objects.filter(in_subtree("org_path", root.path), left_on__isnull=True)
        .order_by("id")
        .values_list("id", "organization_id", "org_path", "joined_on")
    )
    count = min(len(members), max(2, round(len(members) * share)))
    picked = rng.sample(members, count)
    if focus is not None:
        ours = [m for m in members if m[1] == focus.pk]
        others = [m for m in members if m[1] != focus.pk and m[3] < today - timedelta(days=60)]
        if ours and others:
            chosen = {ours[0][0], others[0][0]}
            picked = [ours[0], others[0], *(m for m in picked if m[0] not in chosen)]

    def elsewhere(path: str) -> tuple[int, str]:
        near = [b for b in by_county.get(path[:county_width], []) if b[1] != path]
        return rng.choice(near or [b for b in branches if b[1] != path])

    rows: list[Transfer] = []
    for index, (member_id, org_id, path, joined_on) in enumerate(picked):
        kind = rng.random()
        if focus is not None and index < 2:
            kind = 0.0 if index == 0 else 0.99  # ours: came in and reported; the other: waiting for us
        if kind < 0.85:  # done (or, one in six of them, received and not yet reported): now on `path`
            sent = today - timedelta(days=rng.randrange(20, 720))
            if sent <= joined_on:
                continue
            source = elsewhere(path)
            received = sent + timedelta(days=rng.randrange(1, 20))
            reported = kind < 0.7
            rows.append(Transfer(
                member_id=member_id, from_org_id=source[0], from_path=source[1], to_org_id=org_id, to_path=path,
                reason=rng.choice(TRANSFER_REASONS), sent_on=sent, valid_until=sent + timedelta(days=rules.LETTER_VALID_DAYS),
                received_on=received, confirmed_on=min(today, received + timedelta(days=rng.randrange(0, 10))) if reported else None,
                status=Transfer.Status.CONFIRMED if reported else Transfer.Status.RECEIVED, sent_by=actor,
            ))  # fmt: skip
        else:  # sent in the last days, waiting for the receiving branch
            sent = today - timedelta(days=rng.randrange(0, 20))
            if sent <= joined_on:
                continue
            target = (focus.pk, focus.path) if focus is not None and index == 1 else elsewhere(path)
            rows.append(Transfer(
                member_id=member_id, from_org_id=org_id, from_path=path, to_org_id=target[0], to_path=target[1],
                reason=rng.choice(TRANSFER_REASONS), sent_on=sent,
                valid_until=sent + timedelta(days=rules.LETTER_VALID_DAYS), status=Transfer.Status.SENT, sent_by=actor,
            ))  # fmt: skip
    serial: dict[int, int] = {}
    for transfer in sorted(rows, key=lambda t: (t.sent_on, t.member_id)):
        serial[transfer.sent_on.year] = serial.get(transfer.sent_on.year, 0) + 1
        transfer.letter_number = f"{transfer.sent_on.year}-{serial[transfer.sent_on.year]:06d}"
    Transfer.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


# 党员减少 --------------------------------------------------------------------------------------------

LEAVINGS = [  # (kind, note, weight): mostly deaths and transfers out of the platform, now and then 退党
    (Departure.Kind.DIED, "因病去世", 6),
    (Departure.Kind.TRANSFERRED_OUT, "组织关系转往外省", 3),
    (Departure.Kind.QUIT, "本人申请退党，经支部大会讨论同意", 1),
]


def demo_departures_ensure(
    *, root: Organization, today: date, actor, seed: int = 2024, share: float = 0.004
) -> int:
    """Members who left over the last five years (死亡, 转出, 退党), about `share` of them, recorded
    through the service like a branch would (audited, counters recounted); never one with an
    account or a transfer. Once per tree; returns how many."""
    if actor is None or Departure.objects.filter(in_subtree("org_path", root.path)).exists():
        return 0
    rng = random.Random(f"{seed}/departures")
    members = list(
        Member.objects.filter(in_subtree("org_path", root.path), left_on__isnull=True, account__isnull=True)
        .exclude(pk__in=Transfer.objects.values("member_id"))
        .order_by("id")
    )
    picked = rng.sample(members, min(len(members), max(3, round(len(members) * share))))
    kinds = [kind for kind, _note, _weight in LEAVINGS]
    notes = {kind: note for kind, note, _weight in LEAVINGS}
    written = 0
    for member in picked:
        earliest = max(member.joined_on + timedelta(days=1), today - timedelta(days=5 * 365))
        if earliest > today:
            continue
        left_on = earliest + timedelta(days=rng.randrange((today - earliest).days + 1))
        kind = rng.choices(kinds, weights=[w for _kind, _note, w in LEAVINGS])[0]
        services.departure_record(actor=actor, member=member, kind=kind, left_on=left_on, note=notes[kind])
        written += 1
    return written


def city_organiser(root: Organization):
    """The organiser of the city's 组织部 who signs what a generated city's bulk rows need signed."""
    from shuzhi.accounts.models import User
    from shuzhi.core.roles import Role

    found = User.objects.filter(role=Role.ORGANISER, organization=root).order_by("id").first()
    return found or User.objects.create(username="city_lifecycle_organiser", role=Role.ORGANISER,
                                        organization=root, full_name="市委组织部")  # fmt: skip
