import hashlib
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.accounts.models import User
from shuzhi.core.errors import field_error
from shuzhi.core.roles import Role
from shuzhi.core.services import audit_record, notify
from shuzhi.core.uploads import check_upload, files_removed_on_error
from shuzhi.cycles.models import Cycle, Reporter
from shuzhi.reports import documents, hooks, selectors
from shuzhi.reports.models import Attachment, Report, ReportItem, ReportVersion

SECTION_KEYS = tuple(key for key, _heading in documents.SECTIONS)
SECTION_MAX_CHARS = 20_000
ITEM_MAX_CHARS = 1000
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_KINDS = frozenset({"docx", "pdf"})
LISTED_KINDS = (ReportItem.Kind.PROBLEM, ReportItem.Kind.RESPONSIBILITY, ReportItem.Kind.COMMITMENT)


# ---- opening: one report per reporter, last year's lists carried over ------------------------


def reports_open(*, cycle: Cycle) -> int:
    """Give every reporter of the cycle a report (once), pre-filled with what the unit must answer
    for: its rectification items still open or recently closed, and last year's problems and
    commitments not followed up as such an item. Called when the cycle opens reports."""
    reporters = list(cycle.reporters.filter(report__isnull=True))
    reports = Report.objects.bulk_create(Report(reporter=r) for r in reporters)
    by_org = {r.organization_id: report for r, report in zip(reporters, reports, strict=True)}
    earlier = (
        ReportItem.objects.filter(
            report__reporter__cycle__year=cycle.year - 1,
            report__reporter__organization_id__in=by_org,
            kind__in=(ReportItem.Kind.PROBLEM, ReportItem.Kind.COMMITMENT),
        )
        .select_related("report__reporter")
        .order_by("report_id", "position", "id")
    )
    earlier = sorted(earlier, key=lambda item: item.kind != ReportItem.Kind.PROBLEM)  # problems first
    tracked = hooks.carried_over(cycle.year, list(by_org))
    followed = {item.problem_id for items in tracked.values() for item in items if item.problem_id}
    carried = [
        ReportItem(report=by_org[org_id], kind=ReportItem.Kind.CARRIED, text=f"{item.title}（整改{item.status_label}）",
                   category="整改事项", source_kind=ReportItem.Kind.PROBLEM, position=position)
        for org_id, items in tracked.items()
        for position, item in enumerate(items)
    ]  # fmt: skip
    carried += [
        ReportItem(
            report=by_org[item.report.reporter.organization_id],
            kind=ReportItem.Kind.CARRIED,
            text=item.text,
            category=item.category,
            source=item,
            source_kind=item.kind,
            position=len(carried) + position,
        )
        for position, item in enumerate(earlier)
        if item.pk not in followed  # a problem followed up as a rectification item comes once, as that item
    ]
    ReportItem.objects.bulk_create(carried)
    return len(reports)


def on_reports_open(cycle: Cycle) -> dict[str, Any]:
    """What the cycle calls when it opens reports (cycles.hooks): a report for every reporter,
    and their secretaries told to write it."""
    opened = reports_open(cycle=cycle)
    notify(
        recipients=[r.secretary for r in cycle.reporters.select_related("secretary")],
        text=_("“%(title)s”已开始撰写述职报告，请于 %(due)s 前提交。")
        % {"title": cycle.title, "due": cycle.report_due.isoformat()},
        link=reverse("reports:mine"),
    )
    return {"reports_opened": opened}


# ---- writing ---------------------------------------------------------------------------------


