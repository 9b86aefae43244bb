from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.core.access import capability_required, get_scoped_or_404
from shuzhi.core.forms import apply_service_errors
from shuzhi.core.roles import Capability, Role
from shuzhi.dossiers import selectors, services
from shuzhi.dossiers.forms import (
    ActivityForm,
    ChecklistItemForm,
    RegisterForm,
    ReserveForm,
    ScanForm,
    TalentForm,
)
from shuzhi.dossiers.models import ChecklistItem, CommunityRegistration, Talent
from shuzhi.lifecycle.models import Applicant
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf"}
PAGE = 50


@login_required
@require_GET
def index(request):
    if request.user.role == Role.MEMBER:
        return redirect("dossiers:mine")
    selectors.orgs_visible_to(request.user)  # 403 before a redirect
    return redirect("dossiers:files", pk=request.user.organization_id)


# ---------------------------------------------------------------- members' files


@capability_required(Capability.VIEW_MEMBERS)
@require_GET
def files(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    items = selectors.checklist()
    tally, children = selectors.overview(org, items)
    paginator = Paginator(selectors.file_members(org), PAGE)
    paginator.count = tally.members  # counted already, from the organisations' counters
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "dossiers/files.html", {
        "org": org, "page": page, "rows": selectors.gaps(list(page.object_list), within_path=org.path, items=items),
        "tally": tally, "children": children, "checklist": items,
    })  # fmt: skip


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def member_file(request, pk: int):
    member = selectors.member_get(viewer=request.user, pk=pk)
    may_work = services.may_work(request.user, member.organization)
    items = selectors.checklist()
    form = ScanForm(request.POST or None, request.FILES or None, items=items,
                    initial={"item": request.GET.get("item")})  # fmt: skip
    if request.method == "POST":
        if not may_work:
            raise PermissionDenied
        if form.is_valid():
            item = get_scoped_or_404(ChecklistItem.objects.all(), pk=form.cleaned_data["item"])
            try:
                stored = services.scans_upload(actor=request.user, member=member, item=item,
                                               files=form.cleaned_data["files"])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("已为%(name)s上传“%(item)s”扫描件 %(n)d 个。") % {
                    "name": member.name, "item": item.name, "n": len(stored)})  # fmt: skip
                return redirect("dossiers:member", pk=member.pk)
    rows, complete = selectors.member_file(member)
    return render(request, "dossiers/member.html", {
        "member": member, "rows": rows, "complete": complete, "form": form, "may_work": may_work,
    })  # fmt: skip


@capability_required(Capability.VIEW_MEMBERS)
@require_GET
def scan(request, pk: int, scan_pk: int):
    member = selectors.member_get(viewer=request.user, pk=pk)
    found = selectors.scan_get(viewer=request.user, member=member, pk=scan_pk)
    response = FileResponse(found.file.open("rb"), as_attachment=found.kind == "pdf", filename=found.original_name,
                            content_type=CONTENT_TYPES.get(found.kind, "application/octet-stream"))  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required(Capability.VIEW_MEMBERS)
