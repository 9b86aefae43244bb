from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.analytics import selectors, services
from shuzhi.analytics.forms import SearchForm, TemplateForm
from shuzhi.core.access import any_capability_required, capability_required
from shuzhi.core.forms import show_errors
from shuzhi.core.roles import Capability
from shuzhi.cycles.selectors import can_manage, cycle_get
from shuzhi.reports.selectors import report_get

readers = any_capability_required(Capability.WRITE_REPORT, Capability.VIEW_CYCLES)


@login_required
@require_GET
def search(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    hits = selectors.search(viewer=request.user, query=query) if query else []
    return render(request, "analytics/search.html", {"form": form, "query": query, "hits": hits})


def _is_writer(request, report) -> bool:
    return report.reporter.secretary_id == request.user.pk


@readers
@require_GET
def report(request, pk: int):
    """The copied passages of a report beside their sources, and how concrete its problems are."""
    report = report_get(viewer=request.user, pk=pk)
    writer = _is_writer(request, report)
    return render(
        request,
        "analytics/report.html",
        {
            "report": report,
            "cycle": report.reporter.cycle,
            "copies": selectors.report_copies(viewer=request.user, report=report),
            "reading": selectors.report_concreteness(report),
            "is_writer": writer,
            "may_check": writer or can_manage(request.user, report.reporter.cycle),
        },
    )


@readers
@require_POST
def report_check(request, pk: int):
    """Check one report now: its secretary on the draft (advice, never a block) or the organiser.
    From htmx (the editor's advice panel) it answers with the panel alone."""
    report = report_get(viewer=request.user, pk=pk)
    writer = _is_writer(request, report)
    if not (writer or can_manage(request.user, report.reporter.cycle)):
        raise PermissionDenied
    document = services.document_refresh(key="report", object_id=report.pk)
    if document is not None and document.comparable:
        services.document_check(document=document)
    if request.htmx:
        return render(
            request,
            "analytics/_advice.html",
            {
                "report": report,
                "copies": selectors.report_copies(viewer=request.user, report=report),
                "reading": selectors.report_concreteness(report),
                "checked": True,
            },
        )
    messages.success(request, _("已重新检查。"))
    return redirect("analytics:report", pk=report.pk)


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def cycle(request, pk: int):
    cycle = cycle_get(viewer=request.user, pk=pk)
    return render(
        request,
        "analytics/cycle.html",
        {
            "cycle": cycle,
            "rows": selectors.cycle_copies(cycle, viewer=request.user),
            "may_check": can_manage(request.user, cycle),
        },
    )


@capability_required(Capability.VIEW_CYCLES)
@require_POST
def cycle_check(request, pk: int):
    cycle = cycle_get(viewer=request.user, pk=pk)
    if not can_manage(request.user, cycle):
        raise PermissionDenied
    count = services.cycle_check(actor=request.user, cycle=cycle)
    messages.success(request, _("已检查 %(count)s 份报告。") % {"count": count})
    return redirect("analytics:cycle", pk=cycle.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def templates(request):
    form = TemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_add(
                actor=request.user, title=form.cleaned_data["title"], upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("范文“%(title)s”已加入比对库。") % {"title": template.title})
            return redirect("analytics:templates")
    return render(
        request,
        "analytics/templates.html",
        {
            "form": form,
            "templates": selectors.templates_visible_to(request.user).select_related("organization"),
        },
    )


@capability_required(Capability.MANAGE_CYCLES)
@require_GET
def template(request, pk: int):
    template = selectors.template_get(viewer=request.user, pk=pk)
    return render(
        request,
        "analytics/template.html",
        {"template": template, "may_remove": template.organization_id == request.user.organization_id},
    )


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def template_remove(request, pk: int):
    template = selectors.template_get(viewer=request.user, pk=pk)
    if template.organization_id != request.user.organization_id:
        raise PermissionDenied
    try:
        services.template_remove(actor=request.user, template=template)
    except ValidationError as error:
        show_errors(request, error)
        return redirect("analytics:template", pk=pk)
    messages.success(request, _("范文已删除。"))
    return redirect("analytics:templates")
