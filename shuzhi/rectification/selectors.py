from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Min, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core.access import get_scoped_or_404, in_subtree
from shuzhi.core.roles import Capability
from shuzhi.cycles.hooks import Notice
from shuzhi.cycles.models import Cycle
from shuzhi.orgs.models import Organization
from shuzhi.rectification.models import Accountability, Item, QuarterlyCheck
from shuzhi.reports.hooks import CarriedItem
from shuzhi.scoring.models import Assessment, Result

STATUSES = tuple(Item.Status.values)


def items_visible_to(user) -> QuerySet[Item]:
    """The subtree's items for organisers and 督查办; a unit's own items for its secretary."""
    if user.can(Capability.VIEW_RECTIFICATION):
        return Item.objects.filter(in_subtree("org_path", user.organization.path))
    if user.can(Capability.WORK_RECTIFICATION):
        return Item.objects.filter(organization=user.organization)
    return Item.objects.none()


def my_items(viewer) -> QuerySet[Item]:
    """The unit's items by cycle (latest year first), each top-level item followed by its steps.

    Steps sort with their parent (by the parent's deadline and id), the parent first: written
    out, not left to where a database puts NULLs (PostgreSQL puts them last, SQLite first)."""
    return (
        items_visible_to(viewer)
        .select_related("cycle")
        .annotate(root_deadline=Coalesce("parent__deadline", "deadline"), root_id=Coalesce("parent_id", "id"))
        .order_by(
            "-cycle__year",
            "cycle_id",
            "root_deadline",
            "root_id",
            F("parent_id").asc(nulls_first=True),
            "deadline",
            "id",
        )
    )


def unit_items(viewer, *, org_pk: int) -> list[Item]:
    """A unit's top-level items the viewer may see, latest cycle first."""
    return list(
        items_visible_to(viewer)
        .filter(organization_id=org_pk, parent__isnull=True)
        .select_related("cycle", "organization")
        .order_by("-cycle__year", "deadline", "id")
    )


def item_get(*, viewer, pk: int) -> Item:
    return get_scoped_or_404(
        items_visible_to(viewer).select_related("organization", "cycle", "parent"), pk=pk
    )


class Board:
    """Per unit: items by status, overdue, mean progress — grouped by the unit's path, in path
    order, straight from the index on (org_path, status) of top-level items (steps are inside
    their item's progress); the units' names are read for the page shown only."""

    def __init__(self, items: QuerySet[Item]):
        counts = {f"n_{status}": Count("id", filter=Q(status=status)) for status in STATUSES}
        self.rows = (
            items.values("org_path")
            .annotate(total=Count("id"), progress=Avg("progress"), **counts)
            .order_by("org_path")
        )
        self.items = items

    def count(self) -> int:
        return self.items.values("org_path").distinct().count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        rows = list(self.rows[index])
        units = Organization.objects.filter(path__in=[r["org_path"] for r in rows]).values_list(
            "path", "id", "name"
        )
        found = {path: (pk, name) for path, pk, name in units}
        for row in rows:
            row["organization_id"], row["organization__name"] = found.get(row["org_path"], (None, ""))
        return rows


def board(
    *, viewer, year: int | None = None, unit_query: str = "", status: str = "", cycle: int | None = None
) -> Board:
    items = items_visible_to(viewer).filter(parent__isnull=True)
    if cycle:
        items = items.filter(cycle_id=cycle)  # the roll-up's 整改销号率 of one cycle
    if status:
        items = items.filter(status=status)
    if year:
        items = items.filter(cycle__year=year)
    if unit_query:
        paths = Organization.objects.filter(
            in_subtree("path", viewer.organization.path), name__icontains=unit_query
        )
        items = items.filter(org_path__in=paths.values("path"))
    return Board(items)


def board_cycle(*, viewer, pk: int) -> Cycle:
    """The cycle a board is filtered by: one on the viewer's line (their own, one above whose items
    below they follow, or one below); 404 for any other."""
    path = viewer.organization.path
    return get_scoped_or_404(
        Cycle.objects.filter(in_subtree("org_path", path) | Q(org_path__in=_ancestors(path))).only(
            "id", "title", "year", "org_path"
        ),
        pk=pk,
    )


def _ancestors(path: str) -> list[str]:
    step = Organization.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def overdue_counts(*, viewer, cycle=None, org_path: str | None = None) -> int:
    items = items_visible_to(viewer).filter(status=Item.Status.OVERDUE)
    if cycle is not None:
        items = items.filter(cycle=cycle)
    if org_path is not None:
        items = items.filter(in_subtree("org_path", org_path))
    return items.count()


def cycle_notice(viewer, cycle) -> Notice | None:
    """The cycle page's note of the cycle's overdue items, for those who follow them (one COUNT,
    only once the cycle has results)."""
    if cycle.status not in (Cycle.Status.PUBLISHED, Cycle.Status.ARCHIVED) or not viewer.can(
        Capability.VIEW_RECTIFICATION
    ):
        return None
    count = overdue_counts(viewer=viewer, cycle=cycle)
    if not count:
        return None
    return Notice(
        text=_("整改逾期 %(n)d 项") % {"n": count},
        link=f"{reverse('rectification:board')}?year={cycle.year}",
        testid="cycle-overdue",
    )


def carried_over(year: int, organization_ids, *, recent_days: int = 180) -> dict[int, list[CarriedItem]]:
    """For next year's reports, in one query: each unit's items of earlier cycles still open or
    awaiting sign-off, and those closed recently."""
    since = timezone.now() - timedelta(days=recent_days)
    items = Item.objects.filter(
        organization_id__in=organization_ids, cycle__year__lt=year, parent__isnull=True
    )
    found: dict[int, list[CarriedItem]] = {}
    for item in items:
        if (
            item.is_open
            or item.status == Item.Status.AWAITING
            or (item.closed_at and item.closed_at >= since)
        ):
            found.setdefault(item.organization_id, []).append(
                CarriedItem(
                    title=item.title,
                    status_label=item.get_status_display(),
                    problem_id=item.source_id if item.source == Item.Source.PROBLEM else None,
                )
            )
    return found


