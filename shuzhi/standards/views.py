from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.core.access import capability_required, get_scoped_or_404
from shuzhi.core.forms import apply_service_errors, show_errors
from shuzhi.core.roles import Capability
from shuzhi.members.models import Member
from shuzhi.standards import selectors, services
from shuzhi.standards.forms import (
    ConfirmForm,
    FillForm,
    FollowUpForm,
    ItemForm,
    LevelsForm,
    TrainingForm,
    TrainingImportForm,
    VerdictForm,
)
from shuzhi.standards.models import Check, FollowUpReview, Item, Rating, Standard, Training

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf"}
PER_PAGE = 50


def _year(request, default: int | None = None) -> int:
    """The year asked for, or `default` (the current year when none is given)."""
    today = timezone.localdate()
    fallback = default or today.year
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or fallback)
    except ValueError:
        return fallback
    return year if 2000 <= year <= today.year + 1 else fallback


def _rated_year(request, organization) -> int:
    """A rating page's year: the one asked for, else the newest year rated in the subtree (the
    rating of a year is made at its end or early in the next, so in most months of the year the
    current year has none yet), else the current year."""
    if request.GET.get("year"):
        return _year(request)
    return _year(request, default=selectors.latest_rated_year(organization))


def _years():
    today = timezone.localdate()
    return range(today.year, today.year - 4, -1)


def _branch_url(pk: int, year: int) -> str:
    return reverse("standards:branch", args=[pk]) + "?" + urlencode({"year": year})


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def index(request):
    org = request.user.organization
    name = "standards:branch" if org.kind == selectors.BRANCH else "standards:org"
    return redirect(name, pk=org.pk)


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def standard(request, pk: int):
    found = get_scoped_or_404(Standard.objects.all(), pk=pk)
    spec = selectors.spec_of(found)
    groups = selectors.checklist_items(spec)
    return render(request, "standards/standard.html", {"standard": found, "spec": spec, "groups": groups,
                                                       "standards": Standard.objects.all(),
                                                       "may_edit": selectors.may_edit_standards(request.user)})  # fmt: skip


def _editable_standard(request, pk: int) -> Standard:
    if not selectors.may_edit_standards(request.user):
        raise PermissionDenied
    return get_scoped_or_404(Standard.objects.all(), pk=pk)


EDITED = _("已保存。已确认或已公布的星级不变；其余党支部的得分在下次“计算得分”时按新标准更新。")


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int, item_pk: int | None = None):
    """Add an item to a standard, or change one (the top organisation's organiser)."""
    found = _editable_standard(request, pk)
    item = get_scoped_or_404(Item.objects.filter(standard=found), pk=item_pk) if item_pk else None
    if item is not None:
        initial = {name: getattr(item, name) for name in services.ITEM_FIELDS}
    else:
        initial = {"order": (found.items.order_by("-order").values_list("order", flat=True).first() or 0) + 1}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_save(actor=request.user, standard=found, item=item, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, EDITED)
            return redirect(found)
    return render(request, "standards/item_form.html", {"standard": found, "item": item, "form": form})


@login_required
@require_POST
def item_delete(request, pk: int, item_pk: int):
    found = _editable_standard(request, pk)
    item = get_scoped_or_404(Item.objects.filter(standard=found), pk=item_pk)
    try:
        services.item_delete(actor=request.user, item=item)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已删除“%(item)s”。") % {"item": item.title})
    return redirect(found)