def _check_writer(actor, report: Report) -> Cycle:
    """The writer may change the report now. An organiser entering it for a unit without an
    account marks the report as entered on the unit's behalf (audited the first time)."""
    cycle = report.reporter.cycle
    if not selectors.may_write(actor, report):
        raise ValidationError(_("只有述职书记本人可以撰写和提交这份报告。"), code="not_reporter")
    if not cycle.accepts_reports:
        raise ValidationError(
            _("“%(title)s”当前处于“%(status)s”阶段，不接收报告的修改。")
            % {"title": cycle.title, "status": cycle.get_status_display()},
            code="cycle_closed",
        )
    if not report.is_editable:
        raise ValidationError(
            _("报告%(status)s，不能再修改。") % {"status": report.get_status_display()}, code="not_editable"
        )
    if report.reporter.secretary_id != actor.pk and report.entered_by_id != actor.pk:
        report.entered_by = actor
        Report.objects.filter(pk=report.pk).update(entered_by=actor)
        audit_record(actor=actor, action="report.enter_on_behalf", target=report, org_path=cycle.org_path,
                     extra={"unit": report.reporter.organization.name})  # fmt: skip
    return cycle


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update()
        .select_related("reporter__cycle", "reporter__organization")
        .get(pk=report.pk)
    )


@transaction.atomic
def report_save(
    *, actor, report: Report, sections: dict[str, str], answers: dict[int, tuple[str, str]] | None = None
) -> Report:
    """Save what the secretary has written so far (the editor saves by itself every few seconds).

    `answers`: carried-over item id → (answer, explanation)."""
    report = _locked(report)
    _check_writer(actor, report)
    unknown = set(sections) - set(SECTION_KEYS)
    if unknown:
        raise TypeError(f"unknown sections: {', '.join(sorted(unknown))}")
    headings = dict(documents.SECTIONS)
    for key, text in sections.items():
        if len(text) > SECTION_MAX_CHARS:
            raise field_error(
                key,
                _("“%(heading)s”超过 %(max)d 字（现 %(n)d 字），请精简。")
                % {"heading": headings[key], "max": SECTION_MAX_CHARS, "n": len(text)},
                "too_long",
            )
    report.sections = {**report.sections, **{key: text.strip() for key, text in sections.items()}}
    if report.status == Report.Status.NOT_STARTED:
        report.status = Report.Status.DRAFT
    report.save(update_fields=["sections", "status", "updated_at"])
    if answers:
        items = {item.pk: item for item in report.items.filter(kind=ReportItem.Kind.CARRIED, pk__in=answers)}
        valid = set(ReportItem.Answer.values) | {""}
        for pk, (answer, explanation) in answers.items():
            item = items.get(pk)
            if item is None:
                continue
            if answer not in valid:
                raise field_error(f"answer_{pk}", _("请选择落实情况。"), "answer")
            item.answer, item.explanation = answer, explanation.strip()[:ITEM_MAX_CHARS]
            item.updated_at = report.updated_at  # bulk_update does not apply auto_now
        ReportItem.objects.bulk_update(items.values(), ["answer", "explanation", "updated_at"])
    return report


@transaction.atomic
def report_item_add(
    *, actor, report: Report, kind: str, text: str, category: str = "", severity: str = ""
) -> ReportItem:
    report = _locked(report)
    _check_writer(actor, report)
    if kind not in LISTED_KINDS:
        raise field_error("kind", _("请选择条目类型：问题、责任或承诺。"), "kind")
    if kind != ReportItem.Kind.PROBLEM:
        severity = ""
    elif not severity:
        raise field_error("severity", _("请为问题选择严重程度。"), "severity_required")
    last = report.items.filter(kind=kind).aggregate(last=Max("position"))["last"] or 0
    item = ReportItem(
        report=report,
        kind=kind,
        text=text.strip(),
        category=category.strip(),
        severity=severity,
        position=last + 1,
    )
    item.full_clean(exclude=["report", "source"])
    item.save()
    if report.status == Report.Status.NOT_STARTED:
        report.status = Report.Status.DRAFT
    # the report's "last edited" moves with its lists as with its sections
    report.save(update_fields=["status", "updated_at"])
    return item


@transaction.atomic
def report_item_remove(*, actor, item: ReportItem) -> None:
    report = _locked(item.report)
    _check_writer(actor, report)
    if item.kind == ReportItem.Kind.CARRIED:
        raise ValidationError(_("上年的问题和承诺不能删除，请逐条说明落实情况。"), code="carried")
    item.delete()
    report.save(update_fields=["updated_at"])


