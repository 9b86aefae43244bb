"""Reads of organisational life, already scoped to the viewer's subtree."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.urls import reverse

from shuzhi.core.access import get_scoped_or_404, in_subtree, require
from shuzhi.core.roles import Capability
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.orgs.services import ancestor_paths
from shuzhi.records import rules
from shuzhi.records.models import (
    Attendance,
    Commitment,
    Completion,
    DuesAccount,
    DuesBand,
    DuesPayment,
    EvaluationDecision,
    EvaluationGrade,
    EvaluationMark,
    EvaluationRound,
    Kind,
    Meeting,
    PointsExemption,
    PointsItem,
    PointsScheme,
    Requirement,
)

BRANCH = Organization.Kind.BRANCH


def orgs_visible_to(user) -> QuerySet[Organization]:
    require(user, Capability.VIEW_RECORDS)
    return Organization.objects.filter(in_subtree("path", user.organization.path))


def organization_get(*, viewer, pk: int, keep: bool = False) -> Organization:
    """An organisation of the viewer's subtree (404 outside it); to enter records, the viewer
    must also keep records (403)."""
    if keep:
        require(viewer, Capability.KEEP_RECORDS)
    return get_scoped_or_404(orgs_visible_to(viewer).select_related("secretary"), pk=pk)


def keeps_members_of(user, org: Organization) -> bool:
    """Whether the user sees this branch's members one by one in 记实积分: its own keepers (its
    secretary or clerk, whose organisation it is), nobody above it: only the distribution goes up
    the tree."""
    return user.can(Capability.KEEP_RECORDS) and user.organization_id == org.pk


def meetings_visible_to(user) -> QuerySet[Meeting]:
    require(user, Capability.VIEW_RECORDS)
    return Meeting.objects.filter(in_subtree("org_path", user.organization.path))


def meeting_get(*, viewer, pk: int) -> Meeting:
    return get_scoped_or_404(meetings_visible_to(viewer).select_related("organization", "recorded_by"), pk=pk)


def kinds_for(org: Organization) -> list[tuple[str, str]]:
    """A branch holds 三会一课 and the rest; a committee or 党组 its 民主生活会."""
    if org.kind == BRANCH:
        return [(k.value, k.label) for k in Kind if k != Kind.DEMOCRATIC_LIFE]
    return [(Kind.DEMOCRATIC_LIFE.value, Kind.DEMOCRATIC_LIFE.label)]


def roster(org: Organization) -> QuerySet[Member]:
    """The members whose organisation is this one (the roster a meeting's attendance is taken from)."""
    return (
        Member.objects.filter(org_path=org.path, left_on__isnull=True)
        .only("id", "name", "organization_id")
        .order_by("name", "id")
    )


def requirements() -> list[Requirement]:
    return list(Requirement.objects.filter(active=True).order_by("id"))


def dues_bands() -> list[DuesBand]:
    return list(DuesBand.objects.order_by("group", "lower", "id"))


def branch_meetings(*, org: Organization, year: int) -> QuerySet[Meeting]:
    return Meeting.objects.filter(organization=org, held_on__year=year).order_by("-held_on", "-id")


@dataclass(frozen=True)
class Rollup:
    """The branches of a subtree and how many met their frequencies, per quarter and in the year."""

    branches: int
    met: int
    quarters: tuple[int, int, int, int]
    recorded: int  # branches with at least one record in the year

    @property
    def share(self) -> float | None:
        return rules.share(self.met, self.branches)

    def quarter_shares(self) -> list[float | None]:
        return [rules.share(n, self.branches) for n in self.quarters]

    @classmethod
    def total(cls, parts: list["Rollup"]) -> "Rollup":
        return cls(branches=sum(p.branches for p in parts), met=sum(p.met for p in parts),
                   quarters=tuple(sum(p.quarters[i] for p in parts) for i in range(4)),  # type: ignore[arg-type]
                   recorded=sum(p.recorded for p in parts))  # fmt: skip


def _completion_counts(queryset: QuerySet[Completion]) -> dict:
    return queryset.aggregate(
        met=Count("id", filter=Q(met=True)),
        q1=Count("id", filter=Q(q1=True)),
        q2=Count("id", filter=Q(q2=True)),
        q3=Count("id", filter=Q(q3=True)),
        q4=Count("id", filter=Q(q4=True)),
        recorded=Count("id"),
    )


def rollup(*, org: Organization, year: int) -> Rollup:
    """Two queries whatever the subtree's size: its branches, and their completion rows."""
    branches = Organization.objects.filter(in_subtree("path", org.path), kind=BRANCH).count()
    c = _completion_counts(Completion.objects.filter(in_subtree("org_path", org.path), year=year))
    return Rollup(branches=branches, met=c["met"], quarters=(c["q1"], c["q2"], c["q3"], c["q4"]),
                  recorded=c["recorded"])  # fmt: skip


def children_rollup(*, org: Organization, year: int) -> list[tuple[Organization, Rollup]]:
    """Each direct child of `org` with its subtree's roll-up: three queries, grouped by path prefix."""
    children = list(
        Organization.objects.filter(in_subtree("path", org.path), depth=org.depth + 1).order_by("path")
    )
    if not children:
        return []
    width = len(children[0].path)
    prefix = Substr("path", 1, width)
    branches = dict(
        Organization.objects.filter(in_subtree("path", org.path), kind=BRANCH, depth__gt=org.depth)
        .annotate(prefix=prefix)
        .values("prefix")
        .annotate(n=Count("id"))
        .values_list("prefix", "n")
        .order_by()
    )
    done = {
        row["prefix"]: row
        for row in Completion.objects.filter(in_subtree("org_path", org.path), year=year)
        .exclude(org_path=org.path)
        .annotate(prefix=Substr("org_path", 1, width))
        .values("prefix")
        .annotate(
            met=Count("id", filter=Q(met=True)),
            q1=Count("id", filter=Q(q1=True)),
            q2=Count("id", filter=Q(q2=True)),
            q3=Count("id", filter=Q(q3=True)),
            q4=Count("id", filter=Q(q4=True)),
            recorded=Count("id"),
        )
        .order_by()
    }
    out = []
    for child in children:
        c = done.get(child.path, {})
        out.append((child, Rollup(branches=branches.get(child.path, 0), met=c.get("met", 0),
                                  quarters=tuple(c.get(f"q{q}", 0) for q in rules.QUARTERS),  # type: ignore[arg-type]
                                  recorded=c.get("recorded", 0))))  # fmt: skip
    return out


STATUS_MET, STATUS_MISSED = "met", "missed"


def branches(*, org: Organization, year: int, status: str = "", query: str = "") -> QuerySet[Organization]:
    """The branches of a subtree (for the list behind a roll-up), optionally those that met or
    did not meet the year's frequencies."""
    found = Organization.objects.filter(in_subtree("path", org.path), kind=BRANCH)
    if query:
        found = found.filter(name__icontains=query)
    met = Completion.objects.filter(organization=OuterRef("pk"), year=year, met=True)
    if status == STATUS_MET:
        found = found.filter(Exists(met))
    elif status == STATUS_MISSED:
        found = found.filter(~Exists(met))
    return found.order_by("path")


def completions(*, orgs: list[Organization], year: int) -> dict[int, Completion]:
    return {c.organization_id: c for c in Completion.objects.filter(organization__in=orgs, year=year)}


def member_attendance(*, member_id: int, year: int | None = None) -> QuerySet[Attendance]:
    """One member's own record: the meetings of their branch they were on the roster of."""
    rows = Attendance.objects.filter(member_id=member_id).select_related("meeting", "meeting__organization")
    if year:
        rows = rows.filter(meeting__held_on__year=year)
    return rows.order_by("-meeting__held_on", "-meeting_id")


def org_panel_url(viewer, org: Organization) -> str | None:
    """The organisation page's panel (orgs.hooks): only for those who may see records."""
    if viewer.is_authenticated and viewer.can(Capability.VIEW_RECORDS):
        return reverse("records:org_panel", args=[org.pk])
    return None


def this_year(today: date) -> int:
    return today.year


# ---- 党费 --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DuesRow:
    member: Member
    account: DuesAccount | None
    paid: frozenset[int]  # months of the year paid
    arrears: rules.Arrears | None  # None: exempt or no account


def dues_sheet(*, org: Organization, year: int, today: date) -> list[DuesRow]:
    """The branch's members with their year's account, the months paid and their arrears (a run
    unpaid carried over from last December counts): four queries."""
    members = list(roster(org))
    accounts = {a.member_id: a for a in DuesAccount.objects.filter(org_path=org.path, year=year)}
    last = {a.member_id for a in DuesAccount.objects.filter(org_path=org.path, year=year - 1, exempt=False)}
    paid: dict[int, set[int]] = {}
    carried_paid: dict[int, set[int]] = {}
    start, end = date(year - 1, 1, 1), date(year, 12, 1)
    for member_id, month in DuesPayment.objects.filter(
        org_path=org.path, month__gte=start, month__lte=end
    ).values_list("member_id", "month"):
        (paid if month.year == year else carried_paid).setdefault(member_id, set()).add(month.month)
    through = rules.months_due(year, today)
    rows = []
    for member in members:
        account = accounts.get(member.pk)
        months = paid.get(member.pk, set())
        owing = None
        if account is not None and not account.exempt:
            carried = 0
            if member.pk in last:
                before = carried_paid.get(member.pk, set())
                while carried < 12 and (12 - carried) not in before:
                    carried += 1
            owing = rules.arrears(months, through=through, carried=carried)
        rows.append(DuesRow(member=member, account=account, paid=frozenset(months), arrears=owing))
    return rows


def member_dues(*, member_id: int, year: int, today: date) -> DuesRow | None:
    """One member's own dues for the year (their account and the months paid), or None."""
    member = Member.objects.filter(pk=member_id).only("id", "name", "org_path", "organization_id").first()
    if member is None:
        return None
    account = DuesAccount.objects.filter(member_id=member_id, year=year).first()
    months = set(
        DuesPayment.objects.filter(member_id=member_id, month__year=year).values_list(
            "month__month", flat=True
        )
    )
    owing = None
    if account is not None and not account.exempt:
        owing = rules.arrears(months, through=rules.months_due(year, today))
    return DuesRow(member=member, account=account, paid=frozenset(months), arrears=owing)


def commitments_of(*, org: Organization, year: int) -> dict[int, list[Commitment]]:
    """The branch's commitments of the year, by member."""
    found: dict[int, list[Commitment]] = {}
    for c in Commitment.objects.filter(org_path=org.path, year=year).order_by("member_id", "id"):
        found.setdefault(c.member_id, []).append(c)
    return found


# ---- 记实积分 ----------------------------------------------------------------------------------
def scheme_for(org: Organization) -> PointsScheme | None:
    """The scheme of the nearest organisation above (or at) `org` that set one, else the default."""
    found = list(
        PointsScheme.objects.filter(Q(org_path__in=ancestor_paths([org.path])) | Q(organization__isnull=True))
    )
    found.sort(key=lambda s: len(s.org_path), reverse=True)
    return found[0] if found else None


def points_years(*, org: Organization, year: int, today: date) -> dict[int, rules.MemberYear]:
    """What the records say of each roster member's year: six grouped queries for the branch."""
    members = list(roster(org).values_list("id", flat=True))
    return _member_years(members, lambda path_field: Q(member_id__in=members), year=year, today=today)


def _member_years(members, scope, *, year: int, today: date) -> dict[int, rules.MemberYear]:
    """The year of each of `members` from six grouped queries; `scope(path_field)` narrows each
    query (the members' ids for a branch, an index range on the copied path for a subtree)."""
    attended: dict[int, tuple[int, int]] = {}
    for member_id, n, present in (
        Attendance.objects.filter(scope("meeting__org_path"), meeting__held_on__year=year)
        .values("member_id")
        .annotate(n=Count("id"), present=Count("id", filter=Q(present=True)))
        .values_list("member_id", "n", "present")
        .order_by()
    ):
        attended[member_id] = (n, present)
    accounts = dict(
        DuesAccount.objects.filter(scope("org_path"), year=year).values_list("member_id", "exempt").order_by()
    )
    paid = dict(
        DuesPayment.objects.filter(scope("org_path"), month__year=year)
        .values("member_id").annotate(n=Count("id")).values_list("member_id", "n").order_by()
    )  # fmt: skip
    promised: dict[int, tuple[int, int, int]] = {}
    for member_id, n, kept, partly in (
        Commitment.objects.filter(scope("org_path"), year=year)
        .values("member_id")
        .annotate(
            n=Count("id"),
            kept=Count("id", filter=Q(status="kept")),
            partly=Count("id", filter=Q(status="partly")),
        )
        .values_list("member_id", "n", "kept", "partly")
        .order_by()
    ):
        promised[member_id] = (n, kept, partly)
    manual: dict[int, dict[str, Decimal]] = {}
    for member_id, part, points in (
        PointsItem.objects.filter(scope("org_path"), year=year)
        .values("member_id", "part").annotate(total=Sum("points")).values_list("member_id", "part", "total").order_by()
    ):  # fmt: skip
        manual.setdefault(member_id, {})[part] = points
    exempt = set(
        PointsExemption.objects.filter(scope("org_path"), year=year).values_list("member_id", flat=True)
    )
    months = rules.months_due(year, today)
    out = {}
    for member_id in members:
        n, present = attended.get(member_id, (0, 0))
        due = months if accounts.get(member_id) is False else 0
        c, kept, partly = promised.get(member_id, (0, 0, 0))
        out[member_id] = rules.MemberYear(attended=present, meetings=n, paid=paid.get(member_id, 0), due=due,
                                          kept=kept, partly=partly, commitments=c, manual=manual.get(member_id, {}),
                                          exempt=member_id in exempt)  # fmt: skip
    return out


def _children_of(org: Organization) -> list[Organization]:
    return list(
        Organization.objects.filter(in_subtree("path", org.path), depth=org.depth + 1).order_by("path")
    )


def _members_of_subtree(org: Organization) -> dict[int, str]:
    """Every member of the subtree with their organisation's path."""
    return dict(
        Member.objects.filter(in_subtree("org_path", org.path), left_on__isnull=True)
        .values_list("id", "org_path")
        .order_by()
    )


def _child_of(children: list[Organization]):
    """The child whose subtree holds a path (None: the organisation itself)."""
    width = len(children[0].path) if children else 0
    by_path = {c.path: c.pk for c in children}
    return lambda path: by_path.get(path[:width]) if width and len(path) >= width else None


def points_rollup(*, org: Organization, year: int, today: date) -> tuple[list, list[tuple[str, int]]]:
    """How many members of each direct child's subtree fall in each band of points, and of the
    whole subtree: counts only, never a name (only distributions go up the tree). Each member is
    scored by the scheme of their own branch. Eight queries whatever the subtree's size."""
    members = _members_of_subtree(org)
    subtree = org.path
    years = _member_years(list(members), lambda field: in_subtree(field, subtree), year=year, today=today)
    schemes = sorted(PointsScheme.objects.all(), key=lambda s: len(s.org_path), reverse=True)
    default = list(rules.DEFAULT_SCHEME)
    parts_of: dict[str, list] = {}
    children = _children_of(org)
    child_of = _child_of(children)
    totals: dict[int | None, list[Decimal]] = {}
    for member_id, path in members.items():
        if path not in parts_of:
            found = next((s for s in schemes if path.startswith(s.org_path)), None)
            parts_of[path] = found.parts if found else default
        scored = rules.member_points(parts_of[path], years[member_id])
        totals.setdefault(child_of(path), []).append(sum((p.points for p in scored), Decimal(0)))
    per_child = [(child, rules.distribution(totals.get(child.pk, []))) for child in children]
    whole = rules.distribution([t for group in totals.values() for t in group])
    return per_child, whole


@dataclass
class DuesCounts:
    """A subtree's dues in counts and sums: never a name."""

    members: int = 0
    unset: int = 0  # no base set for the year
    exempt: int = 0
    owing: int = 0  # a month due and unpaid
    flagged: int = 0  # six months or more in a row unpaid
    collected: Decimal = Decimal(0)

    @property
    def paid_up(self) -> int:
        return self.members - self.unset - self.exempt - self.owing

    def add(self, other: "DuesCounts") -> None:
        for name in ("members", "unset", "exempt", "owing", "flagged", "collected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def dues_rollup(*, org: Organization, year: int, today: date) -> tuple[list, DuesCounts]:
    """Each direct child's and the subtree's dues counts (members, unset, exempt, owing, flagged
    at six months, collected): five queries whatever the subtree's size."""
    members = _members_of_subtree(org)
    scope = in_subtree("org_path", org.path)
    accounts = dict(
        DuesAccount.objects.filter(scope, year=year).values_list("member_id", "exempt").order_by()
    )
    last = set(
        DuesAccount.objects.filter(scope, year=year - 1, exempt=False)
        .values_list("member_id", flat=True)
        .order_by()
    )
    paid: dict[int, set[int]] = {}
    carried_paid: dict[int, set[int]] = {}
    for member_id, month in (
        DuesPayment.objects.filter(scope, month__gte=date(year - 1, 1, 1), month__lte=date(year, 12, 1))
        .values_list("member_id", "month")
        .order_by()
    ):
        (paid if month.year == year else carried_paid).setdefault(member_id, set()).add(month.month)
    collected = dict(
        DuesPayment.objects.filter(scope, month__year=year)
        .values("org_path").annotate(total=Sum("amount")).values_list("org_path", "total").order_by()
    )  # fmt: skip
    children = _children_of(org)
    child_of = _child_of(children)
    counts: dict[int | None, DuesCounts] = {}
    through = rules.months_due(year, today)
    for member_id, path in members.items():
        c = counts.setdefault(child_of(path), DuesCounts())
        c.members += 1
        exempt = accounts.get(member_id)
        if exempt is None:
            c.unset += 1
            continue
        if exempt:
            c.exempt += 1
            continue
        carried = 0
        if member_id in last:
            before = carried_paid.get(member_id, set())
            while carried < 12 and (12 - carried) not in before:
                carried += 1
        owing = rules.arrears(paid.get(member_id, set()), through=through, carried=carried)
        c.owing += bool(owing.unpaid)
        c.flagged += owing.flagged
    for path, total in collected.items():
        counts.setdefault(child_of(path), DuesCounts()).collected += Decimal(str(total or 0))
    whole = DuesCounts()
    for c in counts.values():
        c.collected = c.collected.quantize(rules.CENT)  # SQLite sums decimals as floats
        whole.add(c)
    return [(child, counts.get(child.pk, DuesCounts())) for child in children], whole


def member_points(*, member: Member, year: int, today: date):
    """One member's parts and total (their own page, or their secretary's)."""
    org = Organization.objects.get(pk=member.organization_id)
    scheme = scheme_for(org)
    parts = scheme.parts if scheme else list(rules.DEFAULT_SCHEME)
    data = points_years(org=org, year=year, today=today).get(member.pk, rules.MemberYear())
    scored = rules.member_points(parts, data)
    return scheme, scored, sum((p.points for p in scored), Decimal(0))


# ---- 民主评议党员 --------------------------------------------------------------------------------
def evaluation_tally(round_: EvaluationRound) -> dict[int, dict[str, int]] | None:
    """Each member's marks by grade, or None while the round is open or when fewer sheets came
    back than its minimum (a small group's marks could be told apart)."""
    if round_.status != EvaluationRound.Status.CLOSED or round_.sheets < round_.min_group:
        return None
    out: dict[int, dict[str, int]] = {}
    for member_id, grade, n in (
        EvaluationMark.objects.filter(sheet__round=round_)
        .values("member_id", "grade").annotate(n=Count("id")).values_list("member_id", "grade", "n").order_by()
    ):  # fmt: skip
        out.setdefault(member_id, dict.fromkeys(EvaluationGrade.values, 0))[grade] = n
    return out


def decision_counts(round_: EvaluationRound) -> list[tuple[str, int]]:
    found = dict(
        EvaluationDecision.objects.filter(round=round_).values("grade").annotate(n=Count("id"))
        .values_list("grade", "n").order_by()
    )  # fmt: skip
    return [(grade, found.get(grade, 0)) for grade in EvaluationGrade.values]
