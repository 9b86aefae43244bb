from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.core.access import capability_required
from shuzhi.core.forms import apply_service_errors, show_errors
from shuzhi.core.pagination import KnownCountPaginator
from shuzhi.core.roles import Capability
from shuzhi.cycles import hooks, selectors, services
from shuzhi.cycles.forms import (
    CycleForm,
    FromTemplateForm,
    ReasonForm,
    ReporterFilterForm,
    ReporterForm,
    ReportersAddForm,
)
from shuzhi.cycles.models import Cycle

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REPORTERS_PER_PAGE = 50


def _managed(request, pk: int) -> Cycle:
    """A cycle the user may change: 404 outside their subtree, 403 if another level runs it."""
    cycle = selectors.cycle_get(viewer=request.user, pk=pk)
    if not selectors.can_manage(request.user, cycle):
        raise PermissionDenied
    return cycle


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def index(request):
    years = selectors.cycle_years(viewer=request.user)
    try:
        year = int(request.GET.get("year") or (years[0] if years else 0))
    except ValueError:
        year = 0
    return render(
        request,
        "cycles/index.html",
        {"cycles": selectors.cycle_rollup(viewer=request.user, year=year), "years": years, "year": year,
         "may_create": request.user.can(Capability.MANAGE_CYCLES), "columns": hooks.rollup_columns()},
    )  # fmt: skip


@capability_required(Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def create(request):
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_create(
                actor=request.user, year=data["year"], title=data["title"], groups=data["groups"],
                report_due=data["report_due"], meeting_on=data["meeting_on"], scheme=form.scheme(),
            )  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error, renamed={"scheme": "components"})
        else:
            messages.success(request, _("已新建“%(title)s”，请添加述职单位。") % {"title": cycle.title})
            return redirect("cycles:detail", pk=cycle.pk)
    return render(request, "cycles/form.html", {"form": form})


