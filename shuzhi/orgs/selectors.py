from django.db.models import Q, QuerySet

from shuzhi.core.access import get_scoped_or_404, in_subtree, require
from shuzhi.core.roles import Capability
from shuzhi.orgs.models import Organization


def orgs_visible_to(user) -> QuerySet[Organization]:
    require(user, Capability.VIEW_ORGS)
    return Organization.objects.filter(in_subtree("path", user.organization.path))


def organization_get(*, viewer, pk: int) -> Organization:
    return get_scoped_or_404(orgs_visible_to(viewer).select_related("secretary"), pk=pk)


def organization_search(*, viewer, query: str) -> QuerySet[Organization]:
    query = query.strip()
    return (
        orgs_visible_to(viewer).filter(Q(name__icontains=query) | Q(code__istartswith=query)).order_by("path")
    )


def organization_children(*, viewer, parent: Organization) -> QuerySet[Organization]:
    return (
        orgs_visible_to(viewer)
        .filter(in_subtree("path", parent.path), depth=parent.depth + 1)
        .order_by("path")
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
