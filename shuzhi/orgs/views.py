from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shuzhi.core.access import capability_required
from shuzhi.core.forms import apply_service_errors
from shuzhi.core.pagination import KnownCountPaginator
from shuzhi.core.roles import Capability
from shuzhi.orgs import hooks, selectors, services
from shuzhi.orgs.forms import OrganizationForm
from shuzhi.orgs.models import Organization

CHILDREN_PER_PAGE = 50


def _children_page(viewer, parent: Organization, page_number):
    """A page of a node's children; their subtree totals are on their own rows, and how many
    there are is treebeard's numchild, so no COUNT over a city."""
    children = selectors.organization_children(viewer=viewer, parent=parent)
    return KnownCountPaginator(children, CHILDREN_PER_PAGE, count=parent.numchild).get_page(page_number)


@capability_required(Capability.VIEW_ORGS)
@require_http_methods(["GET"])
def tree(request):
    root = request.user.organization
    query = request.GET.get("q", "").strip()[:100]
    if query:
        results = Paginator(selectors.organization_search(viewer=request.user, query=query), 30).get_page(
            request.GET.get("page")
        )
        paths = {org.path for org in results}
        names = selectors.organization_path_names(viewer=request.user, paths=paths)
        rows = [(org, names.get(org.path, [])) for org in results]
        return render(
            request,
            "orgs/search.html",
            {
                "root": root,
                "query": query,
                "page": results,
                "rows": rows,
                "query_string": urlencode({"q": query}),
            },
        )
    page = _children_page(request.user, root, request.GET.get("page"))
    return render(request, "orgs/tree.html", {"root": root, "page": page})


@capability_required(Capability.VIEW_ORGS)
@require_http_methods(["GET"])
def children(request, pk: int):
    """The next level of the tree for one node (htmx), a page at a time."""
    parent = selectors.organization_get(viewer=request.user, pk=pk)
    page = _children_page(request.user, parent, request.GET.get("page"))
    return render(request, "orgs/_children.html", {"parent": parent, "page": page})


@capability_required(Capability.VIEW_ORGS)
@require_http_methods(["GET"])
def detail(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "breadcrumbs": selectors.organization_breadcrumbs(viewer=request.user, org=org),
            "page": _children_page(request.user, org, request.GET.get("page")),
            "panels": hooks.panels(viewer=request.user, org=org),
        },
    )


@capability_required(Capability.MANAGE_ORGS)
@require_http_methods(["GET", "POST"])
def create(request, parent_pk: int):
    parent = selectors.organization_get(viewer=request.user, pk=parent_pk)
    form = OrganizationForm(request.POST or None, initial={"field": parent.field})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = services.organization_create(
                actor=request.user,
                parent=parent,
                name=data["name"],
                code=data["code"],
                kind=data["kind"],
                level=data["level"],
                field=data["field"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已新建党组织“%(name)s”。") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "parent": parent})


@capability_required(Capability.MANAGE_ORGS)
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    form = OrganizationForm(request.POST or None, instance=Organization.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.organization_update(
                actor=request.user,
                org=org,
                secretary=data["secretary"],
                clear_secretary=data["secretary_vacant"],
                **{name: data[name] for name in services.EDITABLE_FIELDS},
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "org": org})