@capability_required(Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    cycle = _managed(request, pk)
    form = CycleForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {"report_due": data["report_due"], "meeting_on": data["meeting_on"]}
        if not cycle.is_frozen:
            fields.update(title=data["title"], groups=data["groups"], scheme=form.scheme())
        try:
            services.cycle_update(actor=request.user, cycle=cycle, **fields)
        except ValidationError as error:
            apply_service_errors(form, error, renamed={"scheme": "components"})
        else:
            messages.success(request, _("已保存。"))
            return redirect("cycles:detail", pk=cycle.pk)
    return render(request, "cycles/form.html", {"form": form, "cycle": cycle})


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def detail(request, pk: int):
    cycle = selectors.cycle_get(viewer=request.user, pk=pk)
    form = ReporterFilterForm(request.GET or None, cycle=cycle)
    filters = selectors.ReporterFilter()
    if form.is_valid():
        filters = selectors.ReporterFilter(**form.cleaned_data)
    summary = selectors.cycle_summary(cycle=cycle)
    reporters = selectors.cycle_reporters(cycle=cycle, filters=filters)
    if filters.group or filters.status or filters.late:
        paginator = Paginator(reporters, REPORTERS_PER_PAGE)  # a COUNT within one cycle
    else:
        paginator = KnownCountPaginator(reporters, REPORTERS_PER_PAGE, count=summary["total"])
    page = paginator.get_page(request.GET.get("page"))
    query = {k: v for k, v in (form.cleaned_data.items() if form.is_bound and form.is_valid() else ()) if v}
    manage = selectors.can_manage(request.user, cycle)
    return render(
        request,
        "cycles/detail.html",
        {
            "cycle": cycle,
            "summary": summary,
            "page": page,
            "form": form,
            "query_string": urlencode(query),
            "manage": manage,
            "late": selectors.is_late(cycle),
            "late_statuses": selectors.LATE_STATUSES,
            "notices": hooks.notices(request.user, cycle),
            # translated once, not once per row
            "remind_label": _("提醒"),
            "late_label": _("逾期"),
        },
    )


@capability_required(Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def reporters_add(request, pk: int):
    cycle = _managed(request, pk)
    form = ReportersAddForm(
        request.POST or None, cycle=cycle, candidates=selectors.reporter_candidates(cycle=cycle)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = services.reporters_add(
                actor=request.user,
                cycle=cycle,
                organizations=data["organizations"],
                group=data["group"],
                mode=data["mode"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已添加 %(n)d 个述职单位。") % {"n": len(added)})
            return redirect("cycles:detail", pk=cycle.pk)
    return render(request, "cycles/reporters_add.html", {"form": form, "cycle": cycle})


@capability_required(Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def reporter_edit(request, pk: int, reporter_pk: int):
    cycle = _managed(request, pk)
    reporter = selectors.reporter_get(viewer=request.user, cycle=cycle, pk=reporter_pk)
    form = ReporterForm(
        request.POST or None,
        cycle=cycle,
        initial={"group": reporter.group, "mode": reporter.mode, "position": reporter.position},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reporter_update(actor=request.user, reporter=reporter, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("cycles:detail", pk=cycle.pk)
    return render(request, "cycles/reporter_form.html", {"form": form, "cycle": cycle, "reporter": reporter})


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def reporter_remove(request, pk: int, reporter_pk: int):
    cycle = _managed(request, pk)
    reporter = selectors.reporter_get(viewer=request.user, cycle=cycle, pk=reporter_pk)
    try:
        services.reporter_remove(actor=request.user, reporter=reporter)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已将“%(name)s”移出述职名单。") % {"name": reporter.organization.name})
    return redirect("cycles:detail", pk=cycle.pk)


@never_cache
@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def reporter_invite(request, pk: int, reporter_pk: int):
    """Hand a reporting unit's secretary their account: the one-time password is shown once."""
    cycle = _managed(request, pk)
    reporter = selectors.reporter_get(viewer=request.user, cycle=cycle, pk=reporter_pk)
    try:
        account, password = services.reporter_invite(
            actor=request.user, reporter=reporter, full_name=request.POST.get("full_name", "")
        )
    except ValidationError as error:
        show_errors(request, error)
        return redirect("cycles:detail", pk=cycle.pk)
    return render(
        request,
        "cycles/invite_password.html",
        {"cycle": cycle, "reporter": reporter, "account": account, "password": password},
    )


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def advance(request, pk: int):
    cycle = _managed(request, pk)
    try:
        cycle = services.cycle_advance(actor=request.user, cycle=cycle)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("周期已进入“%(status)s”阶段。") % {"status": cycle.get_status_display()})
    return redirect("cycles:detail", pk=cycle.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def reopen(request, pk: int):
    cycle = _managed(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_reopen(actor=request.user, cycle=cycle, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("周期已重新开放，可以修改述职名单、分组和考核方案。修改完成后请再次开始撰写报告。")
            )
            return redirect("cycles:detail", pk=cycle.pk)
    return render(request, "cycles/reopen.html", {"form": form, "cycle": cycle})


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def remind(request, pk: int):
    """Remind one reporter (`reporter` in the form) or every reporter whose report is not in."""
    cycle = _managed(request, pk)
    wanted = request.POST.get("reporter", "")
    try:
        if wanted and not (wanted.isascii() and wanted.isdigit()):
            raise ValidationError(_("没有找到要提醒的述职人。"), code="unknown_reporter")
        sent = services.reporters_remind(
            actor=request.user, cycle=cycle, reporter_id=int(wanted) if wanted else None
        )
    except ValidationError as error:
        show_errors(request, error)
    else:
        if sent:
            messages.success(request, _("已提醒 %(n)d 位书记。") % {"n": sent})
        else:
            messages.info(request, _("没有需要提醒的书记：报告都已提交。"))
    back = request.POST.get("next", "")
    # back to the same filtered page, never anywhere else
    if back.startswith(reverse("cycles:detail", args=[cycle.pk]) + "?"):
        return redirect(back)
    return redirect("cycles:detail", pk=cycle.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def offer(request, pk: int):
    """联述联评联考: offer the cycle to the organisations below as a template."""
    cycle = _managed(request, pk)
    try:
        told = services.cycle_offer(actor=request.user, cycle=cycle)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已作为模板下发，已通知下级组织部 %(n)d 人。") % {"n": told})
    return redirect("cycles:detail", pk=cycle.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def templates(request):
    """The templates the levels above offered; one's own cycle is made from one in one step."""
    offered = selectors.offered_templates(viewer=request.user)
    chosen, form = None, None
    if request.method == "POST":
        chosen = selectors.offered_template_get(viewer=request.user, pk=request.POST.get("template", ""))
        form = FromTemplateForm(request.POST, prefix=f"t{chosen.pk}")
        if form.is_valid():
            try:
                cycle = services.cycle_from_template(actor=request.user, template=chosen, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("已按模板新建“%(title)s”，请添加述职单位。") % {"title": cycle.title}
                )
                return redirect("cycles:detail", pk=cycle.pk)
    for template in offered:
        if chosen is not None and template.pk == chosen.pk:
            template.form = form
        else:
            template.form = FromTemplateForm(prefix=f"t{template.pk}", initial={
                "title": f"{request.user.organization.name}{template.year}年度抓基层党建工作述职评议考核",
                "report_due": template.report_due, "meeting_on": template.meeting_on,
            })  # fmt: skip
    status = 400 if form is not None and form.errors else 200
    return render(request, "cycles/templates.html", {"templates": offered}, status=status)
