"""Reads of flags, the watch list and 整顿, already scoped to the viewer's subtree."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core.access import get_scoped_or_404, in_subtree
from shuzhi.core.roles import Capability
from shuzhi.orgs.models import Organization
from shuzhi.weakorgs import gather, rules, services
from shuzhi.weakorgs.models import (
    Entry,
    Flag,
    FlagRun,
    LiaisonPoint,
    Progress,
    ProgressFile,
    RatioPractice,
    Rule,
)

VIEW = (Capability.VIEW_RECTIFICATION, Capability.MANAGE_RECTIFICATION, Capability.WORK_RECTIFICATION)
RATIO_FIELDS = (Organization.Field.RURAL, Organization.Field.COMMUNITY)


def may_view(user) -> bool:
    return user.is_authenticated and any(user.can(c) for c in VIEW)


def require_view(user) -> None:
    if not may_view(user):
        raise PermissionDenied


def scope_path(user) -> str:
    require_view(user)
    return user.organization.path


def org_get(*, viewer, pk: int) -> Organization:
    return get_scoped_or_404(Organization.objects.filter(in_subtree("path", scope_path(viewer))), pk=pk)


def entries_visible_to(user) -> QuerySet[Entry]:
    return Entry.objects.filter(in_subtree("org_path", scope_path(user)))


def entry_get(*, viewer, pk: int) -> Entry:
    return get_scoped_or_404(
        entries_visible_to(viewer).select_related("organization", "added_by", "accepted_by"), pk=pk
    )


def file_get(*, entry: Entry, pk: int) -> ProgressFile:
    return get_scoped_or_404(ProgressFile.objects.filter(progress__entry=entry), pk=pk)


@dataclass
class RuleCount:
    rule: Rule
    count: int | None  # None: 无数据 (no source) or switched off


def rule_counts(*, viewer, year: int) -> list[RuleCount]:
    counted = dict(
        Flag.objects.filter(in_subtree("org_path", scope_path(viewer)), year=year)
        .values_list("rule")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        RuleCount(rule=rule, count=counted.get(rule.key, 0) if rule.enabled and rule.has_source else None)
        for rule in Rule.objects.all()
    ]


def last_run(year: int) -> FlagRun | None:
    return FlagRun.objects.filter(year=year).first()


@dataclass
class FlaggedOrg:
    org: Organization
    flags: list[Flag]
    entry: Entry | None


def flagged_orgs(*, viewer, year: int, rule: str = ""):
    """(organisation id, flags) of the viewer's subtree flagged in the year (by one rule), the most
    flagged first: the list is filled from the bottom. Grouped on the flags alone."""
    flags = Flag.objects.filter(in_subtree("org_path", scope_path(viewer)), year=year)
    if rule:
        flags = flags.filter(rule=rule)
    return flags.values("organization_id", "org_path").annotate(n=Count("id")).order_by("-n", "org_path")


def flagged_rows(groups: list[dict], *, year: int, labels: dict[str, str]) -> list[FlaggedOrg]:
    """One page of flagged organisations with their flags and entries: three queries."""
    ids = [group["organization_id"] for group in groups]
    orgs = Organization.objects.in_bulk(ids)
    by_org: dict[int, list[Flag]] = defaultdict(list)
    for flag in Flag.objects.filter(organization_id__in=ids, year=year).order_by("rule"):
        flag.label = labels.get(flag.rule, flag.rule)
        by_org[flag.organization_id].append(flag)
    entries = {e.organization_id: e for e in Entry.objects.filter(organization_id__in=ids, year=year)}
    return [
        FlaggedOrg(org=orgs[pk], flags=by_org.get(pk, []), entry=entries.get(pk)) for pk in ids if pk in orgs
    ]


@dataclass
class RatioRow:
    field: str
    label: str
    percent: Decimal
    total: int
    listed: int
    required: int

    @property
    def short(self) -> int:
        return max(self.required - self.listed, 0)


def ratio_rows(*, viewer, year: int) -> list[RatioRow]:
    """Per field under the ratio practice: the subtree's grassroots organisations, those on the
    list and those the practice requires."""
    path = scope_path(viewer)
    practices = {p.field: p for p in RatioPractice.objects.filter(enabled=True)}
    if not practices:
        return []
    totals = dict(
        Organization.objects.filter(in_subtree("path", path), field__in=list(practices))
        .filter(gather.grassroots_q())
        .values_list("field")
        .annotate(n=Count("id"))
        .order_by()
    )
    listed = dict(
        Entry.objects.filter(in_subtree("org_path", path), year=year, organization__field__in=list(practices))
        .exclude(status=Entry.Status.REMOVED)
        .values_list("organization__field")
        .annotate(n=Count("id"))
        .order_by()
    )
    labels = dict(Organization.Field.choices)
    return [
        RatioRow(field=field, label=str(labels.get(field, field)), percent=p.percent, total=totals.get(field, 0),
                 listed=listed.get(field, 0), required=rules.required_on_list(totals.get(field, 0), p.percent))
        for field, p in sorted(practices.items())
    ]  # fmt: skip


def watchlist(*, viewer, year: int, status: str = "") -> QuerySet[Entry]:
    entries = entries_visible_to(viewer).filter(year=year).select_related("organization")
    if status:
        entries = entries.filter(status=status)
    # the list's columns only (not the plan's texts nor the flags kept at listing)
    return entries.defer("flags", "problems", "measures", "acceptance_opinion").order_by("org_path")


def with_progress_counts(entries: list[Entry]) -> list[Entry]:
    """One page's entries with how many progress records each has: one grouped query."""
    counted = dict(
        Progress.objects.filter(entry__in=entries).values_list("entry_id").annotate(n=Count("id")).order_by()
    )
    for entry in entries:
        entry.progress_count = counted.get(entry.pk, 0)
    return entries


