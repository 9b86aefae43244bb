from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from shuzhi.core.access import capability_required
from shuzhi.core.forms import apply_service_errors
from shuzhi.core.pagination import KnownCountPaginator, UncountedPage
from shuzhi.core.roles import Capability, Role
from shuzhi.members import selectors, services
from shuzhi.members.forms import MemberFilterForm, MemberFindForm, MemberForm
from shuzhi.members.models import Member

PLAIN_FIELDS = services.PLAIN_FIELDS
# model field → the form field a person typed it in
MEMBER_FORM_FIELDS = {
    "id_number": "id_number_input",
    "id_number_hash": "id_number_input",
    "phone": "phone_input",
    "organization": "organization_code",
}


def _listed(request):
    """The member list's form, filters and rows for this request (GET), before any counting.
    An ID number is never taken from the address: it is searched by POST (`find`)."""
    query = request.GET.copy()
    query.pop("id_number", None)
    form = MemberFilterForm(query or None)
    organization, candidates, unmatched = None, [], False
    filters = selectors.MemberFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        organization, candidates, unmatched = selectors.filter_organization(viewer=request.user, data=data)
        filters = selectors.member_filter(organization=organization, data=data)
    members = selectors.member_list(viewer=request.user, filters=filters, today=timezone.localdate())
    if unmatched or (form.is_bound and not form.is_valid()):
        # an organisation named but not pinned down, or a bad filter: show nothing rather than everyone
        members = members.none()
    return form, filters, organization, candidates, unmatched, members


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET"])
def member_list(request):
    if request.user.role == Role.MEMBER:
        return redirect("members:me")
    return _list_page(request, MemberFindForm(auto_id="id_find_%s"))


@never_cache
@capability_required(Capability.VIEW_MEMBERS)
@require_POST
def find(request):
    """The member with this whole ID number in the viewer's subtree: their page, or the list
    again with the number kept and the reason."""
    if request.user.role == Role.MEMBER:
        raise PermissionDenied
    form = MemberFindForm(request.POST, auto_id="id_find_%s")
    if form.is_valid():
        found = selectors.member_list(
            viewer=request.user,
            filters=selectors.MemberFilter(id_number=form.cleaned_data["id_number"]),
            today=timezone.localdate(),
        ).first()
        if found is not None:
            return redirect("members:detail", pk=found.pk)
        form.add_error("id_number", _("您管理的范围内没有这个身份证号的党员。请核对号码（须完整18位）。"))
    return _list_page(request, form)


def _list_page(request, find_form):
    form, filters, organization, candidates, unmatched, members = _listed(request)
    counted = filters.only_scope and not unmatched
    if counted:
        # no filter but the subtree: the organisations' member counters hold the exact number
        scope = organization or request.user.organization
        page = KnownCountPaginator(members, 20, count=scope.total_members).get_page(request.GET.get("page"))
    else:
        # a filtered list is shown at once; its total follows (members:count), since counting
        # a city's members by status and age reads every one of them
        page = UncountedPage(members, request.GET.get("page") or 1, 20)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("id_number", None)
    if organization is not None:
        query["org"] = organization.pk
        query["org_q"] = organization.name
    return render(
        request,
        "members/list.html",
        {
            "form": form,
            "page": page,
            "counted": counted,
            "organization": organization,
            "candidates": candidates,
            "unmatched": unmatched,
            "query": query.urlencode(),
            # the same filters, posted to the export
            "export_fields": [(name, value) for name, values in query.lists() for value in values],
            "today": timezone.localdate(),
            "find_form": find_form,
        },
    )


@never_cache
@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET"])
def member_count(request):
    """How many members the list's filters find: the filtered list's total, fetched by the list
    page once it is shown (htmx), within the viewer's subtree like the list itself."""
    if request.user.role == Role.MEMBER:
        raise PermissionDenied
    _form, _filters, _organization, _candidates, _unmatched, members = _listed(request)
    return render(request, "members/_count.html", {"count": members.order_by().count()})


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET"])
def me(request):
    if request.user.member_id is None:
        return render(request, "members/not_linked.html")
    return detail(request, request.user.member_id)


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET"])
def detail(request, pk: int):
    member = selectors.member_get(viewer=request.user, pk=pk)
    return render(
        request,
        "members/detail.html",
        {"member": member, "may_reveal": selectors.member_may_reveal(viewer=request.user, member=member)},
    )


@never_cache
@capability_required(Capability.VIEW_MEMBERS)
@require_POST
def reveal(request, pk: int):
    member = selectors.member_get(viewer=request.user, pk=pk)
    if not selectors.member_may_reveal(viewer=request.user, member=member):
        raise PermissionDenied
    revealed = services.member_reveal(actor=request.user, member=member)
    context = {"member": member, "revealed": revealed, "may_reveal": True}
    if request.htmx:
        return render(request, "members/_personal.html", context)
    return render(request, "members/detail.html", context)


def _form_initial(member: Member) -> dict:
    initial = {name: getattr(member, name) for name in PLAIN_FIELDS}
    initial.update(joined_on=member.joined, full_member_on=member.full_member)  # 2008-07 if only the month
    initial["organization_code"] = member.organization.code
    return initial


@capability_required(Capability.MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def create(request):
    initial = {}
    org_id = request.GET.get("org", "")
    if org_id.isdigit():
        org = selectors.organizations_in_scope(request.user).filter(pk=int(org_id)).first()
        if org is not None:
            initial["organization_code"] = org.code
    form = MemberForm(request.POST or None, viewer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.member_create(
                actor=request.user,
                organization=data["organization"],
                id_number=data["id_number_input"],
                phone=data["phone_input"],
                **{name: data[name] for name in PLAIN_FIELDS},
            )
        except ValidationError as error:
            apply_service_errors(form, error, MEMBER_FORM_FIELDS)
        else:
            messages.success(request, _("已登记党员“%(name)s”。") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form})


@never_cache
@capability_required(Capability.MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    member = selectors.member_get(viewer=request.user, pk=pk)
    form = MemberForm(request.POST or None, viewer=request.user, initial=_form_initial(member))
    if request.method == "GET":
        # editing needs the whole number; an organiser may see it, and it is audited like a reveal
        revealed = services.member_reveal(actor=request.user, member=member)
        form.initial.update(id_number_input=revealed["id_number"], phone_input=revealed["phone"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_update(
                actor=request.user,
                member=member,
                organization=data["organization"],
                id_number=data["id_number_input"],
                phone=data["phone_input"],
                **{name: data[name] for name in PLAIN_FIELDS},
            )
        except ValidationError as error:
            apply_service_errors(form, error, MEMBER_FORM_FIELDS)
        else:
            messages.success(request, _("已保存。"))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "member": member})
