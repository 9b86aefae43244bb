from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shuzhi.core.access import any_capability_required, capability_required, get_scoped_or_404
from shuzhi.core.forms import apply_service_errors
from shuzhi.core.roles import Capability, Role
from shuzhi.projects import documents, rules, selectors, services
from shuzhi.projects.forms import (
    CarryForm,
    DutyForm,
    ExemplaryForm,
    ProblemForm,
    ProgressForm,
    ProjectForm,
    RatingForm,
    ReturnForm,
    RoundForm,
)
from shuzhi.projects.models import QUARTERS, Declaration, DeclaredItem, Project, ProjectFile

readers = any_capability_required(
    Capability.MANAGE_CYCLES, Capability.VIEW_CYCLES, Capability.SUPERVISE, Capability.WRITE_REPORT
)
overseers = any_capability_required(Capability.VIEW_CYCLES, Capability.SUPERVISE)
CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


RANK_ROW = (
    '<tr><td>{}</td><td>{}</td><td class="text-end">{}</td><td class="text-end">{}</td><td>{}</td>'
    '<td class="text-end">{}</td></tr>'
)


def _board_cells():
    """A cell's markup from its state; the few states a board has are built once each."""
    built: dict[tuple, str] = {}

    def cell_html(cell) -> str:
        if cell.rating is not None:
            key: tuple = ("rated", cell.rating.label)
        elif cell.progress is not None:
            key = ("reported", cell.progress.late)
        else:
            key = ("overdue" if cell.overdue else "none",)
        found = built.get(key)
        if found is None:
            if key[0] == "rated":
                inner = format_html('<span class="badge text-bg-primary">{}</span>', key[1])
            elif key[0] == "reported":
                late = (
                    format_html(' <span class="badge text-bg-danger">{}</span>', _("迟报")) if key[1] else ""
                )
                inner = format_html('<span class="badge text-bg-info">{}</span>{}', _("已报"), late)
            elif key[0] == "overdue":
                inner = format_html('<span class="badge text-bg-danger">{}</span>', _("逾期"))
            else:
                inner = "—"
            found = built[key] = format_html('<td class="text-center small">{}</td>', inner)
        return found

    return cell_html


def _path_of(name: str):
    """A view's path for a key without reverse() per row (150 a page)."""
    head = reverse(name, args=[987654321]).split("987654321")
    return lambda pk: f"{head[0]}{pk}{head[1]}"


def _board_rows(rows) -> str:
    """The board's rows in one escaped pass: 50 units × 2 projects × 4 quarters took the template
    engine as long as the queries."""
    declaration_path, project_path = _path_of("projects:declaration"), _path_of("projects:project")
    cell_html = _board_cells()
    late_mark, no_projects, exemplary_mark = f" · {_('逾期')}", _("尚无领办项目"), _("典型")
    statuses = {value: str(label) for value, label in Declaration.Status.choices}  # lazy labels: once
    out = []
    for row in rows:
        declaration = row.declaration
        badge = (
            "text-bg-success"
            if declaration.status == declaration.Status.ACCEPTED
            else "text-bg-danger"
            if row.late
            else "text-bg-light border"
        )
        status = statuses.get(declaration.status, declaration.status)
        url = declaration_path(declaration.pk)
        if not row.projects:
            out.append(
                format_html(
                    '<tr><td>{}</td><td><a href="{}">{}</a></td><td><span class="badge {}">{}{}</span></td>'
                    '<td class="text-secondary small" colspan="5">{}</td></tr>',
                    declaration.group,
                    url,
                    declaration.organization.name,
                    badge,
                    status,
                    late_mark if row.late else "",
                    no_projects,
                )
            )
            continue
        span = len(row.projects)
        for n, (project, cells) in enumerate(row.projects):
            head = (
                format_html(
                    '<td rowspan="{}">{}</td><td rowspan="{}"><a href="{}">{}</a></td>'
                    '<td rowspan="{}"><span class="badge {}">{}</span></td>',
                    span,
                    declaration.group,
                    span,
                    url,
                    declaration.organization.name,
                    span,
                    badge,
                    status,
                )
                if n == 0
                else ""
            )
            exemplary = (
                format_html(' <span class="badge text-bg-warning">{}</span>', exemplary_mark)
                if project.exemplary
                else ""
            )
            out.append(
                format_html(
                    '<tr>{}<td><a href="{}">{}</a>{}</td>{}</tr>',
                    head,
                    project_path(project.pk),
                    project.title,
                    exemplary,
                    mark_safe("".join(cell_html(c) for c in cells)),  # noqa: S308 — built by format_html
                )
            )
    return mark_safe("".join(out))  # noqa: S308 — each part built by format_html