@dataclass
class RuleOutcome:
    rule: Rule
    outcome: rules.Outcome
    summary: str
    evidence: list[dict[str, str]]


def outcomes_of(org: Organization, *, year: int) -> list[RuleOutcome]:
    """Every rule over one organisation now (a few queries), as its page shows them: hit, clear,
    or 无数据; a rule switched off or not applying to its field is shown as such, never as clear."""
    today = timezone.localdate()
    base = gather.Grassroots(id=org.pk, path=org.path, name=org.name, field=org.field, kind=org.kind,
                             secretary_id=org.secretary_id, created_at=timezone.localdate(org.created_at))  # fmt: skip
    found = gather.gather([base], year=year, today=today, scope=org.path)
    f = found.facts[org.pk]
    out = []
    for rule in Rule.objects.all():
        outcome = rules.evaluate(rule.key, rule.threshold, f, today=today)
        summary, evidence = found.explain(base, rule.key)
        out.append(RuleOutcome(rule=rule, outcome=outcome, summary=summary, evidence=evidence))
    return out


def history(org: Organization) -> QuerySet[Entry]:
    return Entry.objects.filter(organization=org).order_by("-year")


def progress_of(entry: Entry) -> QuerySet[Progress]:
    return entry.progress.select_related("created_by").prefetch_related("files")


def is_grassroots(org: Organization) -> bool:
    return org.level == Organization.Level.VILLAGE or org.kind == Organization.Kind.BRANCH


can_organise = services.organises
can_accept = services.is_above
is_unit = services.is_unit


def points_visible_to(user) -> QuerySet[LiaisonPoint]:
    return LiaisonPoint.objects.filter(in_subtree("org_path", scope_path(user)))


def point_get(*, viewer, pk: int) -> LiaisonPoint:
    """The leader's own point, or one of the viewer's subtree (404 otherwise)."""
    points = LiaisonPoint.objects.select_related("organization", "leader")
    if viewer.is_authenticated and points.filter(pk=pk, leader=viewer).exists():
        return points.get(pk=pk)
    return get_scoped_or_404(points.filter(in_subtree("org_path", scope_path(viewer))), pk=pk)


def my_points(user) -> QuerySet[LiaisonPoint]:
    return (
        LiaisonPoint.objects.filter(leader=user, active=True)
        .select_related("organization")
        .annotate(visit_count=Count("visits"))
        .order_by("org_path")
    )


def weak_without_liaison(*, viewer, year: int) -> QuerySet[Entry]:
    """The year's listed organisations of the subtree (still on the list) that no leader links to."""
    linked = LiaisonPoint.objects.filter(active=True).values("organization_id")
    return (
        entries_visible_to(viewer)
        .filter(year=year)
        .exclude(status__in=[Entry.Status.REMOVED, Entry.Status.CLOSED])
        .exclude(organization_id__in=linked)
        .select_related("organization")
        .order_by("org_path")
    )


def liaison_points(*, viewer) -> QuerySet[LiaisonPoint]:
    return (
        points_visible_to(viewer)
        .filter(active=True)
        .select_related("organization", "leader")
        .annotate(visit_count=Count("visits"))
        .order_by("org_path", "leader_name")
    )


def without_plan(*, viewer, year: int) -> QuerySet[Entry]:
    """Entries being rectified (整顿中, 验收未通过) whose 一村一策 plan is not complete."""
    return without_plan_in(viewer=viewer, years=[year])


def without_plan_in(*, viewer, years) -> QuerySet[Entry]:
    missing = Q(problems="") | Q(measures="") | Q(deadline__isnull=True) | Q(responsible_leader="")
    return entries_visible_to(viewer).filter(
        missing, year__in=years, status__in=(Entry.Status.LISTED, Entry.Status.RETURNED)
    )


def without_plan_by_year(*, viewer, years) -> dict[int, int]:
    """How many entries lack a plan, per list year (one query): a list drawn up at the end of
    one year is rectified during the next, so the workbench asks about both."""
    rows = without_plan_in(viewer=viewer, years=years).values_list("year").annotate(n=Count("id")).order_by()
    return dict(rows)


def rollup_weak(viewer, cycles: list) -> dict:
    """The roll-up's 软弱涣散 column: organisations on the year's list in each cycle's subtree and
    the share struck off (销号), from one read of the subtree's entries."""
    from django.urls import reverse

    from shuzhi.cycles.hooks import Cell

    if not cycles or not may_view(viewer):
        return {}
    rows = (
        entries_visible_to(viewer)
        .filter(year__in={c.year for c in cycles})
        .exclude(status=Entry.Status.REMOVED)
        .values_list("year", "org_path", "status")
    )
    by_cycle = {(c.year, c.org_path): c for c in cycles}
    depths = sorted({len(c.org_path) for c in cycles})
    totals: dict[int, list[int]] = {}
    for year, path, status in rows:
        for depth in depths:
            cycle = by_cycle.get((year, path[:depth]))
            if cycle is not None:
                found = totals.setdefault(cycle.pk, [0, 0])
                found[0] += 1
                found[1] += status == Entry.Status.CLOSED
    watchlist = reverse("weakorgs:watchlist")
    cells = {}
    for cycle in cycles:
        listed, closed = totals.get(cycle.pk, (0, 0))
        text = f"{listed}，销号 {round(100 * closed / listed)}%" if listed else "0"
        cells[cycle.pk] = Cell(
            text=text,
            link=f"{watchlist}?year={cycle.year}&org={cycle.organization_id}",
            title=_("软弱涣散及销号率"),
        )
    return cells