@login_required
@require_http_methods(["GET", "POST"])
def levels_edit(request, pk: int):
    """The levels' names and minimum scores of a standard."""
    found = _editable_standard(request, pk)
    levels = list(found.levels.all())
    form = LevelsForm(request.POST or None, levels=levels, initial={"below_label": found.below_label})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.levels_set(actor=request.user, standard=found, below_label=data["below_label"],
                                levels={lv.rank: (data[f"label_{lv.rank}"], data[f"min_{lv.rank}"]) for lv in levels})  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, EDITED)
            return redirect(found)
    full = sum(item.points for item in found.items.all())
    return render(request, "standards/levels_form.html", {"standard": found, "form": form, "full": full})


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def org(request, pk: int):
    """A higher organisation's year: the distribution of its branches by level, child by child,
    and the branches one by one."""
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    if organization.kind == selectors.BRANCH:
        return redirect(_branch_url(organization.pk, _rated_year(request, organization)))
    year = _rated_year(request, organization)
    found = selectors.level_specs()  # the standards' levels, read once for the page
    labels, total, children = selectors.distribution(org=organization, year=year, found=found)
    for bucket in [total, *children]:
        bucket.row_cells = bucket.cells(labels)
    label = request.GET.get("level", "")[:20]
    status = request.GET.get("status", "")
    status = status if status in Rating.Status.values else ""
    page = Paginator(selectors.branch_ratings(org=organization, year=year, label=label, status=status, found=found),
                     PER_PAGE).get_page(request.GET.get("page"))  # fmt: skip
    page.object_list = selectors.labelled(page.object_list, found)
    return render(request, "standards/org.html", {
        "org": organization, "year": year, "years": _years(), "labels": labels, "total": total,
        "children": children, "page": page, "label": label, "status": status, "statuses": Rating.Status.choices,
        "may_publish": selectors.may_publish(request.user, organization),
        "qs": urlencode({"year": year, "level": label, "status": status}),
        "org_base": reverse("standards:org", args=[0]).removesuffix("0/"),  # one reverse for every row
    })  # fmt: skip


@capability_required(Capability.VIEW_RECORDS)
@require_POST
def compute(request, pk: int):
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    year = _year(request)
    try:
        rated, skipped = services.ratings_compute(actor=request.user, root=organization, year=year)
    except ValidationError as error:
        show_errors(request, error)
    else:
        text = _("已按平台数据计算 %(n)d 个党支部的得分。") % {"n": rated}
        if skipped:
            text += _("另有 %(k)d 个党支部所在领域尚无建设标准。") % {"k": skipped}
        messages.success(request, text)
    if organization.kind == selectors.BRANCH:
        return redirect(_branch_url(organization.pk, year))
    return redirect(reverse("standards:org", args=[organization.pk]) + f"?year={year}")


@capability_required(Capability.VIEW_RECORDS)
@require_POST
def publish(request, pk: int):
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    year = _year(request)
    try:
        count = services.ratings_publish(actor=request.user, root=organization, year=year)
    except ValidationError as error:
        show_errors(request, error)
        return redirect(reverse("standards:org", args=[organization.pk]) + f"?year={year}")
    messages.success(request, _("已公布 %(n)d 个党支部的星级评定结果。") % {"n": count})
    return redirect(reverse("standards:published", args=[organization.pk]) + f"?year={year}")


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def published(request, pk: int):
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    year = _rated_year(request, organization)
    return render(request, "standards/published.html", {
        "org": organization, "year": year, "years": _years(),
        "groups": selectors.published(org=organization, year=year),
    })  # fmt: skip


def _branch_get(request, pk: int):
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    if organization.kind != selectors.BRANCH:
        raise Http404
    return organization


def _rating(organization, year: int) -> Rating | None:
    return (
        Rating.objects.filter(organization=organization, year=year)
        .select_related("organization", "standard", "confirmed_by")
        .first()
    )


def _branch_page(request, organization, year: int, *, bound: dict | None = None):
    """The branch's checklist; `bound` holds a form that failed, to show it with what was typed."""
    bound = bound or {}
    rating = _rating(organization, year)
    context = {"org": organization, "year": year, "years": _years(), "rating": rating,
               "may_fill": selectors.may_fill(request.user, organization),
               "may_check": selectors.may_check(request.user, organization)}  # fmt: skip
    if rating is not None:
        found = selectors.checklist(rating)
        open_ = rating.status == Rating.Status.OPEN
        for _label, rows in found.groups:
            for row in rows:
                check = row.check
                if context["may_fill"] and open_ and row.item.evidence == "checked":
                    row.fill_form = bound.get(("fill", row.item.pk)) or FillForm(
                        initial={"claimed": check.claimed if check else False, "note": check.note if check else ""},
                        prefix=f"f{row.item.pk}",
                    )  # fmt: skip
                if context["may_check"] and rating.status not in services.FROZEN:
                    row.verdict_form = bound.get(("verdict", row.item.pk)) or VerdictForm(
                        initial={"verdict": "1" if row.met else "0"}, prefix=f"v{row.item.pk}"
                    )
        context.update(checklist=found, spec=found.spec, label=found.spec.label(rating.rank),
                       final_label=found.spec.label(rating.final_rank) if rating.final_rank is not None else "")  # fmt: skip
        if context["may_check"] and rating.status == Rating.Status.SUBMITTED:
            context["confirm_form"] = bound.get("confirm") or ConfirmForm(
                spec=found.spec, initial={"rank": rating.rank}
            )
    return render(request, "standards/branch.html", context)


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def branch(request, pk: int):
    organization = _branch_get(request, pk)
    return _branch_page(request, organization, _rated_year(request, organization))