# ---- attachments and .docx import -------------------------------------------------------------


def _read_upload(upload: IO[bytes], size: int) -> tuple[str, bytes]:
    kind = check_upload(upload, size, allowed=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)
    upload.seek(0)
    return kind, upload.read(ATTACHMENT_MAX_BYTES + 1)


@transaction.atomic
def report_attach(*, actor, report: Report, upload: IO[bytes], name: str, size: int) -> Attachment:
    """Keep a signed .docx or .pdf with the report, and the text in it.

    The text is read before the report's row is locked (a long PDF takes seconds, and the
    editor's autosave waits on that lock); who may write is checked before reading and again
    under the lock."""
    _check_writer(
        actor, Report.objects.select_related("reporter__cycle", "reporter__organization").get(pk=report.pk)
    )
    kind, data = _read_upload(upload, size)
    text = documents.extract_text(data, kind)
    report = _locked(report)
    _check_writer(actor, report)
    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment(
        report=report,
        original_name=name[-200:],
        kind=kind,
        size=len(data),
        sha256=digest,
        text=text,
        uploaded_by=actor,
    )
    with files_removed_on_error() as stored:
        attachment.file.save(f"{digest[:16]}.{kind}", ContentFile(data), save=False)
        stored.append(attachment.file)
        attachment.full_clean(exclude=["file"])
        attachment.save()
        audit_record(
            actor=actor,
            action="report.attach",
            target=report,
            org_path=report.reporter.organization.path,
            extra={"file": attachment.original_name, "sha256": digest, "size": len(data), "chars": len(text)},
        )
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: Attachment) -> None:
    report = _locked(attachment.report)
    _check_writer(actor, report)
    audit_record(
        actor=actor,
        action="report.detach",
        target=report,
        org_path=report.reporter.organization.path,
        extra={"file": attachment.original_name, "sha256": attachment.sha256},
    )
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


def report_import_read(*, actor, report: Report, upload: IO[bytes], size: int) -> documents.ImportedReport:
    """Read a report written in Word in the usual layout, for the secretary to confirm (nothing
    is saved until report_import_apply)."""
    _check_writer(actor, report)
    kind, data = _read_upload(upload, size)
    if kind != "docx":
        raise ValidationError(
            _("只能从 Word（.docx）文件导入报告正文；PDF 请作为附件上传。"), code="not_docx"
        )
    return documents.parse_report_docx(data)


@transaction.atomic
def report_import_apply(*, actor, report: Report, sections: dict[str, str], problems: list[str]) -> Report:
    """Take what the secretary confirmed of an imported .docx: the sections, and problems as items."""
    report = report_save(
        actor=actor, report=report, sections={k: v for k, v in sections.items() if v.strip()}
    )
    last = report.items.filter(kind=ReportItem.Kind.PROBLEM).aggregate(last=Max("position"))["last"] or 0
    items = [
        ReportItem(
            report=report,
            kind=ReportItem.Kind.PROBLEM,
            text=text.strip()[:ITEM_MAX_CHARS],
            severity=ReportItem.Severity.MODERATE,
            position=last + i,
        )
        for i, text in enumerate((p for p in problems if p.strip()), start=1)
    ]
    ReportItem.objects.bulk_create(items)
    audit_record(
        actor=actor,
        action="report.import",
        target=report,
        org_path=report.reporter.organization.path,
        extra={"sections": sorted(k for k, v in sections.items() if v.strip()), "problems": len(items)},
    )
    return report


# ---- workflow ----------------------------------------------------------------------------------