def _quarter(request, default: int) -> int:
    try:
        quarter = int(request.GET.get("quarter") or default)
    except ValueError:
        return default
    return quarter if quarter in QUARTERS else default


@readers
@require_GET
def index(request):
    if request.user.role == Role.SECRETARY:
        return redirect("projects:mine")
    rounds = list(selectors.rounds_visible_to(request.user))
    return render(
        request,
        "projects/index.html",
        {"rounds": rounds, "may_open": request.user.can(Capability.MANAGE_CYCLES)},
    )


@capability_required(Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def round_new(request):
    form = RoundForm(request.POST or None, organization=request.user.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_open(
                actor=request.user,
                year=data["year"],
                title=data["title"],
                declare_due=data["declare_due"],
                quarter_dues=form.quarter_dues(),
                scheme=data["scheme"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("已开启申报，%(n)d 个单位已收到通知。") % {"n": round_.declarations.count()}
            )
            return redirect(round_)
    return render(request, "projects/round_form.html", {"form": form})


@overseers
@require_http_methods(["GET", "POST"])
def round_detail(request, pk: int):
    """The board: every unit's declaration and its projects' quarters; the organiser reminds."""
    round_ = selectors.round_get(viewer=request.user, pk=pk)
    may_manage = services.is_organiser(request.user, round_)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "remind_progress":
                quarter = request.POST.get("quarter", "")
                sent = services.progress_remind(
                    actor=request.user, round_=round_, quarter=int(quarter) if quarter.isdigit() else 0
                )
            else:
                sent = services.declarations_remind(actor=request.user, round_=round_)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已提醒 %(n)d 位书记。") % {"n": sent})
        return redirect(round_)
    today = timezone.localdate()
    page, rows = selectors.round_board(round_, today=today, page_number=request.GET.get("page"))
    late, late_count = selectors.late_declarations(round_, today=today)
    return render(
        request,
        "projects/round.html",
        {
            "round": round_,
            "rows": _board_rows(rows),
            "page": page,
            "late": late,
            "late_count": late_count,
            "may_manage": may_manage,
            "quarters": [(q, round_.quarter_due(q)) for q in QUARTERS],
            "current_quarter": rules.quarter_of(today) if today.year == round_.year else 4,
        },
    )


@overseers
@require_GET
def ranking(request, pk: int):
    """One group's ranking a page at a time (a city's 2,000 units were one page of 1.6 s)."""
    round_ = selectors.round_get(viewer=request.user, pk=pk)
    quarter = _quarter(request, 1)
    found = selectors.ranking_page(
        round_, quarter=quarter, group=request.GET.get("group"), page_number=request.GET.get("page")
    )
    return render(
        request,
        "projects/ranking.html",
        {
            "round": round_,
            "quarter": quarter,
            "found": found,
            "rows": format_html_join("", RANK_ROW, (row.cells for row in found.rows)),
            "page": found.page,
            "query": urlencode({"quarter": quarter, "group": found.group}),
            "quarters": QUARTERS,
        },
    )


@overseers
@require_GET
def ranking_docx(request, pk: int):
    round_ = selectors.round_get(viewer=request.user, pk=pk)
    quarter = _quarter(request, 1)
    data = documents.ranking_bulletin(round_, quarter, selectors.ranking(round_, quarter=quarter))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    name = f"{round_.year}-Q{quarter}-ranking.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@overseers
@require_GET
def supervision_docx(request, pk: int):
    """督查办's quarterly report to the committee."""
    round_ = selectors.round_get(viewer=request.user, pk=pk)
    quarter = _quarter(request, 1)
    today = timezone.localdate()
    data = documents.supervision_report(
        round_, quarter, selectors.round_board_all(round_, today=today), today=today
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="{round_.year}-Q{quarter}-supervision.docx"'
    return response


@capability_required(Capability.WRITE_REPORT)
@require_GET
def mine(request):
    return render(request, "projects/mine.html", {"declarations": selectors.declarations_mine(request.user)})


def _declaration_page(request, declaration, **forms_):
    lists = selectors.declaration_lists(declaration)
    is_writer = services.is_writer(request.user, declaration) and declaration.is_editable
    offered = selectors.open_rectification(declaration) if is_writer else []
    context = {
        "declaration": declaration,
        "round": declaration.round,
        # a county sees its units' declarations in the city's round, not the city's whole board
        "round_visible": declaration.round.org_path.startswith(request.user.organization.path),
        **lists,
        "is_writer": is_writer,
        "may_review": services.is_organiser(request.user, declaration.round) and declaration.is_reviewable,
        "offered": offered,
        "problem_form": forms_.get("problem_form") or ProblemForm(),
        "duty_form": forms_.get("duty_form") or DutyForm(),
        "carry_form": forms_.get("carry_form") or CarryForm(offered=offered),
        "return_form": forms_.get("return_form") or ReturnForm(),
        "submit_errors": forms_.get("submit_errors", []),
    }
    return render(request, "projects/declaration.html", context)


@readers
@require_http_methods(["GET", "POST"])
def declaration(request, pk: int):
    declaration = selectors.declaration_get(viewer=request.user, pk=pk)
    if request.method == "GET":
        return _declaration_page(request, declaration)
    action = request.POST.get("action")
    actor = request.user
    try:
        if action == "problem":
            form = ProblemForm(request.POST)
            if not form.is_valid():
                return _declaration_page(request, declaration, problem_form=form)
            try:
                services.item_add(
                    actor=actor, declaration=declaration, kind=DeclaredItem.Kind.PROBLEM, **form.cleaned_data
                )
            except ValidationError as error:
                apply_service_errors(form, error)
                return _declaration_page(request, declaration, problem_form=form)
            messages.success(request, _("已加入问题清单。"))
        elif action == "duty":
            form = DutyForm(request.POST)
            if not form.is_valid():
                return _declaration_page(request, declaration, duty_form=form)
            try:
                services.item_add(
                    actor=actor, declaration=declaration, kind=DeclaredItem.Kind.DUTY, **form.cleaned_data
                )
            except ValidationError as error:
                apply_service_errors(form, error)
                return _declaration_page(request, declaration, duty_form=form)
            messages.success(request, _("已加入责任清单。"))
        elif action == "carry":
            offered = selectors.open_rectification(declaration)
            form = CarryForm(request.POST, offered=offered)
            if not form.is_valid():
                return _declaration_page(request, declaration, carry_form=form)
            chosen = [i for i in offered if i.pk in form.cleaned_data["items"]]
            added = services.items_carry(actor=actor, declaration=declaration, items=chosen)
            messages.success(request, _("已将 %(n)d 项上年整改事项加入问题清单。") % {"n": added})
        elif action == "remove":
            item = get_scoped_or_404(declaration.items.all(), pk=request.POST.get("item"))
            services.item_remove(actor=actor, item=item)
            messages.success(request, _("已删除。"))
        elif action == "submit":
            services.declaration_submit(actor=actor, declaration=declaration)
            messages.success(request, _("已提交，等待组织部审核。"))
        elif action == "accept":
            services.declaration_accept(actor=actor, declaration=declaration)
            messages.success(request, _("已审核通过。"))
        elif action == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                return _declaration_page(request, declaration, return_form=form)
            try:
                services.declaration_return(
                    actor=actor, declaration=declaration, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                apply_service_errors(form, error)
                return _declaration_page(request, declaration, return_form=form)
            messages.success(request, _("已退回。"))
        else:
            return HttpResponse(status=400)
    except ValidationError as error:
        if getattr(error, "code", None) in ("not_writer", "not_organiser"):
            raise PermissionDenied from None
        return _declaration_page(
            request, selectors.declaration_get(viewer=actor, pk=pk), submit_errors=error.messages
        )
    return redirect(declaration)


@capability_required(Capability.WRITE_REPORT)
@require_http_methods(["GET", "POST"])
def project_form(request, pk: int, project_pk: int | None = None):
    """Add a 书记领办项目 to the declaration (or change one) while it may still be edited."""
    declaration = selectors.declaration_get(viewer=request.user, pk=pk)
    if not services.is_writer(request.user, declaration):
        raise PermissionDenied
    project = get_scoped_or_404(declaration.projects.all(), pk=project_pk) if project_pk else None
    initial = {}
    if project is not None:
        initial = {
            "title": project.title,
            "problem": project.problem_id,
            "goals": rules.format_goals(project.goals),
            **{f"m{q}": m for q, m in zip(QUARTERS, project.milestones, strict=False)},
            "team": project.team,
            "budget": project.budget,
        }
    form = ProjectForm(request.POST or None, request.FILES or None, declaration=declaration, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.project_save(
                actor=request.user,
                declaration=declaration,
                project=project,
                title=data["title"],
                problem=data["problem"],
                goals=data["goals"],
                milestones=form.milestones(),
                team=data["team"],
                budget=data["budget"],
                files=data["files"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存领办项目“%(t)s”。") % {"t": saved.title})
            return redirect(declaration)
    return render(
        request, "projects/project_form.html", {"form": form, "declaration": declaration, "project": project}
    )


def _project_page(request, project: Project, **forms_):
    declaration = project.declaration
    round_ = declaration.round
    progress = {p.quarter: p for p in project.progress.select_related("rating", "rating__rated_by")}
    files = list(project.files.all())
    today = timezone.localdate()
    quarters = []
    for q in QUARTERS:
        found = progress.get(q)
        quarters.append(
            {
                "quarter": q,
                "milestone": project.milestones[q - 1] if len(project.milestones) >= q else "",
                "due": round_.quarter_due(q),
                "progress": found,
                "rating": getattr(found, "rating", None) if found else None,
                "files": [f for f in files if found and f.progress_id == found.pk],
                "overdue": found is None and today > round_.quarter_due(q),
            }
        )
    may_report = (
        services.is_writer(request.user, declaration) and declaration.status == declaration.Status.ACCEPTED
    )
    missing = [q for q in QUARTERS if q not in progress]
    progress_form = forms_.get("progress_form") or ProgressForm(
        initial={"quarter": missing[0] if missing else 4}
    )
    context = {
        "project": project,
        "declaration": declaration,
        "round": round_,
        "quarters": quarters,
        "plan_files": [f for f in files if f.progress_id is None],
        "may_report": may_report and bool(missing),
        "may_rate": services.is_supervisor(request.user, declaration),
        "may_mark": services.is_organiser(request.user, round_),
        "progress_form": progress_form,
        "rating_form": forms_.get("rating_form") or RatingForm(scheme=round_.rating_scheme),
        "rating_quarter": forms_.get("rating_quarter"),
        "exemplary_form": forms_.get("exemplary_form")
        or ExemplaryForm(initial={"exemplary": project.exemplary, "note": project.exemplary_note}),
    }
    return render(request, "projects/project.html", context)


@readers
@require_http_methods(["GET", "POST"])
def project(request, pk: int):
    project = selectors.project_get(viewer=request.user, pk=pk)
    if request.method == "GET":
        return _project_page(request, project)
    action = request.POST.get("action")
    actor = request.user
    if action == "progress":
        if not services.is_writer(actor, project.declaration):
            raise PermissionDenied
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.progress_submit(actor=actor, project=project, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("第 %(q)d 季度进展已报送。") % {"q": form.cleaned_data["quarter"]}
                )
                return redirect(project)
        return _project_page(request, project, progress_form=form)
    if action == "rating":
        if not services.is_supervisor(actor, project.declaration):
            raise PermissionDenied
        progress = get_scoped_or_404(project.progress.all(), pk=request.POST.get("progress"))
        form = RatingForm(request.POST, scheme=project.declaration.round.rating_scheme)
        if form.is_valid():
            try:
                services.rating_record(actor=actor, progress=progress, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("第 %(q)d 季度已评价。") % {"q": progress.quarter})
                return redirect(reverse("projects:project", args=[project.pk]) + f"#q{progress.quarter}")
        return _project_page(request, project, rating_form=form, rating_quarter=progress.quarter)
    if action == "exemplary":
        if not services.is_organiser(actor, project.declaration.round):
            raise PermissionDenied
        form = ExemplaryForm(request.POST)
        if form.is_valid():
            try:
                services.project_mark_exemplary(actor=actor, project=project, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("已更新典型项目标记。"))
                return redirect(project)
        return _project_page(request, project, exemplary_form=form)
    return HttpResponse(status=400)


@readers
@require_GET
def project_file(request, pk: int, file_pk: int):
    project = selectors.project_get(viewer=request.user, pk=pk)
    row: ProjectFile = get_scoped_or_404(project.files.all(), pk=file_pk)
    response = FileResponse(
        row.file.open("rb"), content_type=CONTENT_TYPES.get(row.kind, "application/octet-stream")
    )
    response["Content-Disposition"] = f'attachment; filename="file-{row.pk}.{row.kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@readers
@require_GET
def exemplary(request):
    return render(
        request, "projects/exemplary.html", {"projects": list(selectors.exemplary_visible_to(request.user))}
    )
