import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.core.access import any_capability_required, capability_required, get_scoped_or_404
from shuzhi.core.forms import apply_service_errors, show_errors
from shuzhi.core.roles import Capability
from shuzhi.cycles.selectors import can_manage, cycle_get
from shuzhi.exchange.sheets import Column
from shuzhi.exchange.workbook import write_table
from shuzhi.orgs.selectors import organization_get
from shuzhi.scoring import documents, selectors, services
from shuzhi.scoring import history as history_reads
from shuzhi.scoring.forms import (
    AdjustmentForm,
    AmendForm,
    AnswerForm,
    BulletinTemplateForm,
    ImportForm,
    ObjectionForm,
    PublishForm,
    ResultFilterForm,
    ScoresForm,
    VetoForm,
)
from shuzhi.scoring.models import Assessment, BulletinTemplate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PER_PAGE = 50


def _managed_cycle(request, pk: int):
    cycle = cycle_get(viewer=request.user, pk=pk)
    if not can_manage(request.user, cycle):
        raise PermissionDenied
    return cycle


def _xlsx(**table) -> HttpResponse:
    buffer = io.BytesIO()
    write_table(buffer, **table)
    return HttpResponse(buffer.getvalue(), content_type=XLSX)


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def index(request, cycle_pk: int):
    """The assessment of a cycle: entering, computing, the results table, publication."""
    cycle = cycle_get(viewer=request.user, pk=cycle_pk)
    assessment = Assessment.objects.filter(cycle=cycle).first()
    form = ResultFilterForm(request.GET or None, groups=cycle.groups)
    filters = form.cleaned_data if form.is_valid() else {}
    results = selectors.results_of(cycle=cycle, group=filters.get("group", ""), grade=filters.get("grade", ""),
                                   sort=filters.get("sort") or "rank")  # fmt: skip
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    reporters = cycle.reporters.select_related("organization", "secretary").order_by("group", "position")
    return render(
        request,
        "scoring/index.html",
        {
            "cycle": cycle,
            "assessment": assessment,
            "manage": can_manage(request.user, cycle),
            "entering": cycle.status in services.ENTERING_STATES
            and (assessment is None or assessment.status == Assessment.Status.COMPUTED),
            "components": services.entered_components(cycle),
            "fact_uses": selectors.scheme_fact_uses(cycle),
            "reporters": reporters if cycle.status in services.ENTERING_STATES else [],
            "form": form,
            "page": page,
            "query_string": urlencode({k: v for k, v in filters.items() if v}),
            "import_form": ImportForm(),
            "publish_form": PublishForm(),
            "seal_intact": services.seal_intact(assessment) if assessment and assessment.seal else None,
        },
    )


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def scores_import(request, cycle_pk: int):
    cycle = _managed_cycle(request, cycle_pk)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = services.scores_import(
                actor=request.user, cycle=cycle, upload=upload, name=upload.name, size=upload.size
            )
        except ValidationError as error:
            messages.error(request, _("“%(name)s”未导入，请改正以下问题后重新上传：") % {"name": upload.name})
            show_errors(request, error)
        else:
            messages.success(request, _("已导入 %(n)d 个得分。") % {"n": count})
    else:
        show_errors(request, ValidationError(form.errors["file"]))
    return redirect("scoring:index", cycle_pk=cycle.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_GET
def scores_template(request, cycle_pk: int):
    """An .xlsx with the reporters already listed, one column per entered component."""
    cycle = _managed_cycle(request, cycle_pk)
    components = services.entered_components(cycle)
    columns = [Column("unit", "述职单位", required=True, width=30), Column("code", "组织编码", width=16),
               *(Column(f"c{i}", name, width=12) for i, name in enumerate(components))]  # fmt: skip
    rows = selectors.entered_scores_rows(cycle=cycle, components=components)
    response = _xlsx(title="考核得分", columns=columns, rows=rows)
    response["Content-Disposition"] = content_disposition_header(True, f"{cycle.title}-考核得分模板.xlsx")
    return response


@capability_required(Capability.VIEW_CYCLES)
@require_http_methods(["GET", "POST"])
def reporter(request, cycle_pk: int, reporter_pk: int):
    """One reporter's entered scores, 加减分 and veto findings."""
    cycle = cycle_get(viewer=request.user, pk=cycle_pk)
    target = get_scoped_or_404(cycle.reporters.select_related("organization", "secretary"), pk=reporter_pk)
    components = services.entered_components(cycle)
    current = {s.component: s.score for s in target.component_scores.all()}
    form = ScoresForm(request.POST or None, components=components, initial=current)
    if request.method == "POST":
        if not can_manage(request.user, cycle):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.component_scores_set(
                    actor=request.user,
                    reporter=target,
                    scores={name: form.cleaned_data[name] for name in components},
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect("scoring:reporter", cycle_pk=cycle.pk, reporter_pk=target.pk)
    return render(
        request,
        "scoring/reporter.html",
        {
            "cycle": cycle, "reporter": target, "form": form, "manage": can_manage(request.user, cycle),
            "adjustments": list(target.adjustments.select_related("entered_by")),
            "findings": list(target.veto_findings.select_related("entered_by")),
            "adjustment_form": AdjustmentForm(), "veto_form": VetoForm(vetoes=list(cycle.scheme.get("vetoes", {}))),
            "sources": {s.component: s for s in target.component_scores.select_related("entered_by")},
        },
    )  # fmt: skip


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def adjustment_add(request, cycle_pk: int, reporter_pk: int):
    cycle = _managed_cycle(request, cycle_pk)
    target = get_scoped_or_404(cycle.reporters.all(), pk=reporter_pk)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            services.adjustment_add(actor=request.user, reporter=target, **form.cleaned_data)
        except ValidationError as error:
            show_errors(request, error)
    else:
        show_errors(request, form)
    return redirect("scoring:reporter", cycle_pk=cycle.pk, reporter_pk=target.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def adjustment_remove(request, cycle_pk: int, reporter_pk: int, adjustment_pk: int):
    cycle = _managed_cycle(request, cycle_pk)
    target = get_scoped_or_404(cycle.reporters.all(), pk=reporter_pk)
    try:
        services.adjustment_remove(
            actor=request.user, adjustment=get_scoped_or_404(target.adjustments.all(), pk=adjustment_pk)
        )
    except ValidationError as error:
        show_errors(request, error)
    return redirect("scoring:reporter", cycle_pk=cycle.pk, reporter_pk=target.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def veto_record(request, cycle_pk: int, reporter_pk: int):
    cycle = _managed_cycle(request, cycle_pk)
    target = get_scoped_or_404(cycle.reporters.all(), pk=reporter_pk)
    form = VetoForm(request.POST, vetoes=list(cycle.scheme.get("vetoes", {})))
    if form.is_valid():
        try:
            services.veto_record(actor=request.user, reporter=target, **form.cleaned_data)
        except ValidationError as error:
            show_errors(request, error)
    else:
        show_errors(request, form)
    return redirect("scoring:reporter", cycle_pk=cycle.pk, reporter_pk=target.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def veto_remove(request, cycle_pk: int, reporter_pk: int, finding_pk: int):
    cycle = _managed_cycle(request, cycle_pk)
    target = get_scoped_or_404(cycle.reporters.all(), pk=reporter_pk)
    try:
        services.veto_remove(
            actor=request.user, finding=get_scoped_or_404(target.veto_findings.all(), pk=finding_pk)
        )
    except ValidationError as error:
        show_errors(request, error)
    return redirect("scoring:reporter", cycle_pk=cycle.pk, reporter_pk=target.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def compute(request, cycle_pk: int):
    cycle = _managed_cycle(request, cycle_pk)
    try:
        services.assessment_compute(actor=request.user, cycle=cycle)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已按考核方案测算全部述职人的得分、等次和排名。"))
    return redirect("scoring:index", cycle_pk=cycle.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def publish(request, cycle_pk: int):
    cycle = _managed_cycle(request, cycle_pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_publish(
                actor=request.user, cycle=cycle, objection_days=form.cleaned_data["objection_days"]
            )
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("考核结果已公布。"))
    else:
        show_errors(request, form)
    return redirect("scoring:index", cycle_pk=cycle.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def finalise(request, cycle_pk: int):
    cycle = _managed_cycle(request, cycle_pk)
    try:
        services.assessment_finalise(actor=request.user, cycle=cycle)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("考核结果已确定并封存。"))
    return redirect("scoring:index", cycle_pk=cycle.pk)


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def results_xlsx(request, cycle_pk: int):
    cycle = cycle_get(viewer=request.user, pk=cycle_pk)
    columns = [Column("group", "分组", width=12), Column("rank", "组内排名", width=10), Column("unit", "述职单位", width=30),
               Column("secretary", "书记", width=12), Column("score", "综合得分", width=10), Column("grade", "等次", width=8),
               Column("by_score", "按分数等次", width=10), Column("cut", "比例调整", width=10), Column("vetoes", "否决情形", width=24)]  # fmt: skip
    rows = [
        (r.group, r.rank, r.reporter.organization.name, r.reporter.secretary.full_name, float(r.score), r.grade,
         r.grade_by_score, "是" if r.quota_cut else "", "、".join(r.vetoes))
        for r in selectors.results_of(cycle=cycle)
    ]  # fmt: skip
    response = _xlsx(title="考核结果", columns=columns, rows=rows)
    response["Content-Disposition"] = content_disposition_header(True, f"{cycle.title}-考核结果.xlsx")
    return response


@any_capability_required(Capability.VIEW_CYCLES, Capability.WRITE_REPORT)
@require_http_methods(["GET", "POST"])
def explain(request, pk: int):
    """One result, explained from what was stored: every component, where each number came
    from, the arithmetic, the grade rule and any quota cut; objections and amendments."""
    result = selectors.result_get(viewer=request.user, pk=pk)
    assessment = result.assessment
    cycle = assessment.cycle
    manage = can_manage(request.user, cycle)
    if request.method == "POST":
        _explain_post(request, result, manage)
        return redirect("scoring:explain", pk=result.pk)
    return render(
        request,
        "scoring/explain.html",
        {
            "result": result, "assessment": assessment, "cycle": cycle, "manage": manage, "x": result.explanation,
            "fact_vetoes": [v for v in result.explanation.get("sources", {}).get("vetoes", []) if v.get("fact")],
            "objections": list(result.objections.select_related("raised_by", "answered_by")),
            "amendments": list(result.amendments.select_related("amended_by")),
            "objection_form": ObjectionForm(), "answer_form": AnswerForm(), "amend_form": AmendForm(initial={"grade": result.grade}),
            "may_object": assessment.status == Assessment.Status.PUBLISHED,
        },
    )  # fmt: skip


def _explain_post(request, result, manage: bool) -> None:
    """An objection (the reporter or the organiser), its answer, or an amendment (the organiser)."""
    action = request.POST.get("action")
    forms = {"object": ObjectionForm, "answer": AnswerForm, "amend": AmendForm}
    if action not in forms or (action != "object" and not manage):
        raise PermissionDenied
    form = forms[action](request.POST)
    if not form.is_valid():
        show_errors(request, form)
        return
    data = form.cleaned_data
    try:
        if action == "object":
            services.objection_raise(actor=request.user, result=result, text=data["text"])
            messages.success(request, _("异议已提交，组织部将答复。"))
        elif action == "answer":
            objection = get_scoped_or_404(result.objections.all(), pk=request.POST.get("objection", ""))
            services.objection_answer(actor=request.user, objection=objection, answer=data["answer"])
            messages.success(request, _("已答复。"))
        else:
            services.result_amend(actor=request.user, result=result, **data)
            messages.success(request, _("结果已更正，更正记录公开可查。"))
    except ValidationError as error:
        show_errors(request, error)


# ---- documents: bulletin, rectification notice, cadre-assessment export --------------------------


def _docx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _shown_assessment(cycle) -> Assessment | None:
    """The cycle's assessment once published; documents are not made from figures still moving."""
    return Assessment.objects.filter(cycle=cycle, status__in=documents.SHOWN).first()


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def bulletin(request, cycle_pk: int):
    """The results bulletin (通报) as .docx, from the organisation's template or the default."""
    cycle = cycle_get(viewer=request.user, pk=cycle_pk)
    assessment = _shown_assessment(cycle)
    if assessment is None:
        messages.error(request, _("考核结果公布后才能生成通报。"))
        return redirect("scoring:index", cycle_pk=cycle.pk)
    try:
        data = documents.bulletin_docx(assessment)
    except ValidationError as error:
        messages.error(request, _("通报未能生成："))
        show_errors(request, error)
        return redirect("scoring:bulletin_template", cycle_pk=cycle.pk)
    return _docx(data, f"{cycle.title}-考核结果通报.docx")


@capability_required(Capability.VIEW_CYCLES)
@require_http_methods(["GET", "POST"])
def bulletin_template(request, cycle_pk: int):
    """The bulletin template in use, the fields a template may print, and (for the organiser of
    the cycle's organisation) uploading their own or going back to the default."""
    cycle = cycle_get(viewer=request.user, pk=cycle_pk)
    manage = can_manage(request.user, cycle)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        _bulletin_template_post(request, cycle)
        return redirect("scoring:bulletin_template", cycle_pk=cycle.pk)
    stored = (
        BulletinTemplate.objects.filter(organization=cycle.organization).select_related("uploaded_by").first()
    )
    return render(
        request,
        "scoring/bulletin_template.html",
        {"cycle": cycle, "manage": manage, "stored": stored, "shown": _shown_assessment(cycle) is not None,
         "fields": documents.FIELDS, "syntax_help": documents.SYNTAX_HELP, "form": BulletinTemplateForm(),
         "max_mb": documents.MAX_TEMPLATE_BYTES // documents.MB},
    )  # fmt: skip


def _bulletin_template_post(request, cycle) -> None:
    organization = cycle.organization
    if request.POST.get("action") == "reset":
        try:
            documents.bulletin_template_reset(actor=request.user, organization=organization)
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("已恢复使用默认通报模板。"))
        return
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的模板文件（.docx）。"))
        return
    try:
        documents.bulletin_template_upload(
            actor=request.user, organization=organization, upload=upload, size=upload.size, name=upload.name
        )
    except ValidationError as error:
        messages.error(request, _("“%(name)s”未启用，仍使用原来的模板：") % {"name": upload.name})
        show_errors(request, error)
    else:
        messages.success(request, _("已启用新的通报模板“%(name)s”。") % {"name": upload.name})


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def bulletin_template_file(request, cycle_pk: int):
    """The template the cycle's bulletin is made from: the organisation's own, or the default."""
    cycle = cycle_get(viewer=request.user, pk=cycle_pk)
    try:
        data = documents.organisation_template(cycle.organization)
    except ValidationError as error:
        show_errors(request, error)
        return redirect("scoring:bulletin_template", cycle_pk=cycle.pk)
    if data is None:
        return _docx(documents.DEFAULT_BULLETIN.read_bytes(), "通报模板（默认）.docx")
    return _docx(data, f"通报模板（{cycle.organization.name}）.docx")


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def bulletin_template_default(request):
    """The default template, to edit in Word and upload as one's own."""
    return _docx(documents.DEFAULT_BULLETIN.read_bytes(), "通报模板（默认）.docx")


@any_capability_required(Capability.VIEW_CYCLES, Capability.WRITE_REPORT)
@require_GET
def notice(request, pk: int):
    """整改通知书 for one reporter: for the cycle's viewers and the reporter."""
    result = selectors.result_get(viewer=request.user, pk=pk)
    if result.assessment.status not in documents.SHOWN:
        messages.error(request, _("考核结果公布后才能生成整改通知书。"))
        return redirect("scoring:explain", pk=result.pk)
    return _docx(documents.notice_docx(result), f"{result.reporter.organization.name}-整改通知书.docx")


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def cadre_xlsx(request, cycle_pk: int):
    """Per secretary, what the annual cadre assessment needs: the grade, whether they may be
    rated 优秀 there (only with 好), and the vetoes."""
    cycle = cycle_get(viewer=request.user, pk=cycle_pk)
    assessment = _shown_assessment(cycle)
    if assessment is None:
        messages.error(request, _("考核结果公布后才能导出干部考核衔接表。"))
        return redirect("scoring:index", cycle_pk=cycle.pk)
    widths = (12, 30, 14, 10, 12, 30)
    columns = [Column(f"c{i}", header, width=width)
               for i, (header, width) in enumerate(zip(documents.CADRE_HEADERS, widths, strict=True))]  # fmt: skip
    response = _xlsx(
        title="干部考核衔接",
        columns=columns,
        rows=documents.cadre_rows(assessment),
        note=_("“可评为优秀”：党组织书记抓基层党建述职评议考核等次为“好”的，年度考核方可评为优秀。"),
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{cycle.title}-干部考核衔接.xlsx")
    return response


# ---- history ---------------------------------------------------------------------------------------


@any_capability_required(Capability.VIEW_CYCLES, Capability.WRITE_REPORT)
@require_GET
def history(request, org_pk: int):
    """A unit's results across the years and its secretaries' results, with a chart."""
    organization = organization_get(viewer=request.user, pk=org_pk)
    unit_rows = history_reads.unit_history(viewer=request.user, organization=organization)
    secretaries = history_reads.secretary_history(
        viewer=request.user, secretary_ids=sorted({row.secretary_id for row in unit_rows})
    )
    return render(
        request,
        "scoring/history.html",
        {"organization": organization, "rows": unit_rows, "secretaries": secretaries,
         "chart": history_reads.chart_data(organization.name, unit_rows, secretaries)},
    )  # fmt: skip
