"""Reads of a member's path, already scoped to the viewer's subtree."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from shuzhi.core.access import get_scoped_or_404, in_subtree, require
from shuzhi.core.roles import Capability, Role
from shuzhi.lifecycle import rules
from shuzhi.lifecycle.models import (
    Applicant,
    Attendance,
    Audience,
    Course,
    Departure,
    Exam,
    MobileRecord,
    Plan,
    QuestionBank,
    Sitting,
    Stage,
    Step,
    StepDocument,
    Transfer,
)
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.orgs.services import ancestor_paths


def _require_view(user) -> None:
    """Organisers and secretaries see their subtree's pipeline; a member sees only themself
    elsewhere, never a list of people."""
    require(user, Capability.VIEW_MEMBERS)
    if user.role == Role.MEMBER:
        raise PermissionDenied


def orgs_visible_to(user) -> QuerySet[Organization]:
    _require_view(user)
    return Organization.objects.filter(in_subtree("path", user.organization.path))


def organization_get(*, viewer, pk: int) -> Organization:
    return get_scoped_or_404(orgs_visible_to(viewer), pk=pk)


def applicants_visible_to(user) -> QuerySet[Applicant]:
    _require_view(user)
    return Applicant.objects.filter(in_subtree("org_path", user.organization.path))


def applicant_get(*, viewer, pk: int) -> Applicant:
    return get_scoped_or_404(
        applicants_visible_to(viewer).select_related("organization", "next_step", "member"), pk=pk
    )


def steps() -> list[Step]:
    return list(Step.objects.order_by("order"))


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: str
    count: int


def stage_counts(org: Organization) -> list[StageCount]:
    """Active people of the subtree per stage, in the pipeline's order (one query)."""
    found = dict(
        Applicant.objects.filter(in_subtree("org_path", org.path), state=Applicant.State.ACTIVE)
        .order_by()
        .values_list("stage")
        .annotate(n=Count("id"))
    )
    return [
        StageCount(stage=value, label=str(label), count=found.get(value, 0)) for value, label in Stage.choices
    ]


def board(*, org: Organization, stage: str = "", today: date) -> QuerySet[Applicant]:
    """The subtree's people on the path: the late first, then by deadline, then by name."""
    rows = Applicant.objects.filter(in_subtree("org_path", org.path), state=Applicant.State.ACTIVE)
    if stage in Stage.values:
        rows = rows.filter(stage=stage)
    return (
        rows.select_related("organization", "next_step")
        .only(
            "name",
            "stage",
            "applied_on",
            "last_done_on",
            "next_earliest",
            "next_deadline",
            "org_path",
            "organization__name",
            "next_step__name",
        )
        .order_by(F("next_deadline").asc(nulls_last=True), "org_path", "name", "id")
    )


def due_count(*, org: Organization, today: date) -> int:
    horizon = date.fromordinal(today.toordinal() + rules.SOON_DAYS)
    return Applicant.objects.filter(
        in_subtree("org_path", org.path), state=Applicant.State.ACTIVE, next_deadline__lte=horizon
    ).count()


def departures(org: Organization) -> QuerySet[Departure]:
    return (
        Departure.objects.filter(in_subtree("org_path", org.path))
        .select_related("member")
        .order_by("-left_on", "id")
    )


def roster_present(org: Organization) -> QuerySet[Member]:
    """This organisation's own members who have not left (whom a departure may be recorded for).
    The member's own `left_on` decides, as on the roster: it is set with every departure, and on
    members imported as having left, who have no departure row."""
    return (
        Member.objects.filter(org_path=org.path, left_on__isnull=True)
        .only("id", "name", "status")
        .order_by("name", "id")
    )


def members_on(*, within: Organization, day: date) -> QuerySet[Member]:
    """Who was a member in the subtree of `within` on `day`: joined by then and not yet left
    (counted up to the day before `left_on`). The subtree is today's; a member moved since is
    counted where they are now."""
    return Member.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=day), in_subtree("org_path", within.path), joined_on__lte=day
    )


@dataclass(frozen=True)
class Headcount:
    day: date
    full: int
    probationary: int

    @property
    def total(self) -> int:
        return self.full + self.probationary


def headcount_on(*, within: Organization, day: date) -> Headcount:
    """Members, 正式 and 预备, of a subtree as of a day (one query): a member's status on the day
    follows `rules.status_on` (预备 until the 转正 date, or as now when none is recorded)."""
    probationary_then = Q(full_member_on__gt=day) | Q(
        full_member_on__isnull=True, status=Member.Status.PROBATIONARY
    )
    counts = members_on(within=within, day=day).aggregate(
        total=Count("id"), probationary=Count("id", filter=probationary_then)
    )
    return Headcount(
        day=day, full=counts["total"] - counts["probationary"], probationary=counts["probationary"]
    )


def member_status_on(member: Member, day: date) -> str:
    """'' (not a member on that day), 'probationary' or 'full'."""
    departure = Departure.objects.filter(member=member).only("left_on").first()
    return rules.status_on(day, joined_on=member.joined_on, full_member_on=member.full_member_on,
                           probationary_now=member.status == Member.Status.PROBATIONARY,
                           left_on=departure.left_on if departure else None)  # fmt: skip


