from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr

from shuzhi.accounts.roles import Capability
from shuzhi.core.access import get_scoped_or_404, require
from shuzhi.orgs.models import Organization


def orgs_visible_to(user) -> QuerySet[Organization]:
    require(user, Capability.VIEW_ORGS)
    return Organization.objects.filter(path__startswith=user.organization.path)


def organization_get(*, viewer, pk: int) -> Organization:
    return get_scoped_or_404(orgs_visible_to(viewer).select_related("secretary"), pk=pk)


def organization_search(*, viewer, query: str) -> QuerySet[Organization]:
    query = query.strip()
    return (
        orgs_visible_to(viewer).filter(Q(name__icontains=query) | Q(code__istartswith=query)).order_by("path")
    )


def organization_children(*, viewer, parent: Organization) -> QuerySet[Organization]:
    return (
        orgs_visible_to(viewer).filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("path")
    )


def organization_breadcrumbs(*, viewer, org: Organization) -> list[Organization]:
    """Ancestors of `org` from the viewer's own organisation down, in one query."""
    root = viewer.organization
    steplen = Organization.steplen
    paths = [org.path[:n] for n in range(len(root.path), len(org.path), steplen)]
    return list(Organization.objects.filter(path__in=paths).only("id", "name", "path").order_by("path"))


def organization_path_names(*, viewer, paths: set[str]) -> dict[str, list[str]]:
    """For each path, the names of its ancestors below the viewer's organisation, in one query."""
    steplen = Organization.steplen
    start = len(viewer.organization.path)
    wanted = {path[:n] for path in paths for n in range(start, len(path), steplen)}
    names = dict(Organization.objects.filter(path__in=wanted).values_list("path", "name"))
    return {
        path: [names[path[:n]] for n in range(start, len(path), steplen) if path[:n] in names]
        for path in paths
    }


@dataclass(frozen=True)
class SubtreeTotals:
    organizations: int  # in the subtree, the organisation itself included
    members: int
    probationary: int

    @property
    def full(self) -> int:
        return self.members - self.probationary


def organization_subtree_totals(org: Organization) -> SubtreeTotals:
    row = Organization.objects.filter(path__startswith=org.path).aggregate(
        organizations=Count("id"),
        members=Coalesce(Sum("member_count"), 0),
        probationary=Coalesce(Sum("probationary_count"), 0),
    )
    return SubtreeTotals(**row)


def organization_children_totals(
    parent: Organization, children: list[Organization]
) -> dict[str, SubtreeTotals]:
    """Subtree totals for each child on a page, keyed by the child's path, in one query."""
    if not children:
        return {}
    width = (parent.depth + 1) * Organization.steplen
    prefixes = Q()
    for child in children:
        prefixes |= Q(path__startswith=child.path)
    rows = (
        Organization.objects.filter(prefixes)
        .annotate(branch=Substr("path", 1, width))
        .values("branch")
        .annotate(
            organizations=Count("id"),
            members=Coalesce(Sum("member_count"), 0),
            probationary=Coalesce(Sum("probationary_count"), 0),
        )
        .order_by()
    )
    return {
        row["branch"]: SubtreeTotals(row["organizations"], row["members"], row["probationary"])
        for row in rows
    }