@require_POST
def scan_remove(request, pk: int, scan_pk: int):
    """Remove a wrongly uploaded scan (POST from the member's files page, with a confirm)."""
    member = selectors.member_get(viewer=request.user, pk=pk)
    found = selectors.scan_get(viewer=request.user, member=member, pk=scan_pk)
    if not services.may_work(request.user, member.organization):
        raise PermissionDenied
    services.scan_remove(actor=request.user, scan=found)
    messages.success(
        request, _("已删除%(name)s的扫描件“%(file)s”。") % {"name": member.name, "file": found.original_name}
    )
    return redirect("dossiers:member", pk=member.pk)


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def checklist(request):
    """The standard checklist of every member's file; the organiser of the top organisation makes
    an entry required or optional here, and every file is counted again."""
    selectors.orgs_visible_to(request.user)  # 403 to a member, as every page of the files
    may_set = services.may_set_checklist(request.user)
    items = selectors.checklist()
    failed: dict[int, ChecklistItemForm] = {}
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied
        item = get_scoped_or_404(ChecklistItem.objects.all(), pk=request.POST.get("item") or 0)
        form = ChecklistItemForm(request.POST)
        if form.is_valid():
            try:
                services.checklist_item_set(actor=request.user, item=item, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("已保存“%(item)s”，并按新目录重新计算了每名党员的档案齐全情况。")
                                 % {"item": item.name})  # fmt: skip
                return redirect("dossiers:checklist")
        failed[item.pk] = form
    rows = [(i, failed.get(i.pk) or ChecklistItemForm(initial={"required": i.required, "full_only": i.full_only}))
            for i in items]  # fmt: skip
    return render(request, "dossiers/checklist.html", {"rows": rows, "may_set": may_set, "org": request.user.organization},
                  status=400 if failed else 200)  # fmt: skip


@login_required
@require_GET
def mine(request):
    """A member's own file: the checklist and what it holds, nobody else's."""
    if not request.user.member_id:
        raise Http404
    member = Member.objects.select_related("organization").get(pk=request.user.member_id)
    rows, complete = selectors.member_file(member)
    registration = CommunityRegistration.objects.filter(member=member).select_related("community").first()
    return render(request, "dossiers/mine.html", {
        "member": member, "rows": rows, "complete": complete, "registration": registration,
        "activities": member.service_activities.count() if registration else 0,
    })  # fmt: skip


# ---------------------------------------------------------------- talent reserve


