from django.db.models import Avg, Count, Q, QuerySet

from shuzhi.core.access import get_scoped_or_404, in_subtree
from shuzhi.core.roles import Capability
from shuzhi.orgs.models import Organization
from shuzhi.rectification.models import Item

STATUSES = tuple(Item.Status.values)


def items_visible_to(user) -> QuerySet[Item]:
    """The subtree's items for organisers and 督查办; a unit's own items for its secretary."""
    if user.can(Capability.VIEW_RECTIFICATION):
        return Item.objects.filter(in_subtree("org_path", user.organization.path))
    if user.can(Capability.WORK_RECTIFICATION):
        return Item.objects.filter(organization=user.organization)
    return Item.objects.none()


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


def board(*, viewer, year: int | None = None, unit_query: str = "") -> Board:
    items = items_visible_to(viewer).filter(parent__isnull=True)
    if year:
        items = items.filter(cycle__year=year)
    if unit_query:
        paths = Organization.objects.filter(
            in_subtree("path", viewer.organization.path), name__icontains=unit_query
        )
        items = items.filter(org_path__in=paths.values("path"))
    return Board(items)


def overdue_counts(*, viewer, cycle=None, org_path: str | None = None) -> int:
    items = items_visible_to(viewer).filter(status=Item.Status.OVERDUE)
    if cycle is not None:
        items = items.filter(cycle=cycle)
    if org_path is not None:
        items = items.filter(in_subtree("org_path", org_path))
    return items.count()