def child_counts(org: Organization) -> list[tuple[Organization, int]]:
    """The organisation's direct children and their subtrees' active people (two queries)."""
    children = list(
        Organization.objects.filter(in_subtree("path", org.path), depth=org.depth + 1)
        .only("id", "name", "path", "kind")
        .order_by("path")
    )
    if not children:
        return []
    width = len(org.path) + Organization.steplen
    found = dict(
        Applicant.objects.filter(in_subtree("org_path", org.path), state=Applicant.State.ACTIVE)
        .annotate(prefix=Substr("org_path", 1, width))
        .order_by()
        .values_list("prefix")
        .annotate(n=Count("id"))
    )
    return [(child, found.get(child.path, 0)) for child in children]


def transfers_visible_to(user) -> QuerySet[Transfer]:
    """Transfers out of or into the viewer's subtree."""
    _require_view(user)
    path = user.organization.path
    return Transfer.objects.filter(in_subtree("from_path", path) | in_subtree("to_path", path))


def transfer_get(*, viewer, pk: int) -> Transfer:
    return get_scoped_or_404(
        transfers_visible_to(viewer).select_related("member", "from_org", "to_org"), pk=pk
    )


def transfers_of(org: Organization) -> tuple[list[Transfer], QuerySet[Transfer]]:
    """(those waiting on this subtree: to receive or to confirm; every transfer out of or into it, newest first)."""
    open_ = list(
        Transfer.objects.filter(in_subtree("to_path", org.path), status__in=["sent", "received"])
        .select_related("member", "from_org", "to_org")
        .order_by("valid_until", "id")
    )
    history = (
        Transfer.objects.filter(in_subtree("from_path", org.path) | in_subtree("to_path", org.path))
        .select_related("member", "from_org", "to_org")
        .order_by("-sent_on", "-id")
    )
    return open_, history


def transfers_into(org: Organization) -> QuerySet[Transfer]:
    """Transfers into the subtree (what its branches receive, confirm or return)."""
    return Transfer.objects.filter(in_subtree("to_path", org.path)).select_related(
        "member", "to_org", "from_org"
    )


def mobile_of(org: Organization, *, lost_only: bool = False) -> QuerySet[MobileRecord]:
    """The open 流动党员 records of the subtree, on either side: flowed out of it or into it."""
    rows = MobileRecord.objects.filter(
        in_subtree("outflow_path", org.path) | in_subtree("inflow_path", org.path), returned_on__isnull=True
    )
    if lost_only:
        rows = rows.filter(lost_since__isnull=False)
    return (
        rows.select_related("member", "outflow_org", "inflow_org")
        .annotate(activity_count=Count("activities"))
        .order_by("outflow_path", "member__name", "id")
    )


# Training and tests online ---------------------------------------------------------------------


def exam_for(org_path: str, audience: str) -> Exam | None:
    """The test in force for an organisation: the nearest active one up the tree."""
    return (
        Exam.objects.filter(audience=audience, active=True, org_path__in=ancestor_paths([org_path]))
        .select_related("bank")
        .order_by("-org_path")
        .first()
    )


def exam_gate_problem(applicant: Applicant, step_name: str) -> str | None:
    """Why a step that needs the 发展对象 test cannot be done yet, or None (no test in force, or passed)."""
    exam = exam_for(applicant.org_path, Audience.CANDIDATE)
    if exam is None:
        return None
    sittings = list(Sitting.objects.filter(exam=exam, applicant=applicant, submitted_at__isnull=False))
    if any(s.passed for s in sittings):
        return None
    if not sittings:
        return _("“%(step)s”须先通过在线知识测试“%(exam)s”：%(name)s尚未参加测试。") % {
            "step": step_name, "exam": exam.title, "name": applicant.name}  # fmt: skip
    best = max(rules.percent(s.score or 0, s.total) for s in sittings)
    return _("“%(step)s”须先通过在线知识测试“%(exam)s”：%(name)s已测 %(n)d 次（共 %(m)d 次机会），最高得分率 %(best)d%%，及格线 %(pass)d%%。") % {
        "step": step_name, "exam": exam.title, "name": applicant.name, "n": len(sittings), "m": exam.max_attempts,
        "best": best, "pass": exam.pass_percent}  # fmt: skip


def training_hours(applicant: Applicant, start, end) -> tuple[int, int]:
    """(courses, hours) the applicant attended from start to end."""
    found = Attendance.objects.filter(applicant=applicant, attended_on__gte=start, attended_on__lte=end).aggregate(
        n=Count("id"), hours=Sum("course__hours"))  # fmt: skip
    return found["n"] or 0, found["hours"] or 0


# 发展党员计划 -------------------------------------------------------------------------------------


@dataclass
class Tally:
    total: int = 0
    young: int = 0
    women: int = 0
    frontline: int = 0
    fields: dict[str, int] | None = None

    def add(self, *, young: bool, woman: bool, frontline: bool, field: str) -> None:
        self.total += 1
        self.young += young
        self.women += woman
        self.frontline += frontline
        self.fields = self.fields or {}
        self.fields[field] = self.fields.get(field, 0) + 1