def report_text(report: Report, items: list[ReportItem] | None = None) -> str:
    """The whole report as plain text, the form kept in each version and compared in diffs."""
    items = list(report.items.all()) if items is None else items
    lines: list[str] = []
    by_kind: dict[str, list[ReportItem]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    lists_after = {"duty": ReportItem.Kind.RESPONSIBILITY, "problems": ReportItem.Kind.PROBLEM,
                   "measures": ReportItem.Kind.COMMITMENT, "last_year": ReportItem.Kind.CARRIED}  # fmt: skip
    for key, heading in documents.SECTIONS:
        lines.append(f"【{heading}】")
        lines.extend((report.sections.get(key) or "").splitlines())
        for number, item in enumerate(by_kind.get(lists_after.get(key, ""), []), start=1):
            detail = "、".join(
                part
                for part in (
                    item.category,
                    item.get_severity_display(),
                    item.get_answer_display(),
                    item.explanation,
                )
                if part
            )
            lines.append(f"{number}. {item.text}" + (f"（{detail}）" if detail else ""))
        lines.append("")
    return "\n".join(lines)


def _incomplete(report: Report) -> list[str]:
    problems = []
    headings = dict(documents.SECTIONS)
    items = list(report.items.all())
    carried = [item for item in items if item.kind == ReportItem.Kind.CARRIED]
    for key in SECTION_KEYS:
        if key == "last_year" and not carried:
            continue
        if not (report.sections.get(key) or "").strip():
            problems.append(_("“%(heading)s”还没有填写。") % {"heading": headings[key]})
    if not any(item.kind == ReportItem.Kind.PROBLEM for item in items):
        problems.append(_("问题清单至少要列出一条问题。"))
    for number, item in enumerate(carried, start=1):
        if not item.answer:
            problems.append(
                _("上年事项第 %(n)d 条“%(text)s”还没有说明落实情况。") % {"n": number, "text": item.text[:20]}
            )
        elif item.answer != ReportItem.Answer.DONE and not item.explanation:
            problems.append(
                _("上年事项第 %(n)d 条“%(text)s”未完成，请说明原因和下一步措施。")
                % {"n": number, "text": item.text[:20]}
            )
    return problems


def _version(report: Report, *, actor, action: str, reason: str = "") -> ReportVersion:
    report.version += 1
    return ReportVersion.objects.create(
        report=report,
        number=report.version,
        action=action,
        text=report_text(report),
        reason=reason,
        actor=actor,
    )


def _organisers(cycle: Cycle) -> list[User]:
    return list(
        User.objects.filter(organization_id=cycle.organization_id, role=Role.ORGANISER, is_active=True)
    )


@transaction.atomic
def report_submit(*, actor, report: Report) -> Report:
    report = _locked(report)
    cycle = _check_writer(actor, report)
    problems = _incomplete(report)
    if problems:
        raise ValidationError([ValidationError(p, code="incomplete") for p in problems])
    before = report.status
    version = _version(report, actor=actor, action="submitted")
    report.status = Report.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="report.submit",
        target=report,
        org_path=report.reporter.organization.path,
        before={"status": before},
        after={"status": report.status},
        extra={"version": version.number},
    )
    notify(
        recipients=_organisers(cycle),
        text=_("%(unit)s 提交了述职报告。") % {"unit": report.reporter.organization.name},
        link=reverse("reports:detail", args=[report.pk]),
    )
    return report


def _check_reviewer(actor, report: Report) -> Cycle:
    cycle = report.reporter.cycle
    if actor.role != Role.ORGANISER or actor.organization_id != cycle.organization_id:
        raise ValidationError(_("只有本周期组织单位的组织部账号可以审核报告。"), code="not_reviewer")
    if not report.is_reviewable:
        raise ValidationError(
            _("报告当前为“%(status)s”，只有已提交的报告可以审核。") % {"status": report.get_status_display()},
            code="not_submitted",
        )
    return cycle


