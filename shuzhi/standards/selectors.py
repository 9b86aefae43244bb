"""Reads of the standards area, scoped to the viewer's subtree, and who may do what."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.html import format_html
from django.utils.translation import gettext as _

from shuzhi.core.access import get_scoped_or_404, holds_at_top, in_subtree, require
from shuzhi.core.roles import Capability
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.standards import rules
from shuzhi.standards.models import (
    Check,
    FollowUpPeriod,
    FollowUpReview,
    Heading,
    HourNorm,
    Item,
    Level,
    Participation,
    Rating,
    Standard,
    Training,
)

BRANCH = Organization.Kind.BRANCH
UNRATED = "unrated"


def may_fill(user, org: Organization) -> bool:
    """A branch's own keepers (its secretary or clerk) fill its checklist."""
    return user.can(Capability.KEEP_RECORDS) and user.organization_id == org.pk


def may_check(user, org: Organization) -> bool:
    """The level above (a secretary or the organisation department of an organisation above the
    branch) checks items by hand, confirms or changes the level and publishes."""
    return (
        (user.can(Capability.WRITE_REPORT) or user.can(Capability.MANAGE_CYCLES))
        and user.organization_id != org.pk
        and org.path.startswith(user.organization.path)
    )


def may_publish(user, org: Organization) -> bool:
    return (user.can(Capability.WRITE_REPORT) or user.can(Capability.MANAGE_CYCLES)) and org.path.startswith(
        user.organization.path
    ) and org.kind != BRANCH  # fmt: skip


def may_train(user, org: Organization) -> bool:
    """Who records trainings: a keeper of records or the organisation department, for their own
    organisation and those below it."""
    return (user.can(Capability.KEEP_RECORDS) or user.can(Capability.MANAGE_CYCLES)) and org.path.startswith(
        user.organization.path
    )


def organization_get(*, viewer, pk: int) -> Organization:
    require(viewer, Capability.VIEW_RECORDS)
    return get_scoped_or_404(Organization.objects.filter(in_subtree("path", viewer.organization.path)), pk=pk)


def may_edit_standards(user) -> bool:
    """The standards hold for the whole tree: an organiser of its top organisation changes them."""
    return holds_at_top(user, Capability.MANAGE_ORGS)