@dataclass
class PlanRow:
    org: Organization
    plan: Plan | None
    achieved: Tally
    own: bool = False  # the organisation itself (its plan came from above)

    def gap(self, what: str) -> int:
        if self.plan is None:
            return 0
        return rules.gap(getattr(self.plan, what), getattr(self.achieved, what))

    def field_cells(self, fields: list[str]) -> list[tuple[int | None, int]]:
        planned = self.plan.fields if self.plan else {}
        done = self.achieved.fields or {}
        return [(planned.get(f) if self.plan else None, done.get(f, 0)) for f in fields]


def admitted_in(org: Organization, year: int):
    """Who joined the party in the subtree in the year (入党日期 in it): those the pipeline admitted
    (the branch meeting's day) and those imported or entered on the roster with no pipeline record.
    Counted where they are now; one who left since still counts for the year they joined."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return (
        Member.objects.filter(in_subtree("org_path", org.path), joined_on__gte=start, joined_on__lte=end)
        .order_by()
        .values_list("org_path", "gender", "birth_date", "category", "organization__field", "joined_on")
    )


def plan_table(*, org: Organization, year: int) -> tuple[list[PlanRow], list[str]]:
    """The organisation's row and its children's: each plan against who was admitted in the year,
    in its subtree (three queries), and the fields that appear in a plan or among the admitted."""
    children = list(
        Organization.objects.filter(in_subtree("path", org.path), depth=org.depth + 1)
        .only("id", "name", "path", "kind", "depth")
        .order_by("path")
    )
    plans = {
        p.org_path: p
        for p in Plan.objects.filter(year=year, org_path__in=[org.path, *(c.path for c in children)])
    }
    rows = [PlanRow(org=org, plan=plans.get(org.path), achieved=Tally(), own=True)]
    rows += [PlanRow(org=c, plan=plans.get(c.path), achieved=Tally()) for c in children]
    width = len(org.path) + Organization.steplen
    by_prefix = {row.org.path: row for row in rows[1:]}
    for path, gender, birth, category, field, joined in admitted_in(org, year):
        flags = {
            "young": rules.age_on(birth, joined) < rules.YOUNG_UNDER,
            "woman": gender == "F",
            "frontline": rules.is_frontline(category, field),
            "field": field,
        }
        rows[0].achieved.add(**flags)
        child = by_prefix.get(path[:width])
        if child is not None:
            child.achieved.add(**flags)
    seen = set()
    for row in rows:
        seen.update((row.plan.fields if row.plan else {}).keys())
        seen.update((row.achieved.fields or {}).keys())
    fields = [value for value in Organization.Field.values if value in seen]
    return rows, fields


def banks_for(user) -> QuerySet[QuestionBank]:
    """Banks of the viewer's subtree and of the organisations above it (whose banks it may use)."""
    _require_view(user)
    path = user.organization.path
    return QuestionBank.objects.filter(in_subtree("org_path", path) | Q(org_path__in=ancestor_paths([path])))


def bank_get(*, viewer, pk: int) -> QuestionBank:
    return get_scoped_or_404(banks_for(viewer).select_related("organization"), pk=pk)


def training_of(org: Organization) -> dict:
    """What the organisation's page of training shows: banks, courses and tests of the
    organisation and above (usable there) and of its subtree."""
    reach = in_subtree("org_path", org.path) | Q(org_path__in=ancestor_paths([org.path]))
    return {
        "banks": list(
            QuestionBank.objects.filter(reach).select_related("organization").annotate(n=Count("questions"))
        ),
        "courses": list(Course.objects.filter(reach).select_related("organization")),
        "exams": list(Exam.objects.filter(reach).select_related("organization", "bank")),
    }


def courses_for(applicant: Applicant) -> list[Course]:
    return list(
        Course.objects.filter(org_path__in=ancestor_paths([applicant.org_path])).exclude(audience="worker")
    )


def qualified_in(org: Organization, *, today: date) -> QuerySet[Sitting]:
    """Workers of the subtree holding a valid qualification (their latest passed sitting)."""
    renewed = Sitting.objects.filter(
        user=OuterRef("user"), passed=True, valid_until__gt=OuterRef("valid_until")
    )
    return (
        Sitting.objects.filter(
            in_subtree("org_path", org.path), user__isnull=False, passed=True, valid_until__gte=today
        )
        .exclude(Exists(renewed))
        .select_related("user", "user__organization", "exam")
        .order_by("org_path", "user__username", "-valid_until")
    )


def documented_steps(*, within_path: str, member_ids=None) -> QuerySet:
    """(member id, step code) for every step of a member's path that keeps at least one scan:
    for the members' files (dossiers), which count the 发展党员 materials as file entries."""
    rows = StepDocument.objects.filter(
        in_subtree("record__applicant__member__org_path", within_path),
        record__applicant__member__isnull=False,
    )
    if member_ids is not None:
        rows = rows.filter(record__applicant__member_id__in=member_ids)
    return rows.order_by().values_list("record__applicant__member_id", "record__step__code").distinct()
