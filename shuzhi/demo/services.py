import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuzhi.accounts.models import User
from shuzhi.accounts.services import generate_password
from shuzhi.core.access import in_subtree
from shuzhi.core.dates import MonthDate
from shuzhi.core.roles import Role
from shuzhi.core.services import audit_record
from shuzhi.cycles.models import Cycle
from shuzhi.cycles.services import cycle_advance, cycle_create, reporters_add
from shuzhi.demo.generator import CityGenerator, OrgSpec
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.reports.models import Report
from shuzhi.reports.services import report_item_add, report_save

MEMBER_BATCH = 5000


@dataclass(frozen=True)
class CityStats:
    organizations: int
    members: int
    root: Organization


@transaction.atomic
def city_write(*, generator: CityGenerator, progress=None) -> CityStats:
    """Write a generated city into an empty tree in one transaction, in bulk."""
    if Organization.objects.exists():
        raise ValueError("the organisation tree is not empty")
    specs = generator.organizations()
    orgs = [
        Organization(
            path=spec.path,
            depth=spec.depth,
            numchild=len(spec.children),
            name=spec.name,
            code=spec.code,
            kind=spec.kind,
            level=spec.level,
            field=spec.field,
        )
        for spec in specs
    ]
    Organization.objects.bulk_create(orgs, batch_size=2000)
    by_code = {org.code: org for org in orgs}

    candidates: dict[str, list[int]] = {}  # branch code → first member ids, for secretaries
    batch: list[Member] = []
    written = 0

    def flush() -> None:
        nonlocal written
        Member.objects.bulk_create(batch, batch_size=MEMBER_BATCH)
        for member in batch:
            ids = candidates.setdefault(member.organization.code, [])
            if len(ids) < 3:
                ids.append(member.pk)
        written += len(batch)
        batch.clear()
        if progress:
            progress(written, generator.target_members)

    for spec in specs:
        if not spec.is_branch:
            continue
        org = by_code[spec.code]
        for m in generator.members_for(spec):
            member = Member(
                name=m.name,
                gender=m.gender,
                ethnicity=m.ethnicity,
                birth_date=m.birth_date,
                education=m.education,
                joined_on=m.joined_on,
                full_member_on=m.full_member_on,
                status=m.status,
                category=m.category,
                organization=org,
                org_path=org.path,
            )
            if m.joined_on.year < 1985:  # old rosters often kept only the month of joining
                member.set_dates(
                    joined=MonthDate(m.joined_on.year, m.joined_on.month), full_member=m.full_member_on
                )
            member.set_id_number(m.id_number)
            member.set_phone(m.phone)
            batch.append(member)
            if len(batch) >= MEMBER_BATCH:
                flush()
    if batch:
        flush()

    _assign_secretaries(generator, specs, by_code, candidates)
    _sum_subtrees(specs, by_code)
    Organization.objects.bulk_update(
        orgs,
        [
            "member_count",
            "probationary_count",
            "total_members",
            "total_probationary",
            "total_organizations",
            "secretary",
            "secretary_since",
        ],
        batch_size=2000,
    )
    root = orgs[0]
    audit_record(
        actor=None,
        action="demo.generate_city",
        target=root,
        org_path=root.path,
        extra={"organizations": len(orgs), "members": written, "seed": generator.seed},
    )
    return CityStats(organizations=len(orgs), members=written, root=root)


def _assign_secretaries(generator, specs: list[OrgSpec], by_code, candidates: dict[str, list[int]]) -> None:
    rng = generator.rng
    used: set[int] = set()
    for spec in specs:
        org = by_code[spec.code]
        org.member_count = spec.member_count
        org.probationary_count = spec.probationary_count
    # deepest first, so that a branch keeps its own first member and committees above take others
    for spec in sorted(specs, key=lambda s: -s.depth):
        org = by_code[spec.code]
        if spec.is_branch and rng.random() < 0.02:
            continue  # a vacant post, as real cities have
        chosen = None
        for branch in _branches_under(spec):
            for member_id in candidates.get(branch.code, []):
                if member_id not in used:
                    chosen = member_id
                    break
            if chosen is not None:
                break
        if chosen is not None:
            used.add(chosen)
            org.secretary_id = chosen
            org.secretary_since = generator.as_of - timedelta(days=rng.randrange(30, 3000))


def _sum_subtrees(specs: list[OrgSpec], by_code) -> None:
    """Subtree totals, children before parents (specs are in tree order, so walk it backwards)."""
    for spec in reversed(specs):
        org = by_code[spec.code]
        org.total_members = spec.member_count + sum(by_code[c.code].total_members for c in spec.children)
        org.total_probationary = spec.probationary_count + sum(
            by_code[c.code].total_probationary for c in spec.children
        )
        org.total_organizations = 1 + sum(by_code[c.code].total_organizations for c in spec.children)