def _rating_or_404(organization, year):
    rating = _rating(organization, year)
    if rating is None:
        raise Http404
    return rating


@capability_required(Capability.KEEP_RECORDS)
@require_POST
def fill(request, pk: int, item_pk: int):
    organization = _branch_get(request, pk)
    year = _year(request)
    rating = _rating_or_404(organization, year)
    if not selectors.may_fill(request.user, organization):
        raise PermissionDenied
    form = FillForm(request.POST, request.FILES, prefix=f"f{item_pk}")
    if form.is_valid():
        data = form.cleaned_data
        photo = data["photo"]
        try:
            services.check_fill(actor=request.user, rating=rating, item_id=item_pk, claimed=data["claimed"],
                                note=data["note"], photo=photo, photo_name=photo.name if photo else "",
                                photo_size=photo.size if photo else 0)  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存自评。"))
            return redirect(_branch_url(organization.pk, year) + f"#item-{item_pk}")
    return _branch_page(request, organization, year, bound={("fill", item_pk): form})


@capability_required(Capability.VIEW_RECORDS)
@require_POST
def verdict(request, pk: int, item_pk: int):
    organization = _branch_get(request, pk)
    year = _year(request)
    rating = _rating_or_404(organization, year)
    if not selectors.may_check(request.user, organization):
        raise PermissionDenied
    form = VerdictForm(request.POST, prefix=f"v{item_pk}")
    if form.is_valid():
        try:
            services.check_verdict(actor=request.user, rating=rating, item_id=item_pk,
                                   verdict=form.cleaned_data["verdict"] == "1", reason=form.cleaned_data["reason"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已记录上级认定。"))
            return redirect(_branch_url(organization.pk, year) + f"#item-{item_pk}")
    return _branch_page(request, organization, year, bound={("verdict", item_pk): form})


@capability_required(Capability.KEEP_RECORDS)
@require_POST
def submit(request, pk: int):
    organization = _branch_get(request, pk)
    year = _year(request)
    rating = _rating_or_404(organization, year)
    try:
        services.rating_submit(actor=request.user, rating=rating)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已提交自评，等待上级检查确认。"))
    return redirect(_branch_url(organization.pk, year))


@capability_required(Capability.VIEW_RECORDS)
@require_POST
def confirm(request, pk: int):
    organization = _branch_get(request, pk)
    year = _year(request)
    rating = _rating_or_404(organization, year)
    if not selectors.may_check(request.user, organization):
        raise PermissionDenied
    form = ConfirmForm(request.POST, spec=selectors.spec_of(rating.standard))
    if form.is_valid():
        try:
            services.rating_confirm(actor=request.user, rating=rating, rank=form.cleaned_data["rank"],
                                    reason=form.cleaned_data["reason"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已确认等次。"))
            return redirect(_branch_url(organization.pk, year))
    return _branch_page(request, organization, year, bound={"confirm": form})


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def photo(request, pk: int, check_pk: int):
    organization = _branch_get(request, pk)
    found = get_scoped_or_404(
        Check.objects.filter(rating__organization=organization).exclude(photo=""), pk=check_pk
    )
    return FileResponse(found.photo.open("rb"), as_attachment=found.photo_kind == "pdf", filename=found.photo_name,
                        content_type=CONTENT_TYPES.get(found.photo_kind, "application/octet-stream"))  # fmt: skip


# Education hours ------------------------------------------------------------------------------


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def education(request, pk: int):
    """A branch's members with their hours; above it, the share of members who reached their
    hours, child by child; and the organisation's own trainings."""
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    year = _year(request)
    context = {"org": organization, "year": year, "years": _years(), "norms": selectors.norms(),
               "trainings": Paginator(selectors.trainings_of(org=organization, year=year), PER_PAGE)
               .get_page(request.GET.get("page")),
               "may_train": selectors.may_train(request.user, organization)}  # fmt: skip
    if organization.kind == selectors.BRANCH:
        rows = selectors.branch_hours(org=organization, year=year)
        context.update(rows=rows, done=sum(r.done for r in rows))
    else:
        total, children = selectors.education_rollup(org=organization, year=year)
        context.update(total=total, children=children)
    return render(request, "standards/education.html", context)


@capability_required(Capability.VIEW_RECORDS)
@require_http_methods(["GET", "POST"])
def training_new(request, pk: int):
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    if not selectors.may_train(request.user, organization):
        raise PermissionDenied
    roster = Member.objects.filter(org_path=organization.path).only("id", "name").order_by("name", "id")
    form = TrainingForm(request.POST or None, kinds=Training.Kind.choices, roster=roster)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            training = services.training_record(
                actor=request.user, organization=organization, kind=data["kind"], title=data["title"],
                held_on=data["held_on"], hours=data["hours"], member_ids=data["members"],
            )  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("已登记“%(t)s”，%(n)d 人参加。") % {"t": training.title, "n": len(data["members"])}
            )
            return redirect(
                reverse("standards:education", args=[organization.pk]) + f"?year={training.held_on.year}"
            )
    return render(request, "standards/training_form.html", {"org": organization, "form": form})


@capability_required(Capability.VIEW_RECORDS)
@require_http_methods(["GET", "POST"])
def training_import(request, pk: int):
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    if not selectors.may_train(request.user, organization):
        raise PermissionDenied
    form = TrainingImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            added, people = services.trainings_import(actor=request.user, organization=organization,
                                                      upload=form.cleaned_data["file"])  # fmt: skip
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(
                request, _("已导入培训 %(t)d 项，参训记录 %(p)d 条。") % {"t": added, "p": people}
            )
            return redirect("standards:education", pk=organization.pk)
    return render(request, "standards/training_import.html", {"org": organization, "form": form,
                                                              "problems": problems})  # fmt: skip


@login_required
@require_GET
def education_mine(request):
    """A member's own hours of the year, training by training. Only themself."""
    if not request.user.member_id:
        raise PermissionDenied
    year = _year(request)
    member = Member.objects.select_related("organization").get(pk=request.user.member_id)
    trainings = selectors.member_trainings(member_id=member.pk, year=year)
    norms = selectors.norms()
    cadre = member.pk in selectors.cadre_ids(member.org_path)
    norm = norms.get("cadre" if cadre else "member", 0)
    hours = sum((t.hours for t in trainings), Decimal(0))
    return render(request, "standards/education_mine.html", {"member": member, "year": year, "years": _years(),
                                                             "trainings": trainings, "hours": hours, "norm": norm,
                                                             "cadre": cadre})  # fmt: skip


# New members' follow-up -----------------------------------------------------------------------


def _may_see_members(request) -> None:
    if not request.user.can(Capability.VIEW_MEMBERS):
        raise PermissionDenied


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def follow_up(request, pk: int):
    """The members under follow-up in the subtree, the year's reviews due, the statistics."""
    _may_see_members(request)
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    year = _year(request)
    due_only = request.GET.get("due") == "1"
    rows, stats = selectors.under_follow_up(org=organization, year=year, due_only=due_only)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "standards/follow_up.html", {
        "org": organization, "year": year, "years": _years(), "page": page, "stats": stats, "due_only": due_only,
        "period": selectors.follow_up_years(), "may_review": request.user.can(Capability.KEEP_RECORDS)
        and request.user.organization_id == organization.pk,
    })  # fmt: skip


@capability_required(Capability.KEEP_RECORDS)
@require_http_methods(["GET", "POST"])
def follow_up_member(request, member_pk: int):
    _may_see_members(request)
    member = get_scoped_or_404(
        Member.objects.filter(organization_id=request.user.organization_id).select_related("organization"),
        pk=member_pk,
    )
    year = _year(request)
    review = FollowUpReview.objects.filter(member=member, year=year).first()
    initial = {"grade": review.grade, "assessment": review.assessment, "reviewer": review.reviewer} if review else {
        "reviewer": request.user.full_name}  # fmt: skip
    form = FollowUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_review(actor=request.user, member=member, year=year, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("已记录%(name)s %(year)s 年度的跟踪考察。") % {"name": member.name, "year": year}
            )
            return redirect(reverse("standards:follow_up", args=[member.organization_id]) + f"?year={year}")
    past = FollowUpReview.objects.filter(member=member).exclude(year=year).order_by("-year")
    return render(request, "standards/follow_up_form.html", {"member": member, "year": year, "form": form,
                                                             "past": past})  # fmt: skip