def unit_lookup(*, viewer, text: str) -> Organization:
    """The organisation of the viewer's subtree that `text` names: by its code, its full name, or
    a part of its name that only one has. One message for "no such unit" and "not in your
    subtree", so that the form tells nothing about units outside it."""
    text = text.strip()
    if not text:
        raise ValidationError(_("请填写单位名称或组织编码。"), code="required")
    scope = Organization.objects.filter(in_subtree("path", viewer.organization.path)).only(
        "id", "name", "code", "path"
    )
    found = (
        list(scope.filter(Q(code=text) | Q(code=text.upper()))[:1])
        or list(scope.filter(name=text).order_by("path")[:6])
        or list(scope.filter(name__icontains=text).order_by("path")[:6])
    )
    if not found:
        raise ValidationError(
            _("本单位及下级党组织中没有“%(text)s”，请核对单位名称或组织编码。") % {"text": text[:50]},
            code="unknown_unit",
        )
    if len(found) > 1:
        names = "、".join(f"{org.name}（{org.code}）" for org in found[:5])
        raise ValidationError(
            _("“%(text)s”对应多个党组织：%(names)s%(more)s。请填写组织编码。")
            % {"text": text[:50], "names": names, "more": "等" if len(found) > 5 else ""},
            code="ambiguous_unit",
        )
    return found[0]


def results_of_unit(organization) -> QuerySet:
    """The unit's published assessment results of every year, newest first, with their cycles
    (a result not yet published is seen only on its own cycle's pages, by those who run it)."""
    return (
        Result.objects.filter(reporter__organization=organization)
        .exclude(assessment__status=Assessment.Status.COMPUTED)
        .select_related("assessment__cycle")
        .order_by("-pk")
    )


def own_cycle_get(*, viewer, pk: int) -> Cycle:
    """A cycle in which the viewer's unit has rectification items (404 otherwise)."""
    return get_scoped_or_404(
        Cycle.objects.filter(rectification_items__organization=viewer.organization).distinct(), pk=pk
    )


def unit_code(*, viewer, pk: int) -> str:
    """The code of an organisation of the viewer's subtree, or "" when it is not one of them."""
    scope = Organization.objects.filter(in_subtree("path", viewer.organization.path))
    return scope.filter(pk=pk).values_list("code", flat=True).first() or ""


def quarter_checks(*, viewer, quarter: str, limit: int) -> list[QuarterlyCheck]:
    """The latest 督查 records of the quarter in the viewer's subtree."""
    return list(
        QuarterlyCheck.objects.filter(
            in_subtree("organization__path", viewer.organization.path), quarter=quarter
        )
        .select_related("organization", "item", "checked_by")
        .order_by("-created_at", "-id")[:limit]
    )


def accountability_grounds(
    *, viewer, unit: Organization, item_ids, result_ids
) -> tuple[list[Item], list[Result]]:
    """The items and results a 问责 record names, only those of the unit the viewer may see."""
    items = list(items_visible_to(viewer).filter(pk__in=item_ids, organization=unit))
    results = list(
        Result.objects.filter(pk__in=result_ids, reporter__organization=unit).select_related("reporter")
    )
    return items, results


def accountability_records(*, viewer) -> QuerySet[Accountability]:
    """问责 records of the viewer's subtree, with what each names."""
    return (
        Accountability.objects.filter(in_subtree("org_path", viewer.organization.path))
        .select_related("organization", "created_by")
        .prefetch_related(Prefetch("items", queryset=Item.objects.only("id", "title")), "results")
    )


def unit_summary(viewer) -> dict:
    """The viewer's own unit's top-level items: open, overdue and the next deadline (one query)."""
    open_statuses = [s for s in STATUSES if s not in (Item.Status.CLOSED,)]
    return (
        items_visible_to(viewer)
        .filter(organization_id=viewer.organization_id, parent__isnull=True)
        .aggregate(
            open=Count("id", filter=Q(status__in=open_statuses)),
            overdue=Count("id", filter=Q(status=Item.Status.OVERDUE)),
            next_deadline=Min("deadline", filter=Q(status__in=open_statuses)),
        )
    )


def units_unchecked(*, viewer, quarter: str) -> int:
    """Units of the subtree with open items and no 督查 recorded in the quarter (one query)."""
    checked = QuarterlyCheck.objects.filter(quarter=quarter).values("organization_id")
    return (
        items_visible_to(viewer)
        .filter(parent__isnull=True)
        .exclude(status=Item.Status.CLOSED)
        .exclude(organization_id__in=checked)
        .values("organization_id")
        .distinct()
        .count()
    )


def rollup_closure(viewer, cycles: list) -> dict:
    """The roll-up's 整改 column: each cycle's top-level items signed off of all (one query)."""
    from shuzhi.cycles.hooks import Cell

    rows = (
        Item.objects.filter(cycle_id__in=[c.pk for c in cycles], parent__isnull=True)
        .values("cycle_id")
        .annotate(total=Count("id"), closed=Count("id", filter=Q(status=Item.Status.CLOSED)))
        .order_by()
    )
    return {
        row["cycle_id"]: Cell(
            text=f"{round(100 * row['closed'] / row['total'])}%（{row['closed']}/{row['total']}）",
            link=f"{reverse('rectification:board')}?cycle={row['cycle_id']}",
            title=_("整改销号率"),
        )
        for row in rows
        if row["total"]
    }
