"""The 基本保障 pages: the compliance table (chart, table, every shortfall, .xlsx), the floors,
a village's figures, the import, and the 约谈 drafts."""

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.core.access import get_scoped_or_404, in_subtree
from shuzhi.core.forms import apply_service_errors, show_errors
from shuzhi.core.roles import Capability
from shuzhi.exchange.sheets import Column
from shuzhi.exchange.workbook import write_table
from shuzhi.weakorgs import guarantee_rules as g
from shuzhi.weakorgs import guarantee_selectors as gs
from shuzhi.weakorgs import guarantee_services as services
from shuzhi.weakorgs import selectors
from shuzhi.weakorgs.forms import FigureForm, FiguresImportForm, FloorForm, ReasonForm, TalkForm
from shuzhi.weakorgs.models import GuaranteeFigure, GuaranteeFloor, TalkDraft
from shuzhi.weakorgs.views import PER_PAGE, _year, _years

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_COLUMNS = (
    Column("area", "县区/乡镇", width=28), Column("unit", "村（社区）", width=28), Column("field", "领域", width=8),
    Column("reported", "是否填报", width=10), Column("met", "全部达标", width=10),
    Column("count", "未达标项数", width=10), Column("shortfalls", "未达标情况", width=80),
)  # fmt: skip


def _scope(request):
    """The unit whose table is shown: the viewer's own, or one below it (?org=)."""
    selectors.require_view(request.user)
    if request.GET.get("org", "").isdigit():
        return selectors.org_get(viewer=request.user, pk=int(request.GET["org"]))
    return request.user.organization


def _area_names(rows) -> dict[str, str]:
    return {row.org.path: row.org.name for row in rows}


@login_required
@require_GET
def compliance(request):
    """基本保障落实情况: per county (or township) how many villages and communities meet every
    floor, a chart beside its table, and each shortfall named."""
    scope = _scope(request)
    year = _year(request)
    rows, judged = gs.table(scope, year)
    short = [j for j in judged if j.shortfalls]
    page = Paginator(short, PER_PAGE).get_page(request.GET.get("page"))
    names = _area_names(rows)
    cut = len(scope.path) + scope.steplen
    for item in page.object_list:
        item.area = names.get(item.unit.path[:cut], "")
    user = request.user
    manage = user.can(Capability.MANAGE_RECTIFICATION)
    for row in rows:
        row.may_decide = (
            row.talk is not None
            and row.talk.status == TalkDraft.Status.DRAFT
            and selectors.can_accept(user, row.org)
        )
    totals = {
        "units": sum(r.units for r in rows), "reported": sum(r.reported for r in rows),
        "met": sum(r.met for r in rows), "short": sum(r.short for r in rows),
    }  # fmt: skip
    query = {"year": year, **({"org": scope.pk} if scope.pk != user.organization_id else {})}
    return render(request, "weakorgs/guarantees.html", {
        "scope": scope, "year": year, "years": _years(), "rows": rows, "page": page, "totals": totals,
        "norms": [label for label, _unit in g.NORMS.values()], "chart": gs.chart(rows),
        "has_floor": any(j.has_floor for j in judged), "manage": manage,
        "may_suggest": manage and any(r.short and r.talk is None and r.org.level == "county" for r in rows),
        "talk_form": TalkForm(), "dismiss_form": ReasonForm(),
        "query": urlencode(query), "keep": [("org", scope.pk)] if "org" in query else [],
    })  # fmt: skip


@login_required
@require_GET
def compliance_xlsx(request):
    scope = _scope(request)
    year = _year(request)
    rows, judged = gs.table(scope, year)
    names = _area_names(rows)
    cut = len(scope.path) + scope.steplen
    fields = dict(gs.Organization.Field.choices)
    table = [
        (names.get(j.unit.path[:cut], ""), j.unit.name, str(fields.get(j.unit.field, "")),
         _("是") if j.reported else _("否"), _("是") if j.met else _("否"), len(j.shortfalls),
         "；".join(s.sentence() for s in j.shortfalls))
        for j in judged
    ]  # fmt: skip
    buffer = io.BytesIO()
    write_table(buffer, title=str(year), columns=EXPORT_COLUMNS, rows=table,
                note=_("%(year)d 年度%(org)s村（社区）基本保障落实情况，导出于 %(day)s。")
                % {"year": year, "org": scope.name, "day": timezone.localdate().isoformat()})  # fmt: skip
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{scope.name}-{year}年度基本保障落实情况.xlsx"
    )
    return response