def _is_village(org: Organization) -> bool:
    return org.level == Organization.Level.VILLAGE and org.field == Organization.Field.RURAL


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def talents(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    if not _is_village(org):
        if request.method == "POST":
            raise PermissionDenied
        return render(request, "dossiers/talents.html", {
            "org": org, "rows": selectors.village_rows(org), "rule": selectors.talent_rule(),
        })  # fmt: skip
    may_work = services.may_work(request.user, org)
    roster = list(Member.objects.filter(org_path=org.path).only("id", "name").order_by("name", "id"))
    applicants = list(
        Applicant.objects.filter(org_path=org.path).only("id", "name", "stage").order_by("name", "id")
    )
    found = list(selectors.talents_of(org))
    action = request.POST.get("action")
    talent_form = TalentForm(
        request.POST if action == "talent" else None, roster=roster, applicants=applicants
    )
    reserve_form = ReserveForm(request.POST if action == "reserve" else None, talents=found)
    if request.method == "POST":
        if not may_work:
            raise PermissionDenied
        if action == "talent" and talent_form.is_valid():
            data = talent_form.cleaned_data
            member = get_scoped_or_404(Member.objects.filter(org_path=org.path), pk=data["member"]) if data[
                "member"] else None  # fmt: skip
            applicant = get_scoped_or_404(Applicant.objects.filter(org_path=org.path), pk=data["applicant"]) if data[
                "applicant"] else None  # fmt: skip
            try:
                added = services.talent_add(actor=request.user, village=org, name=data["name"],
                                            category=data["category"], contact=data["contact"], member=member,
                                            applicant=applicant, note=data["note"])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(talent_form, error)
            else:
                messages.success(request, _("已将%(name)s列入能人储备库。") % {"name": added.name})
                return redirect("dossiers:talents", pk=org.pk)
        elif action == "reserve" and reserve_form.is_valid():
            data = reserve_form.cleaned_data
            talent = get_scoped_or_404(Talent.objects.filter(village=org), pk=data["talent"])
            try:
                services.reserve_name(
                    actor=request.user, talent=talent, post=data["post"], named_on=data["named_on"]
                )
            except ValidationError as error:
                apply_service_errors(reserve_form, error)
            else:
                messages.success(request, _("已确定%(name)s为后备干部。") % {"name": talent.name})
                return redirect("dossiers:talents", pk=org.pk)
    rows = selectors.village_rows(org)
    return render(request, "dossiers/village.html", {
        "org": org, "talents": found, "row": rows[0] if rows else None, "rule": selectors.talent_rule(),
        "posts": selectors.reserve_by_post(org), "talent_form": talent_form, "reserve_form": reserve_form,
        "may_work": may_work,
    })  # fmt: skip


# ---------------------------------------------------------------- 到社区报到


def _community_by_code(form, code: str) -> Organization | None:
    found = Organization.objects.filter(code=code.strip()).first()
    if found is None:
        form.add_error("community_code", _("没有组织编码为“%(code)s”的党组织。") % {"code": code.strip()})
    return found


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def community(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    may_work = services.may_work(request.user, org)
    is_community = org.field == Organization.Field.COMMUNITY
    registered = list(selectors.registrations_in(org)) if is_community else []
    roster = list(
        Member.objects.filter(org_path=org.path, category=Member.Category.EMPLOYED, community_registration__isnull=True)
        .only("id", "name").order_by("name", "id")
    ) if may_work and org.kind == Organization.Kind.BRANCH else []  # fmt: skip
    action = request.POST.get("action")
    activity_form = ActivityForm(request.POST if action == "activity" else None, registered=registered)
    register_form = RegisterForm(request.POST if action == "register" else None, roster=roster)
    if request.method == "POST":
        if not may_work:
            raise PermissionDenied
        if action == "activity" and is_community and activity_form.is_valid():
            data = activity_form.cleaned_data
            by_id = {r.member_id: r.member for r in registered}
            try:
                services.activity_record(actor=request.user, community=org, held_on=data["held_on"],
                                         title=data["title"], members=[by_id[i] for i in data["members"]])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(activity_form, error)
            else:
                messages.success(request, _("已记录服务活动“%(title)s”。") % {"title": data["title"]})
                return redirect("dossiers:community", pk=org.pk)
        elif action == "register" and register_form.is_valid():
            data = register_form.cleaned_data
            member = get_scoped_or_404(Member.objects.filter(org_path=org.path), pk=data["member"])
            target = _community_by_code(register_form, data["community_code"])
            if target is not None:
                try:
                    services.community_register(actor=request.user, member=member, community=target,
                                                 registered_on=data["registered_on"])  # fmt: skip
                except ValidationError as error:
                    apply_service_errors(register_form, error, renamed={"community": "community_code"})
                else:
                    messages.success(
                        request,
                        _("已登记%(name)s到%(org)s报到。") % {"name": member.name, "org": target.name},
                    )
                    return redirect("dossiers:community", pk=org.pk)
    counts = Paginator(selectors.service_counts(org), PAGE).get_page(request.GET.get("page"))
    return render(request, "dossiers/community.html", {
        "org": org, "is_community": is_community, "registered": registered, "may_work": may_work,
        "activities": list(selectors.activities_of(org)[:30]) if is_community else [],
        "activity_form": activity_form, "register_form": register_form, "may_register": bool(roster), "counts": counts,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def community_mine(request):
    """An in-service member registers themself with the community they live in."""
    if request.user.role != Role.MEMBER or not request.user.member_id:
        raise Http404
    member = Member.objects.select_related("organization").get(pk=request.user.member_id)
    form = RegisterForm(request.POST or None, roster=None)
    if request.method == "POST" and form.is_valid():
        target = _community_by_code(form, form.cleaned_data["community_code"])
        if target is not None:
            try:
                services.community_register(actor=request.user, member=member, community=target,
                                             registered_on=form.cleaned_data["registered_on"])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(form, error, renamed={"community": "community_code"})
            else:
                messages.success(request, _("已到%(org)s报到。") % {"org": target.name})
                return redirect("dossiers:mine")
    return render(request, "dossiers/community_mine.html", {"member": member, "form": form})
