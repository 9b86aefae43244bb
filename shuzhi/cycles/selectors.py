from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shuzhi.core.access import get_scoped_or_404, in_subtree, require
from shuzhi.core.roles import Capability, Role
from shuzhi.cycles import hooks
from shuzhi.cycles.models import LATE_STATUSES, Cycle, Reporter, ReportStatus
from shuzhi.orgs.models import Organization

STATUS_KEYS = tuple(ReportStatus.values)


def cycles_visible_to(user) -> QuerySet[Cycle]:
    """Cycles run anywhere in the user's subtree (a county organiser: theirs and below)."""
    require(user, Capability.VIEW_CYCLES)
    return Cycle.objects.filter(in_subtree("org_path", user.organization.path))


def cycle_get(*, viewer, pk: int) -> Cycle:
    return get_scoped_or_404(cycles_visible_to(viewer).select_related("organization", "meeting"), pk=pk)


def can_manage(user, cycle: Cycle) -> bool:
    return user.role == Role.ORGANISER and user.organization_id == cycle.organization_id


def cycle_rollup(*, viewer, year: int | None = None) -> list[Cycle]:
    """Cycles in the subtree with their progress: how many reports are in each state."""
    cycles = cycles_visible_to(viewer).select_related("organization")
    if year:
        cycles = cycles.filter(year=year)
    counts = {
        f"n_{status}": Count("reporters", filter=Q(reporters__report__status=status))
        for status in STATUS_KEYS
    }
    rows = list(cycles.annotate(n_reporters=Count("reporters"), **counts).order_by("-year", "org_path"))
    base_depth = viewer.organization.depth
    columns = hooks.rollup_columns()
    cells = [column.cells(viewer, rows) for column in columns] if rows else []
    for cycle in rows:
        cycle.cells = [
            (column.key, found.get(cycle.pk)) for column, found in zip(columns, cells, strict=True)
        ]
        cycle.level = cycle.organization.depth - base_depth
        done = cycle.n_submitted + cycle.n_accepted
        cycle.percent_in = round(100 * done / cycle.n_reporters) if cycle.n_reporters else 0
        cycle.percent_accepted = round(100 * cycle.n_accepted / cycle.n_reporters) if cycle.n_reporters else 0
    return rows


def cycle_years(*, viewer) -> list[int]:
    return list(cycles_visible_to(viewer).order_by("-year").values_list("year", flat=True).distinct())


@dataclass(frozen=True)
class ReporterFilter:
    group: str = ""
    status: str = ""
    late: bool = False


def cycle_reporters(*, cycle: Cycle, filters: ReporterFilter) -> QuerySet[Reporter]:
    """The reporters of a cycle with their report's state, one query."""
    reporters = (
        cycle.reporters.select_related("organization", "secretary", "report")
        .only(
            "id",
            "group",
            "mode",
            "position",
            "cycle_id",
            "organization__id",
            "organization__name",
            "organization__path",
            "secretary__id",
            "secretary__full_name",
            "secretary__username",
            "secretary__password",
            "secretary__last_login",
            "secretary__must_change_password",
            "report__id",
            "report__entered_by_id",
            "report__status",
            "report__submitted_at",
            "report__updated_at",
        )
        .order_by("position", "id")
    )
    if filters.group:
        reporters = reporters.filter(group=filters.group)
    if filters.status:
        reporters = reporters.filter(report__status=filters.status)
    if filters.late:
        reporters = reporters.filter(report__status__in=LATE_STATUSES)
    return reporters


def is_late(cycle: Cycle) -> bool:
    """Past the deadline: reports not in yet are late."""
    return cycle.accepts_reports and timezone.localdate() > cycle.report_due


def cycle_summary(*, cycle: Cycle) -> dict[str, object]:
    """Counts by report state and by group, for the whole cycle, in one query."""
    rows = cycle.reporters.values("group", "report__status").annotate(n=Count("id")).order_by()
    by_status = dict.fromkeys(STATUS_KEYS, 0)
    by_group: dict[str, int] = {group: 0 for group in cycle.groups}
    total = 0
    for row in rows:
        total += row["n"]
        by_group[row["group"]] = by_group.get(row["group"], 0) + row["n"]
        if row["report__status"]:
            by_status[row["report__status"]] += row["n"]
    waiting = sum(by_status[status] for status in LATE_STATUSES)
    statuses = [(key, label, by_status[key]) for key, label in ReportStatus.choices]
    return {
        "total": total,
        "by_status": by_status,
        "statuses": statuses,
        "by_group": by_group,
        "late": waiting if is_late(cycle) else 0,
    }


def reporter_candidates(*, cycle: Cycle) -> QuerySet[Organization]:
    """Units that may report in the cycle: the two levels below the organising unit (a city names
    its counties and the units under 市直机关工委; a township its villages), not yet named."""
    root = cycle.organization
    return (
        Organization.objects.filter(in_subtree("path", root.path), depth__in=(root.depth + 1, root.depth + 2))
        .exclude(pk__in=cycle.reporters.values("organization_id"))
        .only("id", "name", "path", "depth")
        .order_by("path")
    )


def reporter_get(*, viewer, cycle: Cycle, pk: int) -> Reporter:
    return get_scoped_or_404(cycle.reporters.select_related("organization", "secretary", "report"), pk=pk)


def latest_cycle_of(org) -> Cycle | None:
    """The newest cycle an organisation runs, with its meeting and assessment (one query): what
    the organiser's workbench follows."""
    return (
        Cycle.objects.filter(organization=org)
        .select_related("organization", "meeting", "assessment")
        .order_by("-year")
        .first()
    )


def ancestor_paths(org: Organization) -> list[str]:
    """The paths of the organisations above `org` (not itself), top first."""
    step = Organization.steplen
    return [org.path[:end] for end in range(step, len(org.path), step)]


def offered_templates(*, viewer) -> list[Cycle]:
    """Cycles the levels above offered as templates, newest year first, each marked with the
    viewer's own cycle of that year if one exists (two queries)."""
    require(viewer, Capability.MANAGE_CYCLES)
    templates = list(
        Cycle.objects.filter(org_path__in=ancestor_paths(viewer.organization), offered_at__isnull=False)
        .select_related("organization")
        .order_by("-year", "-org_path")
    )
    own = {
        c.year: c
        for c in Cycle.objects.filter(organization=viewer.organization, year__in={t.year for t in templates})
    }
    for template in templates:
        template.own_cycle = own.get(template.year)
    return templates


def offered_template_get(*, viewer, pk: int) -> Cycle:
    require(viewer, Capability.MANAGE_CYCLES)
    return get_scoped_or_404(
        Cycle.objects.filter(org_path__in=ancestor_paths(viewer.organization), offered_at__isnull=False),
        pk=pk,
    )
