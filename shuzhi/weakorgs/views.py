from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.core.access import get_scoped_or_404, holds_at_top, in_subtree
from shuzhi.core.forms import apply_service_errors, show_errors
from shuzhi.core.roles import Capability
from shuzhi.weakorgs import selectors, services
from shuzhi.weakorgs.forms import (
    AssignForm,
    DecideForm,
    PlanForm,
    ProgressForm,
    RatioForm,
    ReasonForm,
    RuleForm,
    VisitForm,
)
from shuzhi.weakorgs.models import Entry, RatioPractice, Rule

PER_PAGE = 50
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        return today.year
    return year if today.year - services.YEARS_BACK <= year <= today.year + 1 else today.year


def _years():
    this = timezone.localdate().year
    return range(this, this - 5, -1)


def _viewer(request) -> None:
    selectors.require_view(request.user)


@login_required
@require_GET
def index(request):
    """The year's flags in the viewer's subtree: counts per rule, the flagged organisations with
    their evidence, and (for an organiser) confirming one onto the list."""
    _viewer(request)
    year = _year(request)
    rule = request.GET.get("rule", "")
    rule = rule if rule in dict(Rule._meta.get_field("key").choices) else ""
    page = Paginator(selectors.flagged_orgs(viewer=request.user, year=year, rule=rule), PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = selectors.rule_counts(viewer=request.user, year=year)
    labels = {c.rule.key: c.rule.label for c in counts}
    rows = selectors.flagged_rows(list(page.object_list), year=year, labels=labels)
    for row in rows:
        row.may_add = selectors.can_organise(request.user, row.org) and (
            row.entry is None or row.entry.status == Entry.Status.REMOVED
        )
    return render(request, "weakorgs/index.html", {
        "year": year, "years": _years(), "rule": rule, "page": page, "rows": rows,
        "counts": counts, "run": selectors.last_run(year),
        "may_compute": request.user.can(Capability.MANAGE_RECTIFICATION),
        "query": urlencode({"year": year, "rule": rule}),
    })  # fmt: skip


@login_required
@require_POST
def compute(request):
    _viewer(request)
    if not request.user.can(Capability.MANAGE_RECTIFICATION):
        raise PermissionDenied
    year = _year(request)
    try:
        run = services.flags_compute(year=year, actor=request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已研判 %(n)d 个基层党组织，%(k)d 个命中至少一条规则（用时 %(s)s 秒）。")
                         % {"n": run.organizations, "k": run.flagged, "s": run.seconds})  # fmt: skip
    return redirect(f"{_index_url()}?year={year}")


def _index_url() -> str:
    from django.urls import reverse

    return reverse("weakorgs:index")


@login_required
@require_POST
def entry_add(request, org_pk: int):
    org = selectors.org_get(viewer=request.user, pk=org_pk)
    year = _year(request)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        show_errors(request, form)
        return redirect(f"{_index_url()}?year={year}")
    try:
        entry = services.entry_add(actor=request.user, org=org, year=year, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        show_errors(request, error)
        return redirect(f"{_index_url()}?year={year}")
    messages.success(
        request, _("已将“%(org)s”列入 %(year)d 年度软弱涣散台账。") % {"org": org.name, "year": year}
    )
    return redirect(entry)


@login_required
@require_POST
def entry_remove(request, pk: int):
    entry = selectors.entry_get(viewer=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        show_errors(request, form)
        return redirect(entry)
    try:
        services.entry_remove(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已将“%(org)s”移出台账。") % {"org": entry.organization.name})
    return redirect(entry)


@login_required
@require_GET
def watchlist(request):
    """软弱涣散台账 of a year: the ratio practice per field and every listed organisation."""
    _viewer(request)
    year = _year(request)
    status = request.GET.get("status", "")
    status = status if status in Entry.Status.values else ""
    entries = selectors.watchlist(viewer=request.user, year=year, status=status)
    # ?plan=missing: those being rectified without a complete 一村一策 plan (the workbench's link)
    plan_missing = request.GET.get("plan") == "missing"
    if plan_missing:
        entries = entries.filter(pk__in=selectors.without_plan(viewer=request.user, year=year).values("pk"))
    scope = None
    if request.GET.get("org", "").isdigit():
        scope = selectors.org_get(viewer=request.user, pk=int(request.GET["org"]))
        entries = entries.filter(in_subtree("org_path", scope.path))
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_progress_counts(list(page.object_list))
    query = {
        "year": year,
        "status": status,
        **({"org": scope.pk} if scope else {}),
        **({"plan": "missing"} if plan_missing else {}),
    }
    return render(request, "weakorgs/watchlist.html", {
        "year": year, "years": _years(), "status": status, "statuses": Entry.Status.choices, "page": page,
        "ratios": selectors.ratio_rows(viewer=request.user, year=year), "scope": scope,
        "query": urlencode(query), "plan_missing": plan_missing,
    })  # fmt: skip


def _entry_page(request, entry: Entry, *, status: int = 200, **forms):
    user, org = request.user, entry.organization
    may_work = entry.status in (Entry.Status.LISTED, Entry.Status.RETURNED) and (
        selectors.can_organise(user, org) or selectors.is_unit(user, org)
    )
    plan_initial = {name: getattr(entry, name) for name in services.PLAN_FIELDS}
    context = {
        "entry": entry, "org": org, "may_work": may_work,
        "may_decide": entry.status == Entry.Status.AWAITING and selectors.can_accept(user, org),
        "may_close": entry.status == Entry.Status.ACCEPTED and selectors.can_accept(user, org),
        "may_remove": entry.status not in (Entry.Status.CLOSED, Entry.Status.REMOVED)
        and selectors.can_organise(user, org),
        "may_add_again": entry.status == Entry.Status.REMOVED and selectors.can_organise(user, org),
        "plan_form": forms.get("plan_form") or PlanForm(initial=plan_initial),
        "progress_form": forms.get("progress_form") or ProgressForm(),
        "decide_form": forms.get("decide_form") or DecideForm(),
        "remove_form": ReasonForm(),
        "progress": selectors.progress_of(entry), "events": entry.events.select_related("actor"),
        "history": selectors.history(org).exclude(pk=entry.pk),
    }  # fmt: skip
    return render(request, "weakorgs/entry.html", context, status=status)


@login_required
@require_GET
def entry(request, pk: int):
    return _entry_page(request, selectors.entry_get(viewer=request.user, pk=pk))


@login_required
@require_POST
def plan(request, pk: int):
    entry = selectors.entry_get(viewer=request.user, pk=pk)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.plan_set(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存整顿方案。"))
            return redirect(entry)
    return _entry_page(request, entry, status=400, plan_form=form)


@login_required
@require_POST
def progress(request, pk: int):
    entry = selectors.entry_get(viewer=request.user, pk=pk)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.progress_add(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已记录整顿进展。"))
            return redirect(entry)
    return _entry_page(request, entry, status=400, progress_form=form)


@login_required
@require_POST
def request_acceptance(request, pk: int):
    entry = selectors.entry_get(viewer=request.user, pk=pk)
    try:
        services.acceptance_request(actor=request.user, entry=entry)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已申请验收，等待上级组织部验收。"))
    return redirect(entry)


@login_required
@require_POST
def decide(request, pk: int):
    entry = selectors.entry_get(viewer=request.user, pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        passed = form.cleaned_data["decision"] == DecideForm.PASS
        try:
            services.acceptance_decide(
                actor=request.user, entry=entry, passed=passed, opinion=form.cleaned_data["opinion"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("验收通过。") if passed else _("验收未通过，已退回整顿并通知书记。"))
            return redirect(entry)
    return _entry_page(request, entry, status=400, decide_form=form)


@login_required
@require_POST
def close(request, pk: int):
    entry = selectors.entry_get(viewer=request.user, pk=pk)
    try:
        services.entry_close(actor=request.user, entry=entry)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已销号。"))
    return redirect(entry)


@login_required
@require_GET
def evidence(request, pk: int, file_pk: int):
    entry = selectors.entry_get(viewer=request.user, pk=pk)
    found = selectors.file_get(entry=entry, pk=file_pk)
    response = FileResponse(found.file.open("rb"), as_attachment=found.kind in ("docx", "pdf"),
                            filename=found.original_name,
                            content_type=CONTENT_TYPES.get(found.kind, "application/octet-stream"))  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def org(request, pk: int):
    """One organisation: every rule now (hit, clear or 无数据, with evidence) and its history."""
    organization = selectors.org_get(viewer=request.user, pk=pk)
    year = _year(request)
    return render(request, "weakorgs/org.html", {
        "org": organization, "year": year, "years": _years(),
        "grassroots": selectors.is_grassroots(organization),
        "outcomes": selectors.outcomes_of(organization, year=year) if selectors.is_grassroots(organization) else [],
        "history": selectors.history(organization),
        "may_add": selectors.can_organise(request.user, organization) and selectors.is_grassroots(organization)
        and not selectors.history(organization).filter(year=year).exists(),
        "reason_form": ReasonForm(),
    })  # fmt: skip


def _may_set_rules(request) -> bool:
    return holds_at_top(request.user, Capability.MANAGE_RECTIFICATION)


@login_required
@require_GET
def rule_list(request):
    _viewer(request)
    labels = dict(selectors.Organization.Field.choices)
    rules, ratios = list(Rule.objects.all()), list(RatioPractice.objects.all())
    for rule in rules:
        rule.field_names = "、".join(str(labels.get(f, f)) for f in rule.fields)
    for practice in ratios:
        practice.field_label = labels.get(practice.field, practice.field)
    return render(request, "weakorgs/rules.html", {
        "rules": rules, "ratios": ratios, "may_set": _may_set_rules(request), "year": timezone.localdate().year,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    if not _may_set_rules(request):
        raise PermissionDenied
    rule = get_scoped_or_404(Rule.objects.all(), pk=pk)
    initial = {"threshold": rule.threshold, "fields_": rule.fields, "enabled": rule.enabled}
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rule_set(actor=request.user, rule=rule, threshold=data["threshold"], fields=data["fields_"],
                              enabled=data["enabled"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error, {"fields": "fields_"})
        else:
            messages.success(request, _("已保存规则“%(label)s”；重新研判后生效。") % {"label": rule.label})
            return redirect("weakorgs:rules")
    return render(request, "weakorgs/rule_form.html", {"rule": rule, "form": form, "title": rule.label},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def ratio_edit(request, pk: int):
    if not _may_set_rules(request):
        raise PermissionDenied
    practice = get_scoped_or_404(RatioPractice.objects.all(), pk=pk)
    form = RatioForm(request.POST or None, initial={"percent": practice.percent, "enabled": practice.enabled})
    if request.method == "POST" and form.is_valid():
        try:
            services.ratio_set(actor=request.user, practice=practice, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存倒排比例。"))
            return redirect("weakorgs:rules")
    label = dict(selectors.Organization.Field.choices).get(practice.field, practice.field)
    return render(request, "weakorgs/rule_form.html", {"form": form, "title": _("倒排比例：%(f)s") % {"f": label}},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
@require_GET
def liaison(request):
    """联系点 of the viewer's subtree, and the year's weak organisations no leader links to."""
    _viewer(request)
    year = _year(request)
    points = Paginator(selectors.liaison_points(viewer=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "weakorgs/liaison.html", {
        "year": year, "years": _years(), "points": points, "page": points,
        "unlinked": selectors.weak_without_liaison(viewer=request.user, year=year)[:200],
        "may_assign": request.user.can(Capability.MANAGE_RECTIFICATION), "query": urlencode({"year": year}),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def liaison_assign(request, org_pk: int):
    org = selectors.org_get(viewer=request.user, pk=org_pk)
    if not selectors.can_organise(request.user, org):
        raise PermissionDenied
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.liaison_assign(actor=request.user, org=org, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("已确定%(leader)s联系%(org)s。") % {"leader": point.leader_name, "org": org.name}
            )
            return redirect("weakorgs:liaison")
    return render(
        request, "weakorgs/assign.html", {"org": org, "form": form}, status=400 if form.errors else 200
    )


@login_required
@require_GET
def my_points(request):
    return render(request, "weakorgs/my_points.html", {"points": selectors.my_points(request.user)})


def _point_page(request, point, *, visit_form=None, status: int = 200):
    user = request.user
    may_visit = point.active and (
        point.leader_id == user.pk or selectors.can_organise(user, point.organization)
    )
    return render(request, "weakorgs/point.html", {
        "point": point, "visits": point.visits.select_related("recorded_by"), "may_visit": may_visit,
        "may_end": point.active and selectors.can_organise(user, point.organization),
        "visit_form": visit_form or VisitForm(), "end_form": ReasonForm(),
    }, status=status)  # fmt: skip


@login_required
@require_GET
def point(request, pk: int):
    return _point_page(request, selectors.point_get(viewer=request.user, pk=pk))


@login_required
@require_POST
def visit(request, pk: int):
    point = selectors.point_get(viewer=request.user, pk=pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            services.visit_add(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已记录走访。"))
            return redirect(point)
    return _point_page(request, point, visit_form=form, status=400)


@login_required
@require_POST
def point_end(request, pk: int):
    point = selectors.point_get(viewer=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        show_errors(request, form)
        return redirect(point)
    try:
        services.liaison_end(actor=request.user, point=point, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已调整联系点。"))
    return redirect(point)
