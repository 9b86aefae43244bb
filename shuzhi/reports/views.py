from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.core.access import any_capability_required, capability_required
from shuzhi.core.forms import apply_service_errors, show_errors
from shuzhi.core.roles import Capability
from shuzhi.cycles.models import Cycle
from shuzhi.cycles.selectors import can_manage, cycle_get
from shuzhi.reports import documents, hooks, selectors, services
from shuzhi.reports.forms import (
    AttachmentForm,
    ImportConfirmForm,
    ImportForm,
    ItemForm,
    ReturnForm,
    SectionsForm,
)
from shuzhi.reports.models import Report, ReportItem

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"docx": DOCX, "pdf": "application/pdf"}


readers = any_capability_required(Capability.WRITE_REPORT, Capability.VIEW_CYCLES)


def _own(request, pk: int) -> Report:
    """A report the user writes: 404 if they may not see it, 403 if they only may read it."""
    report = selectors.report_get(viewer=request.user, pk=pk)
    if not selectors.may_write(request.user, report):
        raise PermissionDenied
    return report


def _reviewed(request, pk: int) -> Report:
    report = selectors.report_get(viewer=request.user, pk=pk)
    if not can_manage(request.user, report.reporter.cycle):
        raise PermissionDenied
    return report


@readers
@require_GET
def mine(request):
    if not request.user.can(Capability.WRITE_REPORT):
        raise PermissionDenied
    return render(request, "reports/mine.html", {"reports": selectors.reports_of(secretary=request.user)})


@readers
@require_GET
def detail(request, pk: int):
    report = selectors.report_get(viewer=request.user, pk=pk)
    versions = list(report.versions.select_related("actor"))
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "cycle": report.reporter.cycle,
            "sections": [(heading, report.sections.get(key, ""), key) for key, heading in documents.SECTIONS],
            "items": selectors.report_items(report),
            "attachments": list(report.attachments.all()),
            "versions": versions,
            "may_review": can_manage(request.user, report.reporter.cycle) and report.is_reviewable,
            "return_form": ReturnForm(),
            "is_writer": selectors.may_write(request.user, report),
            "extra_sections": hooks.sections_for(
                year=report.reporter.cycle.year, organization_ids=[report.reporter.organization_id]
            ).get(report.reporter.organization_id, []),
        },
    )


@readers
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    """The editor. A POST from htmx is the automatic save and answers with a short status."""
    report = _own(request, pk)
    carried = list(report.items.filter(kind=ReportItem.Kind.CARRIED))
    form = SectionsForm(request.POST or None, carried=carried, initial=services.report_values(report))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_save(
                    actor=request.user, report=report, sections=form.sections(), answers=form.answers()
                )
            except ValidationError as error:
                apply_service_errors(form, error)
        if request.htmx:
            return render(request, "reports/_saved.html", {"form": form, "now": timezone.localtime()})
        if not form.errors and request.POST.get("action") == "submit":
            try:
                services.report_submit(actor=request.user, report=report)
            except ValidationError as error:
                messages.error(request, _("还不能提交，请先补齐以下内容："))
                show_errors(request, error)
            else:
                messages.success(request, _("报告已提交，等待组织部审核。"))
                return redirect("reports:detail", pk=report.pk)
            return redirect("reports:edit", pk=report.pk)
        if not form.errors:
            messages.success(request, _("草稿已保存。"))
            return redirect("reports:edit", pk=report.pk)
    if not report.is_editable or not report.reporter.cycle.accepts_reports:
        return redirect("reports:detail", pk=report.pk)
    return render(
        request,
        "reports/edit.html",
        {
            "report": report,
            "cycle": report.reporter.cycle,
            "form": form,
            "items": selectors.report_items(report),
            "item_form": ItemForm(),
            "attachment_form": AttachmentForm(),
            "import_form": ImportForm(auto_id="id_import_%s"),  # two "file" fields on one page
            "attachments": list(report.attachments.all()),
        },
    )