def _branches_under(spec: OrgSpec):
    stack = [spec]
    while stack:
        node = stack.pop()
        if node.is_branch:
            yield node
        stack.extend(reversed(node.children))


DEMO_ACCOUNTS = [
    # username, name, role, where (root / county / village branch), linked member
    ("admin", "系统管理员", Role.SYSTEM_ADMIN, "root", False),
    ("security", "安全管理员", Role.SECURITY_ADMIN, "root", False),
    ("auditor", "安全审计员", Role.AUDITOR, "root", False),
    ("organiser", "市委组织部", Role.ORGANISER, "root", False),
    ("county_organiser", "区委组织部", Role.ORGANISER, "county", False),
    ("secretary", "", Role.SECRETARY, "county", True),
    ("reviewer", "评议代表", Role.REVIEWER, "root", False),
    ("member", "", Role.MEMBER, "branch", True),
    ("clerk", "组织委员", Role.CLERK, "branch", False),  # keeps the member's branch's records
    ("supervisor", "市委督查办", Role.SUPERVISOR, "root", False),  # rates the 书记领办项目 each quarter
]


def demo_accounts_ensure(*, root: Organization, logins_file: Path | None = None) -> list[dict[str, str]]:
    """Create the demo accounts that are missing; return every demo login with its password.

    Passwords are generated on this machine and kept in a file outside git; an account whose
    password is not in the file gets a new one.
    """
    path = Path(logins_file or settings.DEMO_LOGINS_FILE)
    stored = json.loads(path.read_text()) if path.exists() else {}
    county = Organization.objects.filter(
        in_subtree("path", root.path), depth=root.depth + 1, level="county"
    ).first()
    branch = (
        Organization.objects.filter(
            in_subtree("path", county.path), kind="branch", member_count__gt=0
        ).first()
        if county
        else None
    )
    places = {"root": root, "county": county or root, "branch": branch or root}
    logins = []
    with transaction.atomic():
        for username, name, role, where, linked in DEMO_ACCOUNTS:
            org = places[where]
            user = User.objects.filter(username=username).first()
            if user is None:
                member = None
                if linked and role == Role.SECRETARY:
                    member = org.secretary
                elif linked:
                    # someone in the branch who holds no account and no county post
                    member = (
                        Member.objects.filter(org_path=org.path, account__isnull=True)
                        .exclude(pk=places["county"].secretary_id)
                        .first()
                    )
                user = User(username=username, role=role, organization=org, member=member)
            member = user.member
            user.full_name = name or (member.name if member else username)
            password = stored.get(username)
            if password is None or not user.check_password(password):
                password = generate_password()
                user.set_password(password)
            user.full_clean()
            user.save()
            stored[username] = password
            logins.append(
                {
                    "username": username,
                    "password": password,
                    "role": str(Role(role).label),
                    "organization": org.name,
                }
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(stored, handle, ensure_ascii=False, indent=1)
    return logins


GROUP_BY_FIELD = {"state_enterprise": "国企", "school": "高校"}


def demo_cycle_ensure(*, root: Organization) -> Cycle | None:
    """This year's city cycle, open for reports: every unit directly under the city reports (the
    counties in 县区, the others by field); units with no secretary account get one that cannot
    log in. The demo secretary's report is begun. Done once."""
    organiser = User.objects.filter(username="organiser", organization=root).first()
    if organiser is None or Cycle.objects.filter(organization=root).exists():
        return None
    today = timezone.localdate()
    units = list(
        Organization.objects.filter(in_subtree("path", root.path), depth=root.depth + 1).order_by("path")
    )
    with transaction.atomic():
        staffed = set(
            User.objects.filter(organization__in=units, role=Role.SECRETARY).values_list(
                "organization_id", flat=True
            )
        )
        for unit in units:
            if unit.pk not in staffed:
                user = User(username=f"sec_{unit.code}", full_name=unit.secretary.name if unit.secretary_id else f"{unit.name}书记",
                            role=Role.SECRETARY, organization=unit)  # fmt: skip
                user.set_unusable_password()
                user.save()
        cycle = cycle_create(
            actor=organiser, year=today.year, title=f"{today.year}年度全市抓基层党建工作述职评议考核",
            groups=["县区", "市直机关", "国企", "高校"], report_due=today + timedelta(days=20),
            meeting_on=today + timedelta(days=30),
        )  # fmt: skip
        by_group: dict[str, list[Organization]] = {}
        for unit in units:
            group = "县区" if unit.level == "county" else GROUP_BY_FIELD.get(unit.field, "市直机关")
            by_group.setdefault(group, []).append(unit)
        for group in cycle.groups:
            if by_group.get(group):
                mode = "onsite" if group == "县区" else "written"
                reporters_add(
                    actor=organiser, cycle=cycle, organizations=by_group[group], group=group, mode=mode
                )
        cycle = cycle_advance(actor=organiser, cycle=cycle)
        report = Report.objects.filter(
            reporter__cycle=cycle, reporter__secretary__username="secretary"
        ).first()
        if report is not None:
            writer = report.reporter.secretary
            report_save(actor=writer, report=report, sections={
                "duty": "坚持把抓基层党建作为最大政绩，区委常委会专题研究党建工作6次，制定书记抓党建项目清单。",
                "personal": "带头讲专题党课3次，走访镇村党组织28个，领办基层党建难题4项。",
            })  # fmt: skip
            report_item_add(actor=writer, report=report, kind="problem", text="村级后备干部储备不足，结构不够合理",
                            category="队伍建设", severity="moderate")  # fmt: skip
    return cycle


# A page of a website that reposts duty reports, as organisers find them: traditional characters,
# pinyin after some words, the site's disclaimer. One demo report copies a passage of it.
DEMO_TEMPLATE = (
    "導語:鄉鎮黨委書記抓基層黨建工作述職報告一文來源於網友上傳,不代表本站觀點,歡迎參考。\n"
    "今年以來,我鎮堅持把抓基層黨建作爲第一責(zé)任,建立書記抓、抓書記的工作機制,"
    "全鎮二十三個村全部建成標準化黨群服務中心,每(měi)個村配備專職黨務工作者一名,"
    "推行“支部+合作社+農戶”模式,帶動村集體經濟收入全部超過十萬元,"
    "其中五個村超過五十萬元,群眾滿意度由百分之八十二提高到百分之九十五。\n"
    "聲明:本文僅代表作者個人觀點,與本網無關。"
)


def _short(name: str) -> str:
    """中共云州市东湖区委员会 → 东湖区, as a report names its own unit."""
    for part in ("中共", "云州市", "委员会", "工作委员会"):
        name = name.replace(part, "")
    return name or "本单位"


def demo_texts_ensure(*, cycle: Cycle | None) -> int:
    """Give the demo cycle's reports text, with a planted copy or two, and last year's archived
    cycle to copy from; a template text in the organiser's corpus; then check them all. Done once
    (when the cycle is new). Returns how many reports were written."""
    import random
    import re

    from shuzhi.analytics.models import TemplateText
    from shuzhi.analytics.normalise import normalise
    from shuzhi.analytics.services import checks_refresh
    from shuzhi.cycles.models import Reporter
    from shuzhi.demo.generator import ReportWriter, plant
    from shuzhi.reports.models import Report

    if cycle is None:
        return 0
    rng = random.Random(cycle.year)
    writer = ReportWriter(seed=cycle.year)
    organiser = cycle.created_by
    reporters = list(cycle.reporters.select_related("organization", "secretary").order_by("position"))
    with transaction.atomic():
        last_year = Cycle.objects.create(
            organization=cycle.organization, org_path=cycle.org_path, year=cycle.year - 1,
            title=f"{cycle.year - 1}年度全市抓基层党建工作述职评议考核", status=Cycle.Status.ARCHIVED,
            groups=cycle.groups, report_due=cycle.report_due - timedelta(days=365),
            meeting_on=cycle.meeting_on - timedelta(days=365), created_by=organiser,
        )  # fmt: skip
        old = {}
        for reporter in reporters:
            past = Reporter.objects.create(cycle=last_year, organization=reporter.organization,
                                           secretary=reporter.secretary, group=reporter.group, mode=reporter.mode,
                                           position=reporter.position)  # fmt: skip
            sections = writer.report(reporter.position, last_year.year, _short(reporter.organization.name))
            old[reporter.pk] = Report.objects.create(
                reporter=past, status=Report.Status.ACCEPTED, sections=sections
            )
        TemplateText.objects.create(
            organization=cycle.organization, org_path=cycle.org_path, title="网上流传的乡镇党委书记述职报告",
            original_name="述职报告范文.txt", kind="txt", sha256="demo", text=DEMO_TEMPLATE, uploaded_by=organiser,
        )  # fmt: skip
        written = 0
        for n, reporter in enumerate(reporters[:8]):
            report = Report.objects.get(reporter=reporter)
            sections = writer.report(reporter.position, cycle.year, _short(reporter.organization.name))
            if reporter.secretary.username == "secretary":
                sections = {**sections, **report.sections}  # what the demo secretary has begun stays
                # last year's own report, pasted again
                sections["achievements"] = plant(
                    sections["achievements"], old[reporter.pk].sections["achievements"][:160] + "。", rng
                )
            elif n == 1:
                # copied from the site, converted to simplified characters and the pinyin dropped
                passage = normalise(DEMO_TEMPLATE).folded.split("\n")[1]
                sections["achievements"] = plant(
                    sections["achievements"], re.sub(r"\([a-zǎěǐǒǔāēīōūáéíóúàèìòù]+\)", "", passage), rng
                )
            elif n == 2:
                # another unit's report of last year
                other = old[reporters[3].pk].sections["duty"]
                sections["duty"] = plant(sections["duty"], other[6:150] + "。", rng)
            Report.objects.filter(pk=report.pk).update(
                sections=sections, status=Report.Status.DRAFT, updated_at=timezone.now()
            )
            written += 1
    checks_refresh()
    return written


RECORD_BATCH = 5000
PRESENT_SHARE = 0.86


def demo_records_ensure(
    *, root: Organization, year: int, until, seed: int = 2024, attendance: bool = True, progress=None
) -> int:
    """A year of organisational life for every branch of the tree (up to `until`), with the
    roster's attendance when `attendance` (city scale: counts only), and the branches'
    completion judged. Done once per year; returns the records written."""  # fmt: skip
    import random

    from shuzhi.demo.generator import ABSENCES, RecordsPlan
    from shuzhi.records.models import Attendance, Meeting
    from shuzhi.records.services import completions_rebuild

    branches = Organization.objects.filter(in_subtree("path", root.path), kind=Organization.Kind.BRANCH)
    if Meeting.objects.filter(in_subtree("org_path", root.path), held_on__year=year).exists():
        return 0
    plan = RecordsPlan(seed=seed)
    rng = random.Random(f"{seed}/attendance/{year}")
    roster: dict[str, list[int]] = {}
    if attendance:
        for org_path, member_id in (
            Member.objects.filter(in_subtree("org_path", root.path))
            .values_list("org_path", "id")
            .order_by("org_path", "id")
        ):
            roster.setdefault(org_path, []).append(member_id)
    secretaries = dict(
        Organization.objects.filter(in_subtree("path", root.path), kind=Organization.Kind.BRANCH,
                                    secretary__isnull=False).values_list("id", "secretary__name")
    )  # fmt: skip
    written = 0
    meetings: list[Meeting] = []
    marks: list[list[tuple[int, bool, str]]] = []

    def flush() -> None:
        nonlocal written
        Meeting.objects.bulk_create(meetings, batch_size=RECORD_BATCH)
        if attendance:
            Attendance.objects.bulk_create(
                (Attendance(meeting_id=m.pk, member_id=member_id, present=present, absence=absence)
                 for m, rows in zip(meetings, marks, strict=True) for member_id, present, absence in rows),
                batch_size=RECORD_BATCH,
            )  # fmt: skip
        written += len(meetings)
        meetings.clear()
        marks.clear()
        if progress:
            progress(written)

    with transaction.atomic():
        for org_id, code, path, size in branches.values_list("id", "code", "path", "member_count").order_by(
            "path"
        ):
            members = roster.get(path, [])
            teacher = secretaries.get(org_id, "")
            for spec in plan.year(code, year, until=until, members=size):
                rows = [(m, True, "") if rng.random() < PRESENT_SHARE else (m, False, rng.choice(ABSENCES))
                        for m in members]  # fmt: skip
                present = sum(r[1] for r in rows) if attendance else round(size * PRESENT_SHARE)
                by_secretary = spec.by_secretary and bool(teacher)
                meetings.append(Meeting(
                    organization_id=org_id, org_path=path, kind=spec.kind, held_on=spec.held_on, topic=spec.topic,
                    host=teacher or "支部书记", by_secretary=by_secretary,
                    teacher=(teacher if by_secretary else "党校讲师") if spec.kind == "lecture" else "",
                    present_count=present, absent_count=(len(rows) if attendance else size) - present,
                ))  # fmt: skip
                marks.append(rows)
                if len(meetings) >= RECORD_BATCH:
                    flush()
        flush()
        completions_rebuild(year=year)
    return written


def demo_dues_ensure(*, root: Organization, year: int, until, seed: int = 2024) -> int:
    """Every member's dues for a year: a base by category, a few exemptions, payments month by
    month up to `until` (most pay every month, some miss one or two, a few stop for half a year).
    Done once per year; returns the payments written."""
    import random
    from datetime import date
    from decimal import Decimal

    from shuzhi.records import rules
    from shuzhi.records.models import DuesAccount, DuesBand, DuesPayment

    if DuesAccount.objects.filter(in_subtree("org_path", root.path), year=year).exists():
        return 0
    bands = [b.as_band() for b in DuesBand.objects.all()]
    rng = random.Random(f"{seed}/dues/{year}")
    through = rules.months_due(year, until)
    accounts, payments = [], []
    rows = Member.objects.filter(in_subtree("org_path", root.path)).values_list("id", "org_path", "category")
    for member_id, path, category in rows.order_by("org_path", "id").iterator(chunk_size=10000):
        group = rules.dues_group(category)
        base = Decimal(0) if group == rules.FLAT else Decimal(rng.randrange(2200, 14000, 100))
        exempt = rng.random() < 0.02
        amount = Decimal(0) if exempt else rules.due_amount(base, group, bands) or Decimal(0)
        accounts.append(DuesAccount(member_id=member_id, org_path=path, year=year, base=base, amount=amount,
                                    exempt=exempt, exempt_reason="生活困难" if exempt else ""))  # fmt: skip
        if exempt:
            continue
        roll = rng.random()
        gap: set[int] = set()
        if roll < 0.05:
            start = rng.randint(1, 7)
            gap = set(range(start, start + 6))
        elif roll < 0.25:
            gap = {rng.randint(1, 12) for _ in range(rng.randint(1, 2))}
        for month in range(1, through + 1):
            if month not in gap:
                day = date(year, month, min(28, rng.randint(1, 28)))
                payments.append(DuesPayment(member_id=member_id, org_path=path, month=date(year, month, 1),
                                            amount=amount, paid_on=min(day, until)))  # fmt: skip
    with transaction.atomic():
        DuesAccount.objects.bulk_create(accounts, batch_size=RECORD_BATCH)
        DuesPayment.objects.bulk_create(payments, batch_size=RECORD_BATCH)
    return len(payments)


COMMITMENT_TEXTS = ["帮扶 1 户困难群众", "参加 4 次志愿服务", "带头开展环境整治", "学习党章党规并交流体会",
                    "联系 3 户群众、每季度走访一次", "带动 1 名青年向党组织靠拢", "参与矛盾纠纷调解"]  # fmt: skip


def demo_commitments_ensure(*, root: Organization, year: int, seed: int = 2024) -> int:
    """One or two commitments of the year for most members; last year's reviewed (most kept).
    Done once per year; returns the commitments written."""
    import random

    from shuzhi.records.models import Commitment

    if Commitment.objects.filter(in_subtree("org_path", root.path), year=year).exists():
        return 0
    rng = random.Random(f"{seed}/commitments/{year}")
    reviewed = year < timezone.localdate().year
    rows = []
    for member_id, path in (
        Member.objects.filter(in_subtree("org_path", root.path))
        .values_list("id", "org_path")
        .order_by("org_path", "id")
    ):
        if rng.random() < 0.15:
            continue
        for text in rng.sample(COMMITMENT_TEXTS, rng.randint(1, 2)):
            status, note = "pending", ""
            if reviewed:
                roll = rng.random()
                status = "kept" if roll < 0.8 else "partly" if roll < 0.95 else "not_kept"
                note = "" if status == "kept" else "因外出务工未能全部完成"
            rows.append(Commitment(member_id=member_id, org_path=path, year=year, text=text, status=status,
                                   review_note=note))  # fmt: skip
    Commitment.objects.bulk_create(rows, batch_size=RECORD_BATCH)
    return len(rows)


def demo_evaluations_ensure(*, root: Organization, year: int, seed: int = 2024) -> int:
    """Last year's 民主评议党员 in every branch of five or more members: a counted round (most sheets
    returned, most marks 合格 or 优秀) and the branch's decisions, a rare 不合格 with 限期改正.
    Done once; returns the rounds written."""
    import random
    import secrets
    from collections import Counter
    from datetime import date

    from shuzhi.core.protection import keyed_hash
    from shuzhi.records.models import (
        EvaluationCode,
        EvaluationDecision,
        EvaluationMark,
        EvaluationRound,
        EvaluationSheet,
    )
    from shuzhi.records.services import CODE_PURPOSE

    if EvaluationRound.objects.filter(in_subtree("org_path", root.path), year=year).exists():
        return 0
    rng = random.Random(f"{seed}/evaluation/{year}")
    roster: dict[str, list[int]] = {}
    for path, member_id in (
        Member.objects.filter(in_subtree("org_path", root.path))
        .values_list("org_path", "id")
        .order_by("org_path", "id")
    ):
        roster.setdefault(path, []).append(member_id)
    branches = Organization.objects.filter(in_subtree("path", root.path), kind=Organization.Kind.BRANCH)
    written = 0
    with transaction.atomic():
        for org_id, path in branches.values_list("id", "path").order_by("path"):
            members = roster.get(path, [])
            if len(members) < 5:
                continue
            returned = max(5, round(len(members) * rng.uniform(0.8, 1.0)))
            round_ = EvaluationRound.objects.create(organization_id=org_id, org_path=path, year=year,
                                                    status=EvaluationRound.Status.CLOSED, sheets=returned)  # fmt: skip
            tokens = [secrets.token_urlsafe(12) for _m in members]
            EvaluationCode.objects.bulk_create(
                EvaluationCode(round=round_, serial=i + 1, token=t, token_hash=keyed_hash(t, purpose=CODE_PURPOSE))
                for i, t in enumerate(tokens)
            )  # fmt: skip
            weak = {m for m in members if rng.random() < 0.02}
            sheets = EvaluationSheet.objects.bulk_create(
                EvaluationSheet(round=round_) for _i in range(returned)
            )
            marks, tally = [], {m: Counter() for m in members}
            for sheet in sheets:
                for m in members:
                    roll = rng.random()
                    grade = ("不合格" if roll < 0.6 else "基本合格") if m in weak else (
                        "优秀" if roll < 0.3 else "合格" if roll < 0.97 else "基本合格")  # fmt: skip
                    tally[m][grade] += 1
                    marks.append(EvaluationMark(sheet=sheet, member_id=m, grade=grade))
            EvaluationMark.objects.bulk_create(marks, batch_size=RECORD_BATCH)
            decisions = []
            for m in members:
                grade = tally[m].most_common(1)[0][0]
                unqualified = grade == "不合格"
                decisions.append(EvaluationDecision(round=round_, member_id=m, grade=grade,
                                                    follow_up="correct" if unqualified else "",
                                                    follow_up_on=date(year + 1, 1, 15) if unqualified else None))  # fmt: skip
            EvaluationDecision.objects.bulk_create(decisions)
            written += 1
    return written


def demo_weakorgs_ensure(*, root: Organization, year: int, seed: int = 2024) -> int:
    """软弱涣散 for the demo: last year's flags computed, the ratio practice filled from the bottom
    of each county's rural organisations (most flags first), and the 整顿 at every stage: most
    struck off (销号), some awaiting acceptance, one refused and back at work; this year's flags
    too, and an organisation listed again this year to show its history. Done once; returns the
    organisations listed."""
    import random
    from collections import Counter
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from shuzhi.weakorgs import services as weak
    from shuzhi.weakorgs.models import Entry, Flag

    if Entry.objects.filter(in_subtree("org_path", root.path), year=year).exists():
        return 0
    organiser = User.objects.filter(username="organiser").first()
    if organiser is None:
        return 0
    rng = random.Random(f"{seed}/weak/{year}")
    weak.flags_compute(year=year, actor=organiser)
    weak.flags_compute(year=year + 1, actor=organiser)
    flags = Counter(
        Flag.objects.filter(in_subtree("org_path", root.path), year=year, organization__field="rural")
        .values_list("organization_id", flat=True)
        .order_by()
    )
    summaries: dict[int, list[str]] = {}
    for org_id, summary in Flag.objects.filter(organization_id__in=list(flags), year=year).values_list(
        "organization_id", "summary"
    ):
        summaries.setdefault(org_id, []).append(summary)
    counties = Organization.objects.filter(in_subtree("path", root.path), level="county").order_by("path")
    picked: list[Organization] = []
    for county in counties:
        rural = Organization.objects.filter(in_subtree("path", county.path), field="rural").filter(
            level="village", kind="branch"
        )
        needed = max(1, round(rural.count() * 0.1))
        ranked = sorted((o for o in rural if o.pk in flags), key=lambda o: (-flags[o.pk], o.path))
        picked.extend(ranked[: min(needed, 4)])
    photo = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
             b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")  # fmt: skip
    leaders = ["刘强", "陈明", "王海燕", "赵立新", "孙志刚", "周丽"]
    today = timezone.localdate()
    for n, org in enumerate(picked):
        reason = "；".join(summaries.get(org.pk, [])[:2]) or "研判命中多项预警"
        entry = weak.entry_add(actor=organiser, org=org, year=year, reason=reason[:300])
        stage = n % 5
        if stage == 4 and n:
            continue  # listed, the plan not yet written
        entry = weak.plan_set(
            actor=organiser, entry=entry, problems=reason[:2000],
            measures="选优配强支部班子；落实“三会一课”和主题党日；县级领导包联、乡镇党委书记每月到村指导",
            deadline=date(year + 1, 6, 30), responsible_leader=f"乡镇党委书记 {rng.choice(leaders)}",
            liaison_leader=f"县委常委 {rng.choice(leaders)}", first_secretary=rng.choice(["", "市派第一书记 张扬"]),
        )  # fmt: skip
        on = min(date(year, 11, 20), today)
        weak.progress_add(actor=organiser, entry=entry, on=on, text="召开支部党员大会，补选支部书记，建立组织生活台账",
                          files=[SimpleUploadedFile("支部党员大会.png", photo)])  # fmt: skip
        if stage == 3:
            continue  # at work
        entry = weak.acceptance_request(actor=organiser, entry=entry)
        if stage == 2:
            continue  # awaiting acceptance
        if stage == 1:
            weak.acceptance_decide(actor=organiser, entry=entry, passed=False,
                                   opinion="组织生活会记录不全，群众测评未开展，退回继续整顿")  # fmt: skip
            continue
        entry = weak.acceptance_decide(actor=organiser, entry=entry, passed=True,
                                       opinion="班子健全，组织生活正常，同意验收")  # fmt: skip
        weak.entry_close(actor=organiser, entry=entry)
    # leaders' liaison points for most of them (the rest show on the page as without a leader)
    for n, org in enumerate(picked[: max(1, len(picked) * 2 // 3)]):
        point = weak.liaison_assign(actor=organiser, org=org, leader_name=leaders[n % len(leaders)],
                                    leader_post=["县委常委、组织部部长", "县委副书记", "乡镇党委委员"][n % 3])  # fmt: skip
        weak.visit_add(actor=organiser, point=point, on=min(date(year, 9, 15), today),
                       found="支部班子分工不明确，组织生活会准备不充分", solved="明确支委分工，指导制定组织生活会方案")  # fmt: skip
    if picked:
        again = picked[-1]
        weak.entry_add(actor=organiser, org=again, year=year + 1, reason="去年整顿未销号，今年继续列入")
    return len(picked) + (1 if picked else 0)


def city_weak_list(*, root: Organization, year: int, percent: int = 10) -> int:
    """For the generated city: the year's flags computed, and in each county the rural
    organisations with the most flags put on the list (`percent` of them, from the bottom), written
    in bulk as generated rows (no audit trail, like the rest of the generated city). Done once."""
    from collections import Counter

    from shuzhi.weakorgs.models import Entry, Flag
    from shuzhi.weakorgs.rules import required_on_list
    from shuzhi.weakorgs.services import flags_compute

    if Entry.objects.filter(in_subtree("org_path", root.path), year=year).exists():
        return 0
    flags_compute(year=year)
    counted = Counter(Flag.objects.filter(year=year).values_list("organization_id", flat=True).order_by())
    organiser = User.objects.filter(role=Role.ORGANISER, organization=root).first()
    if organiser is None:
        organiser = User.objects.create(username="city_weak_organiser", role=Role.ORGANISER, organization=root,
                                        full_name="市委组织部")  # fmt: skip
    rows = []
    for county in Organization.objects.filter(in_subtree("path", root.path), level="county").order_by("path"):
        rural = list(
            Organization.objects.filter(in_subtree("path", county.path), field="rural")
            .filter(level="village")
            .values_list("id", "path")
        )
        ranked = sorted((r for r in rural if r[0] in counted), key=lambda r: (-counted[r[0]], r[1]))
        for org_id, path in ranked[: required_on_list(len(rural), percent)]:
            rows.append(Entry(organization_id=org_id, org_path=path, year=year, added_by=organiser,
                              reason=f"研判命中 {counted[org_id]} 项预警"))  # fmt: skip
    Entry.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


STANDARD_NOTES = (
    "已对照标准逐项落实，台账资料齐全。",
    "制度已上墙，活动场所标识规范。",
    "班子成员分工明确，按月召开支委会。",
    "组织党员开展志愿服务 6 次，群众反映良好。",
    "发展党员材料按程序归档，经乡镇党委预审。",
)


def demo_standards_ensure(*, root: Organization, year: int, seed: int = 2024) -> int:
    """The year's star rating of every branch: computed from the facts; most branches claim most
    hand-checked items (with a line of notes) and propose their level; the level above confirms
    most proposals (a few a level lower, with the reason), and the first county publishes its
    list. Done once; returns the ratings written."""
    import random

    from shuzhi.standards.models import Check, Item, Rating
    from shuzhi.standards.services import ratings_compute_all

    if Rating.objects.filter(in_subtree("org_path", root.path), year=year).exists():
        return 0
    rng = random.Random(f"{seed}/standards/{year}")
    checked: dict[int, list[int]] = {}
    for standard_id, item_id in Item.objects.filter(evidence="checked").values_list("standard_id", "id"):
        checked.setdefault(standard_id, []).append(item_id)
    now = timezone.now()
    with transaction.atomic():
        ratings_compute_all(year=year)
        ratings = list(
            Rating.objects.filter(in_subtree("org_path", root.path), year=year).values_list(
                "id", "standard_id"
            )
        )
        claims = []
        for rating_id, standard_id in ratings:
            diligence = rng.random()
            for item_id in checked.get(standard_id, []):
                if rng.random() < 0.55 + 0.45 * diligence:
                    claims.append(Check(rating_id=rating_id, item_id=item_id, claimed=True,
                                        note=rng.choice(STANDARD_NOTES)))  # fmt: skip
        Check.objects.bulk_create(claims, batch_size=RECORD_BATCH)
        ratings_compute_all(year=year)  # scored again with the claims
        rows = list(Rating.objects.filter(in_subtree("org_path", root.path), year=year)
                    .only("id", "rank", "status").order_by("id"))  # fmt: skip
        for rating in rows:
            roll = rng.random()
            if roll < 0.85:
                rating.status, rating.submitted_at = Rating.Status.SUBMITTED, now
            if roll < 0.7:
                lower = rating.rank > 0 and rng.random() < 0.1
                rating.status, rating.confirmed_at = Rating.Status.CONFIRMED, now
                rating.final_rank = rating.rank - 1 if lower else rating.rank
                rating.reason = "实地检查发现阵地建设不规范，降一级确认" if lower else ""
        Rating.objects.bulk_update(
            rows, ["status", "submitted_at", "confirmed_at", "final_rank", "reason"], batch_size=RECORD_BATCH
        )
        county = (
            Organization.objects.filter(in_subtree("path", root.path), level="county")
            .order_by("path")
            .first()
        )
        if county is not None:
            Rating.objects.filter(in_subtree("org_path", county.path), year=year,
                                  status=Rating.Status.CONFIRMED).update(status=Rating.Status.PUBLISHED)  # fmt: skip
        # the demo clerk's branch is still filling its checklist, to show the journey from its start
        Rating.objects.filter(organization__in=User.objects.filter(username="clerk").values("organization"),
                              year=year).update(status=Rating.Status.OPEN, submitted_at=None, confirmed_at=None,
                                                final_rank=None, reason="")  # fmt: skip
    return len(rows)


TRAINING_TITLES = (
    ("rotation", "党员冬春集中轮训", 16),
    ("special", "学习贯彻党的二十届全会精神专题培训", 8),
    ("lecture", "七一专题党课", 2),
    ("lecture", "支部书记讲党课", 2),
    ("online", "网络学习专题（学习强国、党员教育平台）", 12),
)


def demo_trainings_ensure(*, root: Organization, year: int, until, seed: int = 2024) -> int:
    """The year's trainings: each township's 集中轮训 and 专题培训 for most of its members (the
    secretaries also attend a 书记 class), each branch's 党课 and a 网络学习 block; so that most
    members reach their hours and some do not. Done once; returns the trainings written."""
    import random
    from datetime import date

    from shuzhi.standards.models import Participation, Training

    if Training.objects.filter(in_subtree("org_path", root.path), held_on__year=year).exists():
        return 0
    rng = random.Random(f"{seed}/trainings/{year}")
    members: dict[str, list[int]] = {}
    for path, member_id in (
        Member.objects.filter(in_subtree("org_path", root.path))
        .values_list("org_path", "id")
        .order_by("org_path", "id")
    ):
        members.setdefault(path, []).append(member_id)
    secretaries = set(
        Organization.objects.filter(in_subtree("path", root.path), secretary__isnull=False).values_list(
            "secretary_id", flat=True
        )
    )
    units = list(
        Organization.objects.filter(in_subtree("path", root.path))
        .exclude(kind=Organization.Kind.BRANCH)
        .filter(level__in=["township", "institution", "county"])
        .values_list("id", "path", "depth")
        .order_by("path")
    )
    branches = list(
        Organization.objects.filter(in_subtree("path", root.path), kind=Organization.Kind.BRANCH)
        .values_list("id", "path")
        .order_by("path")
    )
    last = min(until, date(year, 12, 31))
    months = max(1, last.month if last.year == year else 12)

    def on(month: int) -> date:
        return date(year, min(month, months), rng.randint(1, 28))

    trainings, people = [], []
    for org_id, path, _depth in units:
        below = [m for p, ids in members.items() if p.startswith(path) for m in ids]
        if not below:
            continue
        for kind, title, hours in TRAINING_TITLES[:2]:
            training = Training(organization_id=org_id, org_path=path, kind=kind, title=title,
                                held_on=on(rng.randint(1, 11)), hours=hours)  # fmt: skip
            trainings.append(training)
            people.append((training, [m for m in below if rng.random() < 0.85]))
        cadres = [m for m in below if m in secretaries]
        if cadres:
            training = Training(organization_id=org_id, org_path=path, kind="special", title="党组织书记示范培训班",
                                held_on=on(rng.randint(3, 10)), hours=24)  # fmt: skip
            trainings.append(training)
            people.append((training, cadres))
    for org_id, path in branches:
        roster = members.get(path, [])
        if not roster:
            continue
        for kind, title, hours in TRAINING_TITLES[2:]:
            training = Training(organization_id=org_id, org_path=path, kind=kind, title=title,
                                held_on=on(rng.randint(2, 12)), hours=hours)  # fmt: skip
            trainings.append(training)
            people.append((training, [m for m in roster if rng.random() < 0.8]))
    with transaction.atomic():
        Training.objects.bulk_create(trainings, batch_size=RECORD_BATCH)
        Participation.objects.bulk_create(
            (Participation(training=t, member_id=m) for t, ids in people for m in ids),
            batch_size=RECORD_BATCH,
        )
    return len(trainings)