def latest_rated_year(org: Organization) -> int | None:
    """The newest year with a rating in the organisation's subtree (None: never rated)."""
    return (
        Rating.objects.filter(in_subtree("org_path", org.path))
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def ratings_visible_to(user) -> QuerySet[Rating]:
    require(user, Capability.VIEW_RECORDS)
    return Rating.objects.filter(in_subtree("org_path", user.organization.path))


@dataclass
class Spec:
    """A standard with its items and thresholds, read once for a whole pass."""

    standard: Standard
    items: list[Item]
    thresholds: list[tuple[int, int]]
    labels: dict[int, str]

    def label(self, rank: int) -> str:
        return self.labels.get(rank, self.standard.below_label)

    @property
    def total(self) -> int:
        return sum(item.points for item in self.items)


def specs() -> dict[str, Spec]:
    """field → its standard: three queries whatever the number of fields."""
    standards = {s.pk: s for s in Standard.objects.all()}
    items: dict[int, list[Item]] = defaultdict(list)
    for item in Item.objects.all():
        items[item.standard_id].append(item)
    levels: dict[int, list[Level]] = defaultdict(list)
    for level in Level.objects.all():
        levels[level.standard_id].append(level)
    return {
        s.field: Spec(standard=s, items=items[pk], thresholds=[(lv.rank, lv.min_score) for lv in levels[pk]],
                      labels={lv.rank: lv.label for lv in levels[pk]})
        for pk, s in standards.items()
    }  # fmt: skip


def level_specs() -> dict[str, Spec]:
    """field → its standard's levels only (no items): what the pages that name levels need, in two
    small queries of plain values."""
    labels: dict[int, dict[int, str]] = defaultdict(dict)
    thresholds: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for standard_id, rank, label, minimum in Level.objects.values_list(
        "standard_id", "rank", "label", "min_score"
    ):
        labels[standard_id][rank] = label
        thresholds[standard_id].append((rank, minimum))
    return {
        field: Spec(standard=Standard(pk=pk, field=field, below_label=below), items=[],
                    thresholds=thresholds[pk], labels=labels[pk])
        for pk, field, below in Standard.objects.values_list("pk", "field", "below_label")
    }  # fmt: skip


def spec_of(standard: Standard) -> Spec:
    levels = list(standard.levels.all())
    return Spec(standard=standard, items=list(standard.items.all()),
                thresholds=[(lv.rank, lv.min_score) for lv in levels], labels={lv.rank: lv.label for lv in levels})  # fmt: skip


def states(spec: Spec, values: dict, checks: dict[int, tuple[bool, bool | None]]) -> list[rules.ItemState]:
    """Each item's state from the stored fact values and the checklist's (claim, verdict)."""
    out = []
    for item in spec.items:
        raw = values.get(str(item.pk))
        claimed, verdict = checks.get(item.pk, (False, None))
        out.append(rules.ItemState(item_id=item.pk, points=item.points, evidence=item.evidence,
                                   threshold=item.threshold, value=Decimal(raw) if raw is not None else None,
                                   claimed=claimed, verdict=verdict))  # fmt: skip
    return out


@dataclass
class Row:
    item: Item
    state: rules.ItemState
    met: bool
    gap: str | None
    check: Check | None


@dataclass
class Checklist:
    rating: Rating
    spec: Spec
    groups: list[tuple[str, list[Row]]] = field(default_factory=list)
    gaps: list[Row] = field(default_factory=list)


def checklist(rating: Rating) -> Checklist:
    """The rating's items grouped under the five 好, each with whether it is met and why not."""
    spec = spec_of(rating.standard)
    checks = {c.item_id: c for c in rating.checks.select_related("verdict_by")}
    found = states(spec, rating.values, {k: (c.claimed, c.verdict) for k, c in checks.items()})
    rows: dict[str, list[Row]] = defaultdict(list)
    result = Checklist(rating=rating, spec=spec)
    for item, state in zip(spec.items, found, strict=True):
        row = Row(item=item, state=state, met=rules.met(state), gap=rules.gap_reason(state),
                  check=checks.get(item.pk))  # fmt: skip
        rows[item.heading].append(row)
        if row.gap:
            result.gaps.append(row)
    result.groups = [(label, rows[key]) for key, label in Heading.choices if rows.get(key)]
    return result


@dataclass
class Distribution:
    """How many branches of a subtree stand at each level (a level's label across standards)."""

    name: str
    org: Organization | None
    branches: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    confirmed: int = 0
    row_cells: list = field(default_factory=list)

    def cells(self, labels: list[str]) -> list[str]:
        """Each level's cell as shown (count and share), formatted once here: a county's table
        has hundreds of rows of ten cells."""
        out = []
        for label in labels:
            n = self.counts.get(label, 0)
            share = rules.share(n, self.branches)
            out.append(
                format_html('{} <span class="small text-secondary">{}%</span>', n, share) if n else "0"
            )
        return out


def distribution(
    *, org: Organization, year: int, found: dict[str, Spec] | None = None
) -> tuple[list[str], Distribution, list[Distribution]]:
    """The subtree's branches by level, in total and child by child: three queries (the
    branches, the ratings, the children) plus the standards (`found`, when already read)."""
    all_specs = {spec.standard.pk: spec for spec in (found or specs()).values()}
    children = list(
        Organization.objects.filter(in_subtree("path", org.path), depth=org.depth + 1).order_by("path")
    )
    per_child = {child.path: Distribution(name=child.name, org=child) for child in children}
    total = Distribution(name=org.name, org=org)
    step = len(org.path) + Organization.steplen
    branch_paths = Organization.objects.filter(in_subtree("path", org.path), kind=BRANCH).values_list(
        "path", flat=True
    )
    for path in branch_paths.order_by():  # no server-side cursor: a township's page is a few rows
        total.branches += 1
        child = per_child.get(path[:step])
        if child:
            child.branches += 1
    ranked: dict[str, int] = {}
    rows = Rating.objects.filter(in_subtree("org_path", org.path), year=year).values_list(
        "org_path", "standard_id", "rank", "final_rank", "status"
    )
    for path, standard_id, rank, final_rank, status in rows.order_by():
        spec = all_specs.get(standard_id)
        effective = final_rank if final_rank is not None else rank
        label = spec.label(effective) if spec else str(effective)
        ranked.setdefault(label, effective)
        done = status in (Rating.Status.CONFIRMED, Rating.Status.PUBLISHED)
        for bucket in (total, per_child.get(path[:step])):
            if bucket is None:
                continue
            bucket.counts[label] = bucket.counts.get(label, 0) + 1
            bucket.confirmed += done
    labels = sorted(ranked, key=lambda label: (-ranked[label], label))
    unrated = _("未评定")
    for bucket in [total, *per_child.values()]:
        bucket.counts[unrated] = bucket.branches - sum(bucket.counts.values())
    return [*labels, unrated], total, [d for d in per_child.values() if d.branches]


def branch_ratings(
    *, org: Organization, year: int, label: str = "", status: str = "", found: dict[str, Spec] | None = None
) -> QuerySet[Rating]:
    """The subtree's ratings in tree order, filtered by the label of their level (confirmed, else
    proposed) and by status, in the database so that a page reads only its rows."""
    rows = Rating.objects.filter(in_subtree("org_path", org.path), year=year).select_related("organization")
    if status in Rating.Status.values:
        rows = rows.filter(status=status)
    if label:
        wanted = Q(pk__in=[])
        for spec in (found or specs()).values():
            for rank, name in [*spec.labels.items(), (0, spec.standard.below_label)]:
                if name == label:
                    at = Q(final_rank=rank) | Q(final_rank__isnull=True, rank=rank)
                    wanted |= Q(standard_id=spec.standard.pk) & at
        rows = rows.filter(wanted)
    return rows.order_by("org_path")


def labelled(ratings, found: dict[str, Spec] | None = None) -> list[tuple[Rating, str, str]]:
    """Each rating with the label of its level and of the level its checklist gives."""
    all_specs = {spec.standard.pk: spec for spec in (found or specs()).values()}
    return [(r, all_specs[r.standard_id].label(r.effective_rank), all_specs[r.standard_id].label(r.rank))
            for r in ratings]  # fmt: skip


def published(*, org: Organization, year: int) -> list[tuple[str, list[Rating]]]:
    """The published list of the subtree's branches, level by level (highest first)."""
    all_specs = {spec.standard.pk: spec for spec in specs().values()}
    groups: dict[tuple[int, str], list[Rating]] = defaultdict(list)
    rows = Rating.objects.filter(in_subtree("org_path", org.path), year=year,
                                 status=Rating.Status.PUBLISHED).select_related("organization")  # fmt: skip
    for rating in rows.order_by("org_path"):
        rank = rating.effective_rank
        groups[(rank, all_specs[rating.standard_id].label(rank))].append(rating)
    return [(label, groups[(rank, label)]) for rank, label in sorted(groups, key=lambda k: (-k[0], k[1]))]


def checklist_items(spec: Spec) -> list[tuple[str, list[Item]]]:
    """A standard's items under the five 好 (the standard's own page)."""
    grouped: dict[str, list[Item]] = defaultdict(list)
    for item in spec.items:
        grouped[item.heading].append(item)
    return [(label, grouped[key]) for key, label in Heading.choices if grouped.get(key)]


# Education hours ------------------------------------------------------------------------------


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def norms() -> dict[str, int]:
    return dict(HourNorm.objects.values_list("group", "hours"))


def cadre_ids(scope: str) -> set[int]:
    """The members of the subtree who are the secretary of an organisation, any organisation (the
    56-hour norm)."""
    return set(
        Organization.objects.filter(in_subtree("secretary__org_path", scope)).values_list(
            "secretary_id", flat=True
        )
    )


def hours_by_member(scope: str, year: int) -> dict[int, Decimal]:
    """Each member of the subtree's hours in the year: one grouped query."""
    low, high = _year_range(year)
    rows = (
        Participation.objects.filter(in_subtree("member__org_path", scope), training__held_on__gte=low,
                                     training__held_on__lte=high)
        .values("member_id").annotate(total=Sum("training__hours")).order_by()
    )  # fmt: skip
    return {row["member_id"]: row["total"] for row in rows}


@dataclass
class MemberHours:
    member: Member
    hours: Decimal
    norm: int
    cadre: bool

    @property
    def done(self) -> bool:
        return self.hours >= self.norm


def branch_hours(*, org: Organization, year: int) -> list[MemberHours]:
    """The organisation's own members with their hours and their norm."""
    found = norms()
    hours = hours_by_member(org.path, year)
    cadres = cadre_ids(org.path)
    return [
        MemberHours(member=m, hours=hours.get(m.pk, Decimal(0)), cadre=m.pk in cadres,
                    norm=found.get(HourNorm.Group.CADRE if m.pk in cadres else HourNorm.Group.MEMBER, 0))
        for m in Member.objects.filter(org_path=org.path).only("id", "name").order_by("name", "id")
    ]  # fmt: skip


@dataclass
class HoursRollup:
    name: str
    org: Organization | None
    members: int = 0
    done: int = 0

    @property
    def share(self) -> Decimal | None:
        return rules.share(self.done, self.members)


def completion_tally(scope: str, year: int) -> tuple[list[tuple[str, int, int]], dict[str, int]]:
    """Each organisation of the subtree with members as (org_path, members, those who reached
    their norm): four queries, and the members counted per organisation here, so that a caller
    placing organisations in a tree does so once per organisation, not once per member."""
    found = norms()
    hours = hours_by_member(scope, year)
    cadres = cadre_ids(scope)
    member_norm, cadre_norm = found.get(HourNorm.Group.MEMBER, 0), found.get(HourNorm.Group.CADRE, 0)
    rows = Member.objects.filter(in_subtree("org_path", scope)).values_list("org_path", "id").order_by()
    members: dict[str, int] = defaultdict(int)
    reached: dict[str, int] = defaultdict(int)
    zero = Decimal(0)
    for path, member_id in rows.iterator(chunk_size=10000):
        members[path] += 1
        if hours.get(member_id, zero) >= (cadre_norm if member_id in cadres else member_norm):
            reached[path] += 1
    return [(path, n, reached.get(path, 0)) for path, n in members.items()], found


def education_rollup(*, org: Organization, year: int) -> tuple[HoursRollup, list[HoursRollup]]:
    """The share of members who reached their norm, in total and child by child."""
    children = list(
        Organization.objects.filter(in_subtree("path", org.path), depth=org.depth + 1).order_by("path")
    )
    per_child = {child.path: HoursRollup(name=child.name, org=child) for child in children}
    total = HoursRollup(name=org.name, org=org)
    step = len(org.path) + Organization.steplen
    tally, _norms = completion_tally(org.path, year)
    for path, members, done in tally:
        for bucket in (total, per_child.get(path[:step])):
            if bucket is not None:
                bucket.members += members
                bucket.done += done
    return total, [c for c in per_child.values() if c.members]


def trainings_of(*, org: Organization, year: int) -> QuerySet[Training]:
    low, high = _year_range(year)
    return (
        Training.objects.filter(organization=org, held_on__gte=low, held_on__lte=high)
        .annotate(people=Count("participations"))
        .order_by("-held_on", "-id")
    )


def member_trainings(*, member_id: int, year: int) -> list[Training]:
    low, high = _year_range(year)
    return list(
        Training.objects.filter(participations__member_id=member_id, held_on__gte=low, held_on__lte=high)
        .select_related("organization")
        .order_by("-held_on", "-id")
    )


# New members' follow-up -----------------------------------------------------------------------


def follow_up_years() -> int:
    period = FollowUpPeriod.objects.first()
    return period.years if period else 3


@dataclass
class FollowUpRow:
    member: Member
    ends: date
    review: FollowUpReview | None


@dataclass
class FollowUpStats:
    under: int = 0
    reviewed: int = 0
    grades: dict[str, int] = field(default_factory=dict)

    @property
    def due(self) -> int:
        return self.under - self.reviewed


def under_follow_up(
    *, org: Organization, year: int, due_only: bool = False
) -> tuple[list[FollowUpRow], FollowUpStats]:
    """The subtree's members under follow-up in the year with the year's review (or none yet),
    and the statistics: three queries."""
    years = follow_up_years()
    low, high = rules.converted_window(year, years)
    members = list(
        Member.objects.filter(in_subtree("org_path", org.path), full_member_on__gte=low, full_member_on__lte=high)
        .select_related("organization").only("id", "name", "full_member_on", "organization__name", "org_path")
        .order_by("org_path", "full_member_on", "id")
    )  # fmt: skip
    reviews = {
        r.member_id: r
        for r in FollowUpReview.objects.filter(year=year, member_id__in=[m.pk for m in members])
    }
    stats = FollowUpStats()
    rows = []
    for member in members:
        review = reviews.get(member.pk)
        stats.under += 1
        if review is not None:
            stats.reviewed += 1
            label = review.get_grade_display()
            stats.grades[label] = stats.grades.get(label, 0) + 1
        if due_only and review is not None:
            continue
        rows.append(
            FollowUpRow(member=member, ends=rules.follow_up_end(member.full_member_on, years), review=review)
        )
    return rows, stats


def may_review(user, member: Member) -> bool:
    """The member's own branch reviews them: its secretary or clerk."""
    return user.can(Capability.KEEP_RECORDS) and user.organization_id == member.organization_id
