from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from shuzhi.core.access import capability_required
from shuzhi.core.forms import apply_service_errors
from shuzhi.core.pagination import KnownCountPaginator
from shuzhi.core.roles import Capability, Role
from shuzhi.members import selectors, services
from shuzhi.members.forms import MemberFilterForm, MemberForm
from shuzhi.members.models import Member

PLAIN_FIELDS = services.PLAIN_FIELDS
# model field → the form field a person typed it in
MEMBER_FORM_FIELDS = {
    "id_number": "id_number_input",
    "id_number_hash": "id_number_input",
    "phone": "phone_input",
    "organization": "organization_code",
}


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET"])
def member_list(request):
    if request.user.role == Role.MEMBER:
        return redirect("members:me")
    form = MemberFilterForm(request.GET or None)
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
    if filters.only_scope and not unmatched:
        # no filter but the subtree: the organisations' member counters hold the exact number
        scope = organization or request.user.organization
        paginator = KnownCountPaginator(members, 20, count=scope.total_members)
    else:
        paginator = Paginator(members, 20)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    if organization is not None:
        query["org"] = organization.pk
        query["org_q"] = organization.name
    return render(
        request,
        "members/list.html",
        {
            "form": form,
            "page": page,
            "organization": organization,
            "candidates": candidates,
            "unmatched": unmatched,
            "query": query.urlencode(),
            # the same filters, posted to the export
            "export_fields": [(name, value) for name, values in query.lists() for value in values],
            "today": timezone.localdate(),
        },
    )


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
