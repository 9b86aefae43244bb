import io
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.core.access import any_capability_required, capability_required, get_scoped_or_404
from shuzhi.core.forms import apply_service_errors, show_errors
from shuzhi.core.roles import Capability
from shuzhi.cycles.selectors import cycle_get
from shuzhi.exchange.sheets import Column
from shuzhi.exchange.workbook import write_table
from shuzhi.orgs.selectors import organization_get
from shuzhi.rectification import documents, rules, selectors, services
from shuzhi.rectification.forms import (
    AccountabilityForm,
    BoardFilterForm,
    CheckForm,
    MilestoneForm,
    PlanForm,
    ReasonForm,
    SplitForm,
)
from shuzhi.rectification.models import Evidence, Item

readers = any_capability_required(Capability.VIEW_RECTIFICATION, Capability.WORK_RECTIFICATION)
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip


@capability_required(Capability.VIEW_RECTIFICATION)
@require_GET
def board(request):
    """The subtree's rectification board: every unit's items by status, overdue ones first seen."""
    query = request.GET.get("q", "").strip()[:50]
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    # ?status=overdue: only the units with items in that state (the workbench's links)
    status = request.GET.get("status", "")
    status = status if status in selectors.STATUSES else ""
    # ?cycle=: one cycle's items (the roll-up's 整改销号率); a cycle off the viewer's line is 404
    try:
        cycle_pk = int(request.GET.get("cycle") or 0)
    except ValueError:
        cycle_pk = 0
    cycle = selectors.board_cycle(viewer=request.user, pk=cycle_pk) if cycle_pk else None
    rows = selectors.board(
        viewer=request.user,
        year=year or None,
        unit_query=query,
        status=status,
        cycle=cycle.pk if cycle else None,
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    overdue = selectors.overdue_counts(viewer=request.user)
    return render(
        request,
        "rectification/board.html",
        {
            "page": page,
            "query": query,
            "year": year or "",
            "status": status,
            "status_label": dict(Item.Status.choices).get(status, ""),
            "cycle": cycle,
            "paging": urlencode(
                {
                    k: v
                    for k, v in {
                        "q": query,
                        "year": year or "",
                        "status": status,
                        "cycle": cycle_pk or "",
                    }.items()
                    if v
                }
            ),
            "overdue": overdue,
            "form": BoardFilterForm(initial={"q": query, "year": year or None}),
        },
    )


@capability_required(Capability.WORK_RECTIFICATION)
@require_GET
def mine(request):
    return render(request, "rectification/mine.html", {"items": selectors.my_items(request.user)})


@readers
@require_GET
def unit(request, org_pk: int):
    items = selectors.unit_items(request.user, org_pk=org_pk)
    if not items:
        raise PermissionDenied  # outside the viewer's items, or nothing to show
    return render(request, "rectification/unit.html", {"items": items, "organization": items[0].organization})


@capability_required(Capability.VIEW_RECTIFICATION)
@require_GET
def org_overdue(request, org_pk: int):
    """The overdue items of an organisation's subtree, as a badge the organisation page loads."""
    org = organization_get(viewer=request.user, pk=org_pk)
    count = selectors.overdue_counts(viewer=request.user, org_path=org.path)
    return render(request, "rectification/_overdue.html", {"count": count, "org": org})


@readers
@require_http_methods(["GET", "POST"])
def item(request, pk: int):
    item = selectors.item_get(viewer=request.user, pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        "plan": PlanForm,
        "milestone": MilestoneForm,
        "refuse": ReasonForm,
        "reopen": ReasonForm,
        "split": SplitForm,
    }
    bound = None
    if action:
        try:
            if action in forms:
                bound = forms[action](request.POST, request.FILES)
                if bound.is_valid():
                    _act(request, item, action, bound.cleaned_data)
                    return redirect("rectification:item", pk=item.pk)
            else:
                _act(request, item, action, {})
                return redirect("rectification:item", pk=item.pk)
        except ValidationError as error:
            if bound is not None:
                apply_service_errors(bound, error)
            else:
                show_errors(request, error)
                return redirect("rectification:item", pk=item.pk)
    context = {
        "item": item,
        "children": list(item.children.select_related("cycle")),
        "milestones": list(item.milestones.prefetch_related("evidence").select_related("created_by")),
        "events": list(item.events.select_related("actor")),
        "is_unit": services.is_unit(request.user, item),
        "is_above": services.is_above(request.user, item),
        "plan_form": bound
        if action == "plan"
        else PlanForm(
            initial={"measures": item.measures, "responsible": item.responsible, "deadline": item.deadline}
        ),
        "milestone_form": bound if action == "milestone" else MilestoneForm(),
        "reason_form": bound if action in ("refuse", "reopen") else ReasonForm(),
        "split_form": bound if action == "split" else SplitForm(initial={"deadline": item.deadline}),
        "action": action,
    }
    return render(request, "rectification/item.html", context)


def _act(request, item: Item, action: str, data: dict) -> None:
    user = request.user
    if action == "plan":
        services.item_plan(actor=user, item=item, **data)
        messages.success(request, _("整改措施已保存。"))
    elif action == "milestone":
        services.milestone_add(actor=user, item=item, on=data["on"], text=data["text"], files=data["files"])
        messages.success(request, _("进展已记录。"))
    elif action == "request":
        services.signoff_request(actor=user, item=item)
        messages.success(request, _("已申请销号，等待上级审核。"))
    elif action == "sign_off":
        services.sign_off(actor=user, item=item)
        messages.success(request, _("已销号。"))
    elif action == "refuse":
        services.sign_off_refuse(actor=user, item=item, reason=data["reason"])
        messages.success(request, _("已退回，整改单位将看到理由。"))
    elif action == "reopen":
        services.item_reopen(actor=user, item=item, reason=data["reason"])
        messages.success(request, _("事项已重新打开。"))
    elif action == "split":
        services.item_split(actor=user, parent=item, **data)
        messages.success(request, _("已分解出新的步骤。"))
    else:
        raise PermissionDenied


@readers
@require_GET
def evidence(request, pk: int, evidence_pk: int):
    item = selectors.item_get(viewer=request.user, pk=pk)
    found = get_scoped_or_404(Evidence.objects.filter(milestone__item=item), pk=evidence_pk)
    response = FileResponse(found.file.open("rb"), as_attachment=found.kind in ("docx", "pdf"), filename=found.original_name,
                            content_type=CONTENT_TYPES.get(found.kind, "application/octet-stream"))  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required(Capability.MANAGE_RECTIFICATION)
@require_POST
def generate(request, cycle_pk: int):
    cycle = cycle_get(viewer=request.user, pk=cycle_pk)
    try:
        count = services.items_generate(actor=request.user, cycle=cycle)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已生成 %(n)d 项整改事项，并通知各单位书记。") % {"n": count})
    return redirect("cycles:detail", pk=cycle.pk)


@capability_required(Capability.WORK_RECTIFICATION)
@require_POST
def confirm(request, cycle_pk: int):
    """The secretary confirms their unit's items as its 整改方案."""
    cycle = selectors.own_cycle_get(viewer=request.user, pk=cycle_pk)
    try:
        count = services.plan_confirm(actor=request.user, cycle=cycle)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("整改方案已确认（%(n)d 项），各事项开始整改。") % {"n": count})
    return redirect("rectification:mine")