@readers
@require_POST
def item_add(request, pk: int):
    report = _own(request, pk)
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            services.report_item_add(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as error:
            show_errors(request, error)
    else:
        show_errors(request, form)
    return redirect(f"{report.get_edit_url()}#lists")


@readers
@require_POST
def item_remove(request, pk: int, item_pk: int):
    report = _own(request, pk)
    try:
        services.report_item_remove(actor=request.user, item=selectors.item_get(report=report, pk=item_pk))
    except ValidationError as error:
        show_errors(request, error)
    return redirect(f"{report.get_edit_url()}#lists")


@readers
@require_POST
def return_(request, pk: int):
    report = _reviewed(request, pk)
    try:
        services.report_return(actor=request.user, report=report, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已退回，书记将看到退回理由。"))
    return redirect("reports:detail", pk=report.pk)


@readers
@require_POST
def accept(request, pk: int):
    report = _reviewed(request, pk)
    try:
        services.report_accept(actor=request.user, report=report)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("报告已审核通过。"))
    return redirect("reports:detail", pk=report.pk)


@readers
@require_POST
def attach(request, pk: int):
    report = _own(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.report_attach(
                actor=request.user, report=report, upload=upload, name=upload.name, size=upload.size
            )
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("已上传“%(name)s”。") % {"name": upload.name})
    else:
        show_errors(request, ValidationError(form.errors["file"]))
    return redirect(f"{report.get_edit_url()}#attachments")


@readers
@require_POST
def attachment_remove(request, pk: int, attachment_pk: int):
    report = _own(request, pk)
    try:
        services.attachment_remove(
            actor=request.user, attachment=selectors.attachment_get(report=report, pk=attachment_pk)
        )
    except ValidationError as error:
        show_errors(request, error)
    return redirect(f"{report.get_edit_url()}#attachments")


@readers
@require_GET
def attachment_download(request, pk: int, attachment_pk: int):
    report = selectors.report_get(viewer=request.user, pk=pk)
    attachment = selectors.attachment_get(report=report, pk=attachment_pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@readers
@require_http_methods(["GET", "POST"])
def import_docx(request, pk: int):
    """Read a .docx and show what was recognised, pre-filled for the secretary to confirm."""
    report = _own(request, pk)
    if request.method == "GET":
        return redirect("reports:edit", pk=report.pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        show_errors(request, ValidationError(form.errors["file"]))
        return redirect("reports:edit", pk=report.pk)
    upload = form.cleaned_data["file"]
    try:
        imported = services.report_import_read(
            actor=request.user, report=report, upload=upload, size=upload.size
        )
    except ValidationError as error:
        show_errors(request, error)
        return redirect("reports:edit", pk=report.pk)
    confirm = ImportConfirmForm(initial={**imported.sections, "problems": "\n".join(imported.problems)})
    return render(
        request,
        "reports/import_confirm.html",
        {"report": report, "form": confirm, "imported": imported, "name": upload.name},
    )


@readers
@require_POST
def import_apply(request, pk: int):
    report = _own(request, pk)
    form = ImportConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.report_import_apply(
                actor=request.user, report=report, sections=form.sections(), problems=form.problems()
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已将确认的内容写入报告，请继续修改完善。"))
            return redirect("reports:edit", pk=report.pk)
    return render(request, "reports/import_confirm.html", {"report": report, "form": form})


@readers
@require_GET
def docx(request, pk: int):
    report = selectors.report_get(viewer=request.user, pk=pk)
    data = documents.render_report_docx(services.report_document(report))
    response = HttpResponse(data, content_type=DOCX)
    name = f"{report.reporter.organization.name}-述职报告.docx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@readers
@require_GET
def diff(request, pk: int):
    """What changed between two versions (by default the last two)."""
    report = selectors.report_get(viewer=request.user, pk=pk)
    versions = {v.number: v for v in report.versions.select_related("actor")}
    if not versions:
        messages.info(request, _("报告还没有提交过，没有历史版本。"))
        return redirect("reports:detail", pk=report.pk)

    def number(name: str, default: int) -> int:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() and int(value) in versions else default

    newer = number("b", max(versions))
    older = number("a", max((n for n in versions if n < newer), default=0))
    return render(
        request,
        "reports/diff.html",
        {
            "report": report,
            "versions": sorted(versions.values(), key=lambda v: v.number),
            "older": versions.get(older),
            "newer": versions[newer],
            "lines": selectors.version_diff(versions.get(older), versions[newer]),
        },
    )


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def book(request, pk: int):
    """All the cycle's reports in one .docx, in agenda order, for the meeting."""
    cycle = cycle_get(viewer=request.user, pk=pk)
    if cycle.status == Cycle.Status.DRAFT:
        messages.error(request, _("周期尚未开始撰写报告，还没有可汇编的报告。"))
        return redirect("cycles:detail", pk=cycle.pk)
    response = HttpResponse(
        services.meeting_book(cycle=cycle, reports=selectors.reports_visible_to(request.user)),
        content_type=DOCX,
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{cycle.title}-述职报告汇编.docx")
    return response
