from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shuzhi.core.access import capability_required, get_scoped_or_404
from shuzhi.core.forms import apply_service_errors
from shuzhi.core.roles import Capability
from shuzhi.lifecycle import documents, selectors, services
from shuzhi.lifecycle.forms import (
    ApplicantForm,
    AsOfForm,
    DepartureForm,
    MobileActForm,
    MobileForm,
    StepForm,
    StopForm,
    TransferActForm,
    TransferForm,
)
from shuzhi.lifecycle.models import Stage, StepDocument
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf"}
BOARD_PAGE = 50


@login_required
@require_GET
def index(request):
    selectors.orgs_visible_to(request.user)  # 403 before a redirect
    return redirect("lifecycle:board", pk=request.user.organization_id)


@capability_required(Capability.VIEW_MEMBERS)
@require_GET
def board(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    today = timezone.localdate()
    stage = request.GET.get("stage", "")
    page = Paginator(selectors.board(org=org, stage=stage, today=today), BOARD_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "lifecycle/board.html", {
        "org": org, "counts": selectors.stage_counts(org), "page": page, "stage": stage, "today": today,
        "due": selectors.due_count(org=org, today=today), "stages": Stage.choices, "children": selectors.child_counts(org),
        "may_work": services.may_work(request.user, org), "is_branch": org.kind == Organization.Kind.BRANCH,
        "qs": urlencode({"stage": stage}) if stage else "",
    })  # fmt: skip


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def applicant_new(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    if not services.may_work(request.user, org):
        raise PermissionDenied
    form = ApplicantForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            applicant = services.applicant_create(
                actor=request.user, organization=org, name=data["name"], id_number=data["id_number"],
                phone=data["phone"], ethnicity=data["ethnicity"], education=data["education"],
                category=data["category"], applied_on=data["applied_on"], note=data["note"], files=data["files"],
            )  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error, renamed={"done_on": "applied_on"})
        else:
            messages.success(request, _("已登记入党申请人%(name)s。") % {"name": applicant.name})
            return redirect("lifecycle:applicant", pk=applicant.pk)
    return render(request, "lifecycle/applicant_form.html", {"org": org, "form": form})


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def applicant(request, pk: int):
    person = selectors.applicant_get(viewer=request.user, pk=pk)
    may_work = services.may_work(request.user, person.organization)
    step = person.next_step if person.state == person.State.ACTIVE else None
    form = StepForm(step=step) if step else None
    stop_form = StopForm()
    if request.method == "POST":
        if not may_work:
            raise PermissionDenied
        if request.POST.get("action") == "stop":
            stop_form = StopForm(request.POST)
            if stop_form.is_valid():
                try:
                    services.applicant_stop(
                        actor=request.user, applicant=person, reason=stop_form.cleaned_data["reason"]
                    )
                except ValidationError as error:
                    apply_service_errors(stop_form, error)
                else:
                    messages.success(request, _("已终止%(name)s的发展程序。") % {"name": person.name})
                    return redirect("lifecycle:applicant", pk=person.pk)
        elif step is not None:
            form = StepForm(request.POST, request.FILES, step=step)
            if form.is_valid():
                try:
                    services.step_record(actor=request.user, applicant=person, step=step, entry=form.entry(),
                                         files=form.cleaned_data["files"])  # fmt: skip
                except ValidationError as error:
                    apply_service_errors(form, error, renamed={"people": "person1"})
                else:
                    messages.success(request, _("已记录“%(step)s”。") % {"step": step.name})
                    return redirect("lifecycle:applicant", pk=person.pk)
    records = list(person.steps.select_related("step").prefetch_related("documents").order_by("step__order"))
    done = {record.step_id for record in records}
    return render(request, "lifecycle/applicant.html", {
        "person": person, "records": records, "pending": [s for s in selectors.steps() if s.pk not in done],
        "form": form, "step": step, "stop_form": stop_form, "may_work": may_work, "today": timezone.localdate(),
    })  # fmt: skip


@capability_required(Capability.VIEW_MEMBERS)
@require_GET
def document(request, pk: int, document_pk: int):
    person = selectors.applicant_get(viewer=request.user, pk=pk)
    found = get_scoped_or_404(StepDocument.objects.filter(record__applicant=person), pk=document_pk)
    response = FileResponse(found.file.open("rb"), as_attachment=found.kind == "pdf", filename=found.original_name,
                            content_type=CONTENT_TYPES.get(found.kind, "application/octet-stream"))  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def departures(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    may_work = services.may_work(request.user, org)
    roster = list(selectors.roster_present(org)) if may_work else []
    form = DepartureForm(request.POST or None, roster=roster)
    if request.method == "POST":
        if not may_work:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            member = get_scoped_or_404(Member.objects.filter(org_path=org.path), pk=data["member"])
            try:
                services.departure_record(actor=request.user, member=member, kind=data["kind"],
                                          left_on=data["left_on"], note=data["note"])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("已记录%(name)s的减少情况。") % {"name": member.name})
                return redirect("lifecycle:departures", pk=org.pk)
    rows = Paginator(selectors.departures(org), BOARD_PAGE).get_page(request.GET.get("page"))
    return render(request, "lifecycle/departures.html", {
        "org": org, "page": rows, "form": form, "may_work": may_work and bool(roster),
    })  # fmt: skip


@capability_required(Capability.VIEW_MEMBERS)
@require_GET
def headcount(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    form = AsOfForm(request.GET or {"day": timezone.localdate()})
    counted = selectors.headcount_on(within=org, day=form.cleaned_data["day"]) if form.is_valid() else None
    return render(request, "lifecycle/headcount.html", {"org": org, "form": form, "counted": counted})


def _transfer_act(request, org, form) -> bool:
    """Receive, confirm or return one transfer waiting on this subtree; True when done."""
    data = form.cleaned_data
    found = get_scoped_or_404(selectors.transfers_into(org), pk=data["transfer"])
    day = data["day"] or timezone.localdate()
    act = {
        "receive": lambda: services.transfer_receive(actor=request.user, transfer=found, received_on=day),
        "confirm": lambda: services.transfer_confirm(actor=request.user, transfer=found, confirmed_on=day),
        "return": lambda: services.transfer_return(actor=request.user, transfer=found, note=data["note"]),
    }[data["action"]]
    try:
        act()
    except ValidationError as error:
        messages.error(request, _("%(name)s（%(letter)s）：%(why)s") % {
            "name": found.member.name, "letter": found.letter_number, "why": "；".join(error.messages)})  # fmt: skip
        return False
    messages.success(request, _("已办理%(name)s的组织关系转接（%(letter)s）。") % {
        "name": found.member.name, "letter": found.letter_number})  # fmt: skip
    return True


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def transfers(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    may_work = services.may_work(request.user, org)
    roster = list(selectors.roster_present(org)) if may_work and org.kind == Organization.Kind.BRANCH else []
    form = TransferForm(request.POST if request.POST.get("action") == "send" else None, roster=roster)
    if request.method == "POST":
        if not may_work:
            raise PermissionDenied
        if request.POST.get("action") == "send":
            if form.is_valid():
                data = form.cleaned_data
                member = get_scoped_or_404(Member.objects.filter(org_path=org.path), pk=data["member"])
                to_org = None
                if data["to_code"].strip():
                    to_org = Organization.objects.filter(code=data["to_code"].strip()).first()
                    if to_org is None:
                        form.add_error(
                            "to_code",
                            _("没有组织编码为“%(code)s”的党组织。") % {"code": data["to_code"].strip()},
                        )
                if not form.errors:
                    try:
                        sent = services.transfer_send(actor=request.user, member=member, sent_on=data["sent_on"],
                                                      reason=data["reason"], to_org=to_org,
                                                      destination=data["destination"])  # fmt: skip
                    except ValidationError as error:
                        apply_service_errors(form, error, renamed={"to_org": "to_code"})
                    else:
                        messages.success(request, _("已转出%(name)s的组织关系，介绍信编号 %(letter)s。") % {
                            "name": member.name, "letter": sent.letter_number})  # fmt: skip
                        return redirect("lifecycle:transfers", pk=org.pk)
        else:
            act = TransferActForm(request.POST)
            if act.is_valid() and _transfer_act(request, org, act):
                return redirect("lifecycle:transfers", pk=org.pk)
            if not act.is_valid():
                messages.error(request, _("请填写日期后再办理。"))
    waiting, history = selectors.transfers_of(org)
    page = Paginator(history, BOARD_PAGE).get_page(request.GET.get("page"))
    return render(request, "lifecycle/transfers.html", {
        "org": org, "waiting": waiting, "page": page, "form": form, "may_work": may_work, "may_send": bool(roster),
        "today": timezone.localdate(),
    })  # fmt: skip


@capability_required(Capability.VIEW_MEMBERS)
@require_GET
def transfer_letter(request, pk: int):
    found = selectors.transfer_get(viewer=request.user, pk=pk)
    data = documents.transfer_letter(found)
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"组织关系介绍信-{found.letter_number}.docx"
    )
    return response


def _mobile_act(request, org, form) -> None:
    data = form.cleaned_data
    found = get_scoped_or_404(selectors.mobile_of(org), pk=data["record"])
    day = data["day"]
    act = {
        "activity": lambda: services.mobile_activity_record(actor=request.user, record=found, held_on=day,
                                                            what=data["what"]),
        "lost": lambda: services.mobile_contact_set(actor=request.user, record=found, lost_since=day),
        "found": lambda: services.mobile_contact_set(actor=request.user, record=found, lost_since=None),
        "return": lambda: services.mobile_return(actor=request.user, record=found, returned_on=day),
    }[data["action"]]  # fmt: skip
    try:
        act()
    except ValidationError as error:
        messages.error(
            request, _("%(name)s：%(why)s") % {"name": found.member.name, "why": "；".join(error.messages)}
        )
    else:
        messages.success(request, _("已办理流动党员%(name)s的记录。") % {"name": found.member.name})


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def mobile(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    may_work = services.may_work(request.user, org)
    roster = list(selectors.roster_present(org)) if may_work and org.kind == Organization.Kind.BRANCH else []
    form = MobileForm(request.POST if request.POST.get("action") == "register" else None, roster=roster)
    if request.method == "POST":
        if not may_work:
            raise PermissionDenied
        if request.POST.get("action") == "register":
            if form.is_valid():
                data = form.cleaned_data
                member = get_scoped_or_404(Member.objects.filter(org_path=org.path), pk=data["member"])
                inflow = None
                if data["inflow_code"].strip():
                    inflow = Organization.objects.filter(code=data["inflow_code"].strip()).first()
                    if inflow is None:
                        form.add_error("inflow_code", _("没有组织编码为“%(code)s”的党组织。") % {
                            "code": data["inflow_code"].strip()})  # fmt: skip
                if not form.errors:
                    try:
                        services.mobile_register(actor=request.user, member=member, place=data["place"],
                                                 certificate_number=data["certificate_number"],
                                                 contact=data["contact"], left_on=data["left_on"],
                                                 inflow_org=inflow)  # fmt: skip
                    except ValidationError as error:
                        apply_service_errors(form, error, renamed={"inflow_org": "inflow_code"})
                    else:
                        messages.success(request, _("已登记流动党员%(name)s。") % {"name": member.name})
                        return redirect("lifecycle:mobile", pk=org.pk)
        else:
            act = MobileActForm(request.POST)
            if act.is_valid():
                _mobile_act(request, org, act)
                return redirect(f"{reverse('lifecycle:mobile', args=[org.pk])}?{request.GET.urlencode()}")
            messages.error(request, _("请填写日期（记录活动时还须填写活动内容）后再办理。"))
    lost_only = request.GET.get("lost") == "1"
    page = Paginator(selectors.mobile_of(org, lost_only=lost_only), BOARD_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "lifecycle/mobile.html", {
        "org": org, "page": page, "form": form, "may_work": may_work, "may_register": bool(roster),
        "lost_only": lost_only, "today": timezone.localdate(), "qs": "lost=1" if lost_only else "",
    })  # fmt: skip