# ---- the 整改方案 as a document, supervision and accountability -----------------------------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50
CHECKS_SHOWN = 100  # the page lists the quarter's latest checks; the report has them all
XLSX_CELL_CHARS = 32000  # Excel holds at most 32,767 characters in a cell
_SEPARATORS = re.compile(r"[\s,，、；;]+")


@readers
@require_GET
def plan(request, cycle_pk: int, org_pk: int):
    """The unit's 整改方案 for one cycle as a .docx: for its secretary, or a viewer of the subtree."""
    items = list(
        selectors.items_visible_to(request.user)
        .filter(cycle_id=cycle_pk, organization_id=org_pk)
        .select_related("cycle__organization", "organization")
    )
    if not items:
        raise Http404
    organization, cycle = items[0].organization, items[0].cycle
    response = HttpResponse(documents.plan_docx(organization, cycle, items), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{organization.name}-{cycle.year}年度整改方案.docx"
    )
    return response


def _lookup_form(request, form_class, **initial):
    """An unbound form filled with what was posted (or asked for), its unit looked up: the step
    that offers the unit's items before anything is recorded."""
    source = request.POST if request.method == "POST" else request.GET
    if source.get("org", "").isdigit():  # a unit picked from the board, by its id
        initial["unit"] = selectors.unit_code(viewer=request.user, pk=int(source["org"]))
    values = {
        name: source.get(name, "")
        for name in ("unit", "item", "rating", "note", "kind", "person", "on", "reason")
    }
    values = {**initial, **{name: value for name, value in values.items() if value}}
    values["items"] = source.getlist("items")
    values["results"] = source.getlist("results")
    form = form_class(viewer=request.user, initial=values)
    if form.unit_error is not None:
        show_errors(request, form.unit_error)
    return form


def _quarter(request) -> str:
    """The quarter asked for, if it is well formed and not in the future; else the current one."""
    current = rules.quarter_of(timezone.localdate())
    asked = (request.POST.get("quarter") or request.GET.get("quarter") or "").strip()
    return asked if documents.QUARTER.match(asked) and asked <= current else current