@login_required
@require_GET
def floors(request):
    selectors.require_view(request.user)
    year = _year(request)
    found = list(gs.floors_visible_to(request.user.organization).filter(year=year).order_by("org_path"))
    labels = [GuaranteeFloor._meta.get_field(k).verbose_name for k in g.FLOOR_FIELDS]
    for floor in found:
        floor.rows = [(label, getattr(floor, key)) for label, key in zip(labels, g.FLOOR_FIELDS, strict=True)]
    return render(request, "weakorgs/floors.html", {
        "year": year, "years": _years(), "floors": found, "may_set": services.may_set_floor(request.user), "keep": [],
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def floor_edit(request):
    if not services.may_set_floor(request.user):
        raise PermissionDenied
    year = _year(request)
    current = GuaranteeFloor.objects.filter(organization=request.user.organization, year=year).first()
    initial = {k: getattr(current, k) for k in g.FLOOR_FIELDS} if current else {}
    form = FloorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.floor_set(actor=request.user, year=year, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存 %(year)d 年度基本保障标准。") % {"year": year})
            return redirect(reverse("weakorgs:floors") + f"?year={year}")
    return render(request, "weakorgs/floor_form.html", {"form": form, "year": year},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def figure_edit(request, org_pk: int):
    org = selectors.org_get(viewer=request.user, pk=org_pk)
    if not services.may_enter(request.user, org):
        raise PermissionDenied
    year = _year(request)
    current = GuaranteeFigure.objects.filter(organization=org, year=year).first()
    initial = (
        {k: getattr(current, k) for k in services.FIGURE_FIELDS}
        if current
        else {"members": org.total_members}
    )
    form = FigureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.figure_set(actor=request.user, org=org, year=year, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("已保存%(org)s %(year)d 年度基本保障落实情况。") % {"org": org.name, "year": year}
            )
            return redirect(reverse("weakorgs:figure", args=[org.pk]) + f"?year={year}")
    floor = gs.Floors(year).for_path(org.path)
    short = []
    if current is not None and floor is not None:
        short = g.shortfalls(
            floor, gs.figures_of(current), community=org.field == gs.Organization.Field.COMMUNITY
        )
    return render(request, "weakorgs/figure_form.html", {
        "org": org, "form": form, "year": year, "years": _years(), "current": current, "has_floor": floor is not None,
        "shortfalls": short, "keep": [],
    }, status=400 if form.errors else 200)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def figures_import(request):
    selectors.require_view(request.user)
    if not request.user.can(Capability.MANAGE_RECTIFICATION):
        raise PermissionDenied
    year = _year(request)
    form = FiguresImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            added, replaced = services.figures_import(
                actor=request.user, year=year, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(
                request,
                _("已导入 %(a)d 个村（社区）的落实情况，更新 %(r)d 个。") % {"a": added, "r": replaced},
            )
            return redirect(reverse("weakorgs:guarantees") + f"?year={year}")
    return render(request, "weakorgs/figures_import.html", {"form": form, "year": year, "years": _years(),
                                                            "problems": problems, "keep": []},
                  status=400 if problems or form.errors else 200)  # fmt: skip


def _back(year: int) -> str:
    return reverse("weakorgs:guarantees") + f"?year={year}"


@login_required
@require_POST
def talks_suggest(request):
    selectors.require_view(request.user)
    year = _year(request)
    try:
        added = services.talks_suggest(actor=request.user, year=year)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已生成约谈建议 %(n)d 条，请逐条确认。") % {"n": added})
    return redirect(_back(year))


def _draft(request, pk: int) -> TalkDraft:
    selectors.require_view(request.user)
    drafts = TalkDraft.objects.filter(in_subtree("org_path", request.user.organization.path)).select_related(
        "organization"
    )
    return get_scoped_or_404(drafts, pk=pk)


@login_required
@require_POST
def talk_confirm(request, pk: int):
    draft = _draft(request, pk)
    form = TalkForm(request.POST)
    if not form.is_valid():
        show_errors(request, form)
        return redirect(_back(draft.year))
    try:
        services.talk_confirm(actor=request.user, draft=draft, **form.cleaned_data)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已确认约谈，并记入问责记录。"))
    return redirect(_back(draft.year))


@login_required
@require_POST
def talk_dismiss(request, pk: int):
    draft = _draft(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        show_errors(request, form)
        return redirect(_back(draft.year))
    try:
        services.talk_dismiss(actor=request.user, draft=draft, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已记录不予约谈的理由。"))
    return redirect(_back(draft.year))
