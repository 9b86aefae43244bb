"""Demo people on the 发展党员 path: a plan of dates that satisfies every step's rule, and a
bulk writer for the demo city and the generated ones (about 1% of members a year apply)."""

import random
from datetime import date, timedelta

from shuzhi.core.access import in_subtree
from shuzhi.core.protection import keyed_hash
from shuzhi.lifecycle import rules
from shuzhi.lifecycle.models import Applicant, Step, StepRecord
from shuzhi.members.models import ID_NUMBER_PURPOSE
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


def demo_pipeline_ensure(*, root: Organization, today: date, seed: int = 2024, share: float = 0.01) -> int:
    """People who applied over the last 18 months in the branches of `root` (share × members a
    year), each with the steps their plan has reached by `today`. Once per tree; returns how many."""
    if Applicant.objects.filter(in_subtree("org_path", root.path)).exists():
        return 0
    rng = random.Random(f"{seed}/pipeline")
    branches = list(
        Organization.objects.filter(
            in_subtree("path", root.path), kind=Organization.Kind.BRANCH, member_count__gt=0
        )
        .order_by("path")
        .values_list("id", "path", "member_count")
    )
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