@capability_required(Capability.SUPERVISE)
@require_http_methods(["GET", "POST"])
def supervision(request):
    """督查办: the subtree's board, a quarterly check of a unit or one of its items, the quarter's
    checks, and the quarterly report."""
    user, quarter = request.user, _quarter(request)
    if request.method == "POST" and request.POST.get("action") != "lookup":
        form = CheckForm(request.POST, viewer=user)
        if form.is_valid():
            data = form.cleaned_data
            item = selectors.items_visible_to(user).get(pk=data["item"]) if data["item"] else None
            try:
                services.check_record(actor=user, organization=data["unit"], item=item, rating=data["rating"],
                                      note=data["note"], quarter=quarter)  # fmt: skip
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("已记录对%(unit)s的%(quarter)s督查。") % {"unit": data["unit"].name,
                                                                      "quarter": documents.quarter_label(quarter)}
                )  # fmt: skip
                return redirect(f"{reverse('rectification:supervision')}?quarter={quarter}")
    else:
        form = _lookup_form(request, CheckForm)
    page = Paginator(selectors.board(viewer=user), PER_PAGE).get_page(request.GET.get("page"))
    checks = selectors.quarter_checks(viewer=user, quarter=quarter, limit=CHECKS_SHOWN)
    quarters = documents.recent_quarters(timezone.localdate())
    if quarter not in quarters:
        quarters.append(quarter)
    return render(request, "rectification/supervision.html", {
        "quarter": quarter, "quarter_label": documents.quarter_label(quarter), "quarters": quarters,
        "page": page, "query": f"quarter={quarter}", "form": form, "checks": list(checks),
        "checks_shown": CHECKS_SHOWN,
    })  # fmt: skip


@capability_required(Capability.SUPERVISE)
@require_GET
def supervision_docx(request):
    quarter = _quarter(request)
    rows = documents.quarterly_rows(request.user, quarter)
    data = documents.quarterly_report_docx(rows, quarter, request.user.organization)
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{request.user.organization.name}-{documents.quarter_label(quarter)}整改督查报告.docx"
    )
    return response


QUARTER_COLUMNS = (
    Column("unit", "单位", width=32), Column("code", "组织编码", width=16), Column("items", "整改事项", width=10),
    Column("closed", "已销号", width=10), Column("overdue", "逾期", width=8), Column("progress", "平均进度(%)", width=12),
    Column("ratings", "督查评价", width=20), Column("notes", "督查意见", width=60),
)  # fmt: skip


@capability_required(Capability.SUPERVISE)
@require_GET
def supervision_xlsx(request):
    quarter = _quarter(request)
    rows = [
        (
            r.unit,
            r.code,
            r.items,
            r.closed,
            r.overdue,
            r.progress,
            r.ratings,
            "\n".join(r.notes)[:XLSX_CELL_CHARS],
        )
        for r in documents.quarterly_rows(request.user, quarter)
    ]
    buffer = io.BytesIO()
    write_table(buffer, title=quarter, columns=QUARTER_COLUMNS, rows=rows,
                note=_("%(quarter)s整改督查：进行中的整改事项（不含本季度前已销号的），数据截至 %(day)s。")
                % {"quarter": documents.quarter_label(quarter), "day": timezone.localdate().isoformat()})  # fmt: skip
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{request.user.organization.name}-{documents.quarter_label(quarter)}整改督查报告.xlsx"
    )
    return response


@capability_required(Capability.MANAGE_RECTIFICATION)
@require_http_methods(["GET", "POST"])
def accountability(request):
    """问责 records of the subtree, and a new one: a unit named by code or name, with its items."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") != "lookup":
        form = AccountabilityForm(request.POST, viewer=user)
        if form.is_valid():
            data = form.cleaned_data
            items, results = selectors.accountability_grounds(
                viewer=user, unit=data["unit"], item_ids=data["items"], result_ids=data["results"]
            )
            try:
                record = services.accountability_record(
                    actor=user, organization=data["unit"], kind=data["kind"], person=data["person"], on=data["on"],
                    reason=data["reason"], items=items, results=results,
                )  # fmt: skip
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已记录：%(unit)s %(person)s，%(kind)s。")
                    % {
                        "unit": record.organization.name,
                        "person": record.person,
                        "kind": record.get_kind_display(),
                    },
                )
                return redirect("rectification:accountability")
    else:
        form = _lookup_form(request, AccountabilityForm, on=timezone.localdate().isoformat())
    page = Paginator(selectors.accountability_records(viewer=user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "rectification/accountability.html", {"page": page, "form": form})