@transaction.atomic
def report_return(*, actor, report: Report, reason: str) -> Report:
    """Send a submitted report back to its secretary with the reason."""
    report = _locked(report)
    _check_reviewer(actor, report)
    reason = reason.strip()
    if len(reason) < 4:
        raise field_error("reason", _("请写明退回理由（至少 4 个字），书记将看到这段话。"), "reason_required")
    version = _version(report, actor=actor, action="returned", reason=reason)
    report.status, report.return_reason = Report.Status.RETURNED, reason
    report.save(update_fields=["status", "return_reason", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="report.return",
        target=report,
        org_path=report.reporter.organization.path,
        before={"status": Report.Status.SUBMITTED},
        after={"status": report.status},
        extra={"reason": reason, "version": version.number},
    )
    notify(
        recipients=[report.reporter.secretary],
        text=_("您的述职报告被退回：%(reason)s") % {"reason": reason[:200]},
        link=reverse("reports:edit", args=[report.pk]),
    )
    return report


@transaction.atomic
def report_accept(*, actor, report: Report) -> Report:
    report = _locked(report)
    _check_reviewer(actor, report)
    version = _version(report, actor=actor, action="accepted")
    report.status = Report.Status.ACCEPTED
    report.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="report.accept",
        target=report,
        org_path=report.reporter.organization.path,
        before={"status": Report.Status.SUBMITTED},
        after={"status": report.status},
        extra={"version": version.number},
    )
    notify(
        recipients=[report.reporter.secretary],
        text=_("您的述职报告已审核通过。"),
        link=reverse("reports:detail", args=[report.pk]),
    )
    return report


# ---- documents ---------------------------------------------------------------------------------


def report_document(
    report: Report, items: list[ReportItem] | None = None, extra: list[hooks.ReadOnlySection] | None = None
) -> documents.ReportDocument:
    """What the .docx of a report shows, from the database."""
    reporter: Reporter = report.reporter
    cycle = reporter.cycle
    items = list(report.items.all()) if items is None else items
    if extra is None:  # what other areas add (书记领办项目), read only
        extra = hooks.sections_for(year=cycle.year, organization_ids=[reporter.organization_id]).get(
            reporter.organization_id, []
        )

    def listed(kind: str) -> list[documents.ListItem]:
        return [
            documents.ListItem(item.text, item.category, item.get_severity_display() if item.severity else "")
            for item in items
            if item.kind == kind
        ]

    return documents.ReportDocument(
        title=_("%(unit)s党组织书记抓基层党建工作述职报告") % {"unit": reporter.organization.name},
        cycle_title=cycle.title,
        year=cycle.year,
        unit_name=reporter.organization.name,
        secretary_name=reporter.secretary.full_name,
        mode_label=reporter.get_mode_display(),
        sections=[(heading, report.sections.get(key, "")) for key, heading in documents.SECTIONS],
        problems=listed(ReportItem.Kind.PROBLEM),
        responsibilities=listed(ReportItem.Kind.RESPONSIBILITY),
        commitments=listed(ReportItem.Kind.COMMITMENT),
        carried_over=[
            documents.CarryOverItem(
                item.text,
                ReportItem.Kind(item.source_kind).label if item.source_kind else "",
                item.get_answer_display(),
                item.explanation,
            )
            for item in items
            if item.kind == ReportItem.Kind.CARRIED
        ],
        status_label=report.get_status_display(),
        extra=[documents.ExtraSection(e.title, e.columns, e.rows) for e in extra],
    )


def meeting_book(*, cycle: Cycle, reports: QuerySet[Report] | None = None) -> bytes:
    """Every report of the cycle in one .docx, in agenda order (on-site reporters first);
    `reports`: only these (what the reader may read, reports.selectors.reports_visible_to)."""
    reports = list(
        (Report.objects.all() if reports is None else reports)
        .filter(reporter__cycle=cycle)
        .select_related("reporter__organization", "reporter__secretary", "reporter__cycle")
        .prefetch_related("items")
        .order_by("reporter__mode", "reporter__position", "reporter__id")
    )
    extra = hooks.sections_for(
        year=cycle.year, organization_ids=[r.reporter.organization_id for r in reports]
    )
    return documents.render_meeting_book(
        title=cycle.title,
        subtitle=_("述职报告汇编 · %(date)s") % {"date": cycle.meeting_on.isoformat()},
        reports=[
            report_document(report, list(report.items.all()), extra.get(report.reporter.organization_id, []))
            for report in reports
        ],
    )


def report_values(report: Report) -> dict[str, Any]:
    """The sections as a dict with every key, for forms."""
    return {key: report.sections.get(key, "") for key in SECTION_KEYS}
