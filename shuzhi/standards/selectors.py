"""Reads of the standards area, scoped to the viewer's subtree, and who may do what."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shuzhi.core.access import get_scoped_or_404, in_subtree, require
from shuzhi.core.roles import Capability
from shuzhi.orgs.models import Organization
from shuzhi.standards import rules
from shuzhi.standards.models import Check, Heading, Item, Level, Rating, Standard

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


def organization_get(*, viewer, pk: int) -> Organization:
    require(viewer, Capability.VIEW_RECORDS)
    return get_scoped_or_404(Organization.objects.filter(in_subtree("path", viewer.organization.path)), pk=pk)


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

    def cells(self, labels: list[str]) -> list[tuple[int, Decimal | None]]:
        return [(self.counts.get(label, 0), rules.share(self.counts.get(label, 0), self.branches))
                for label in labels]  # fmt: skip


def distribution(*, org: Organization, year: int) -> tuple[list[str], Distribution, list[Distribution]]:
    """The subtree's branches by level, in total and child by child: three queries (the
    branches, the ratings, the children) plus the standards."""
    all_specs = {spec.standard.pk: spec for spec in specs().values()}
    children = list(
        Organization.objects.filter(in_subtree("path", org.path), depth=org.depth + 1).order_by("path")
    )
    per_child = {child.path: Distribution(name=child.name, org=child) for child in children}
    total = Distribution(name=org.name, org=org)
    step = len(org.path) + Organization.steplen
    branch_paths = Organization.objects.filter(in_subtree("path", org.path), kind=BRANCH).values_list(
        "path", flat=True
    )
    for path in branch_paths.order_by().iterator(chunk_size=5000):
        total.branches += 1
        child = per_child.get(path[:step])
        if child:
            child.branches += 1
    ranked: dict[str, int] = {}
    rows = Rating.objects.filter(in_subtree("org_path", org.path), year=year).values_list(
        "org_path", "standard_id", "rank", "final_rank", "status"
    )
    for path, standard_id, rank, final_rank, status in rows.order_by().iterator(chunk_size=5000):
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


def branch_ratings(*, org: Organization, year: int, label: str = "", status: str = "") -> list[tuple]:
    """The subtree's rated branches with their level's label, filtered by label and status."""
    all_specs = {spec.standard.pk: spec for spec in specs().values()}
    rows = Rating.objects.filter(in_subtree("org_path", org.path), year=year).select_related("organization")
    if status in Rating.Status.values:
        rows = rows.filter(status=status)
    out = []
    for rating in rows.order_by("org_path"):
        spec = all_specs[rating.standard_id]
        found = spec.label(rating.effective_rank)
        if not label or label == found:
            out.append((rating, found, spec.label(rating.rank)))
    return out


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
