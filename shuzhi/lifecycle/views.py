import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shuzhi.core.access import capability_required, get_scoped_or_404
from shuzhi.core.forms import apply_service_errors
from shuzhi.core.roles import Capability
from shuzhi.exchange.sheets import Column
from shuzhi.exchange.workbook import write_table
from shuzhi.lifecycle import bank_sheet, documents, selectors, services
from shuzhi.lifecycle import training as training_services
from shuzhi.lifecycle.forms import (
    ApplicantForm,
    AsOfForm,
    AttendanceForm,
    BankForm,
    BankImportForm,
    CodeForm,
    CourseForm,
    DepartureForm,
    ExamForm,
    MobileActForm,
    MobileForm,
    PlanForm,
    QuestionForm,
    StepForm,
    StopForm,
    TransferActForm,
    TransferForm,
)
from shuzhi.lifecycle.models import Course, Question, Sitting, Stage, StepDocument
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf"}
BOARD_PAGE = 50
ISSUED_KEY = "lifecycle_issued_code"  # a test code just issued, shown on the next page only


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
        if request.POST.get("action") in ("issue", "course"):
            issued = _applicant_training(request, person)
            if issued is not None:  # the code is shown once, on the page the issue leads to
                request.session[ISSUED_KEY] = {"sitting": issued.pk, "code": issued.code}
            return redirect("lifecycle:applicant", pk=person.pk)
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
        **_exam_context(person), "issued_code": request.session.pop(ISSUED_KEY, None),
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


# Training and tests online ---------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def training(request, pk: int):
    """The organisation's banks, courses and tests; organisers add them here."""
    org = selectors.organization_get(viewer=request.user, pk=pk)
    may_manage = training_services.may_manage(request.user, org)
    found = selectors.training_of(org)
    action = request.POST.get("action", "")
    bank_form = BankForm(request.POST if action == "bank" else None, prefix="bank")
    course_form = CourseForm(request.POST if action == "course" else None, prefix="course")
    exam_form = ExamForm(request.POST if action == "exam" else None, prefix="exam", banks=found["banks"])
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        form = {"bank": bank_form, "course": course_form, "exam": exam_form}.get(action)
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:
                if action == "bank":
                    bank = training_services.bank_create(
                        actor=request.user, organization=org, title=data["title"]
                    )
                    messages.success(request, _("已新建题库“%(t)s”，请导入试题。") % {"t": bank.title})
                    return redirect("lifecycle:bank", pk=bank.pk)
                if action == "course":
                    training_services.course_create(actor=request.user, organization=org, title=data["title"],
                                                    hours=data["hours"], audience=data["audience"])  # fmt: skip
                    messages.success(request, _("已新建课程“%(t)s”。") % {"t": data["title"]})
                else:
                    bank = get_scoped_or_404(selectors.banks_for(request.user), pk=data["bank"])
                    old = next((e for e in found["exams"] if e.organization_id == org.pk and e.active
                                and e.audience == data["audience"]), None)  # fmt: skip
                    training_services.exam_save(
                        actor=request.user, organization=org, bank=bank, exam=old, title=data["title"],
                        audience=data["audience"], single_count=data["single_count"],
                        multiple_count=data["multiple_count"], judge_count=data["judge_count"],
                        pass_percent=data["pass_percent"], max_attempts=data["max_attempts"],
                        time_limit=data["time_limit"], valid_months=data["valid_months"],
                    )  # fmt: skip
                    messages.success(request, _("已设置在线测试“%(t)s”。") % {"t": data["title"]})
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return redirect("lifecycle:training", pk=org.pk)
    return render(request, "lifecycle/training.html", {
        "org": org, **found, "may_manage": may_manage, "bank_form": bank_form, "course_form": course_form,
        "exam_form": exam_form, "here": "training",
    })  # fmt: skip


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def bank(request, pk: int):
    found = selectors.bank_get(viewer=request.user, pk=pk)
    may_manage = training_services.may_manage(request.user, found.organization)
    import_form = BankImportForm(request.POST if request.POST.get("action") == "import" else None,
                                 request.FILES or None, prefix="import")  # fmt: skip
    question_form = QuestionForm(request.POST if request.POST.get("action") == "add" else None, prefix="q")
    import_errors: list[str] = []
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if request.POST.get("action") == "import" and import_form.is_valid():
            try:
                added = training_services.bank_import(actor=request.user, bank=found,
                                                      upload=import_form.cleaned_data["file"])  # fmt: skip
            except ValidationError as error:
                import_errors = error.messages
            else:
                messages.success(request, _("已导入 %(n)d 道试题。") % {"n": added})
                return redirect("lifecycle:bank", pk=found.pk)
        elif request.POST.get("action") == "add" and question_form.is_valid():
            data = question_form.cleaned_data
            try:
                training_services.question_save(actor=request.user, bank=found, question=None, kind=data["kind"],
                                                text=data["text"], options=question_form.options(),
                                                answer=data["answer"], points=data["points"], active=data["active"])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(question_form, error, renamed={"options": "option_a"})
            else:
                messages.success(request, _("已添加试题。"))
                return redirect("lifecycle:bank", pk=found.pk)
    questions = list(found.questions.order_by("kind", "id"))
    counts = {
        kind: sum(1 for q in questions if q.kind == kind and q.active)
        for kind, _label in Question.Kind.choices
    }
    return render(request, "lifecycle/bank.html", {
        "bank": found, "questions": questions, "counts": counts, "may_manage": may_manage,
        "import_form": import_form, "import_errors": import_errors, "question_form": question_form,
        "org": found.organization,
    })  # fmt: skip


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def question(request, pk: int, question_pk: int):
    found = selectors.bank_get(viewer=request.user, pk=pk)
    item = get_scoped_or_404(found.questions.all(), pk=question_pk)
    if not training_services.may_manage(request.user, found.organization):
        raise PermissionDenied
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_of(item))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            training_services.question_save(actor=request.user, bank=found, question=item, kind=data["kind"],
                                            text=data["text"], options=form.options(), answer=data["answer"],
                                            points=data["points"], active=data["active"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error, renamed={"options": "option_a"})
        else:
            messages.success(request, _("已保存试题。"))
            return redirect("lifecycle:bank", pk=found.pk)
    return render(request, "lifecycle/question.html", {"bank": found, "item": item, "form": form})


@login_required
@require_GET
def bank_template(request):
    buffer = io.BytesIO()
    columns = [Column(key=key, header=header, width=40 if key == "text" else 14)
               for key, (header, _others) in bank_sheet.COLUMNS.items()]  # fmt: skip
    rows = [(*row[:6], "", "", row[6], row[7]) for row in bank_sheet.TEMPLATE_ROWS]
    write_table(buffer, title="试题", columns=columns, rows=rows,
                note="题型：单选题、多选题、判断题。答案：选项字母（如 A、ACD），判断题填“对”或“错”。分值：1 到 100 的整数，不填为 1。")  # fmt: skip
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "试题导入模板.xlsx")
    return response


def _applicant_training(request, person) -> Sitting | None:
    """The applicant page's actions on the training: record a course taken, issue a test code
    (the sitting issued is returned, its code on it for this once)."""
    action = request.POST.get("action")
    if action == "issue":
        try:
            sitting = training_services.sitting_issue(actor=request.user, applicant=person)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return None
        messages.success(request, _("已发放第 %(n)d 次测试的测试码，%(days)d 天内有效，仅可作答一次。测试码只显示这一次，请当即告知本人。") % {
            "n": sitting.number, "days": training_services.CODE_VALID_DAYS})  # fmt: skip
        return sitting
    form = AttendanceForm(request.POST, prefix="course", courses=selectors.courses_for(person))
    if not form.is_valid():
        messages.error(request, _("请选择课程并填写参训日期。"))
        return None
    course = get_scoped_or_404(Course.objects.filter(pk__in=[c.pk for c in selectors.courses_for(person)]),
                               pk=form.cleaned_data["course"])  # fmt: skip
    try:
        training_services.attendance_record(actor=request.user, course=course, applicant=person,
                                            attended_on=form.cleaned_data["attended_on"])  # fmt: skip
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已记录%(name)s参加“%(c)s”。") % {"name": person.name, "c": course.title})
    return None


def _exam_context(person) -> dict:
    exam = selectors.exam_for(person.org_path, "candidate")
    sittings = list(person.sittings.select_related("exam").order_by("number")) if exam else []
    now = timezone.now()
    open_ = next((s for s in sittings if s.submitted_at is None and s.expires_at > now), None)
    attended = list(person.attendances.select_related("course").order_by("attended_on"))
    return {"exam": exam, "sittings": sittings, "open_sitting": open_, "attended": attended,
            "course_hours": sum(a.course.hours for a in attended),
            "attendance_form": AttendanceForm(prefix="course", courses=selectors.courses_for(person))}  # fmt: skip


@require_http_methods(["GET", "POST"])
def take(request, code: str = ""):
    """A paper opened by its one-time code, on a phone, without logging in (an applicant has no
    account); a worker's paper needs its worker logged in. An address that typed too many wrong
    codes is refused for a while (429), whichever door it knocks at."""
    address = request.META.get("REMOTE_ADDR", "")
    if training_services.code_guessing_refused(address):
        return render(request, "lifecycle/take_code.html", {"form": CodeForm(), "problem": _(
            "输错测试码的次数过多，请 %(m)d 分钟后再试；如测试码无误仍打不开，请联系发放测试码的党组织。") % {
            "m": training_services.CODE_FAILURE_WINDOW_SECONDS // 60}, "refused": True}, status=429)  # fmt: skip
    if not code:
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            return redirect(
                "lifecycle:take", code=training_services.normalise_code(form.cleaned_data["code"])
            )
        return render(request, "lifecycle/take_code.html", {"form": form})
    code = training_services.normalise_code(code)
    sitting = training_services.sitting_by_code(code)
    if sitting is None:
        training_services.code_failed_from(address)
        return render(request, "lifecycle/take_code.html", {
            "form": CodeForm(initial={"code": code[:20]}), "problem": _("测试码“%(c)s”不存在，请核对后重新输入。") % {"c": code[:20]},
        }, status=404)  # fmt: skip
    if sitting.user_id is not None and request.user.pk != sitting.user_id:
        raise Http404
    return _paper(request, sitting, reverse("lifecycle:take", args=[code]))


@login_required
@require_http_methods(["GET", "POST"])
def take_mine(request, pk: int):
    """A worker's own paper, opened from their qualification page (its code is not kept)."""
    sitting = get_scoped_or_404(
        Sitting.objects.filter(user=request.user).select_related("exam", "applicant", "user"), pk=pk
    )
    return _paper(request, sitting, reverse("lifecycle:take_mine", args=[sitting.pk]))


def _paper(request, sitting: Sitting, here: str):
    """Show a paper, or grade the answers sent and go back to `here` for the result."""
    if request.method == "POST":
        answers = {key.removeprefix("q"): "".join(request.POST.getlist(key)) for key in request.POST
                   if key.startswith("q")}  # fmt: skip
        try:
            training_services.sitting_submit(
                actor=request.user if request.user.is_authenticated else None,
                sitting=sitting,
                answers=answers,
            )
        except ValidationError as error:
            return render(
                request,
                "lifecycle/take_result.html",
                {"sitting": sitting, "problem": "；".join(error.messages)},
            )
        return redirect(here)
    if sitting.submitted_at is not None:
        return render(request, "lifecycle/take_result.html", {"sitting": sitting})
    try:
        sitting, questions = training_services.sitting_open(sitting=sitting)
    except ValidationError as error:
        return render(
            request, "lifecycle/take_result.html", {"sitting": sitting, "problem": "；".join(error.messages)}
        )
    return render(request, "lifecycle/take.html", {
        "sitting": sitting, "questions": questions, "deadline": training_services.deadline_of(sitting),
        "name": sitting.applicant.name if sitting.applicant else request.user.get_full_name() or request.user.username,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def qualification(request):
    """A worker's own qualification: the test in force, their attempts, their certificate."""
    exam = (
        selectors.exam_for(request.user.organization.path, "worker") if request.user.organization_id else None
    )
    if request.method == "POST":
        try:
            sitting = training_services.worker_sitting_start(actor=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            return redirect("lifecycle:take_mine", pk=sitting.pk)
    sittings = list(Sitting.objects.filter(user=request.user).select_related("exam").order_by("-created_at"))
    today = timezone.localdate()
    valid = next((s for s in sittings if s.passed and s.valid_until and s.valid_until >= today), None)
    return render(
        request, "lifecycle/qualification.html", {"exam": exam, "sittings": sittings, "valid": valid}
    )


@capability_required(Capability.VIEW_MEMBERS)
@require_GET
def qualified(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    rows = selectors.qualified_in(org, today=timezone.localdate())
    page = Paginator(rows, BOARD_PAGE).get_page(request.GET.get("page"))
    return render(request, "lifecycle/qualified.html", {"org": org, "page": page, "here": "training"})


@capability_required(Capability.VIEW_MEMBERS)
@require_http_methods(["GET", "POST"])
def plan(request, pk: int):
    org = selectors.organization_get(viewer=request.user, pk=pk)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    rows, fields = selectors.plan_table(org=org, year=year)
    children = [row.org for row in rows[1:] if training_services.may_plan(request.user, row.org)]
    form = PlanForm(request.POST or None, children=children)
    if request.method == "POST":
        if not children:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            target = get_scoped_or_404(Organization.objects.filter(pk__in=[c.pk for c in children]),
                                       pk=data["organization"])  # fmt: skip
            try:
                training_services.plan_set(actor=request.user, organization=target, year=year, total=data["total"],
                                           young=data["young"], women=data["women"], frontline=data["frontline"],
                                           fields=data["fields_text"])  # fmt: skip
            except ValidationError as error:
                apply_service_errors(form, error, renamed={"fields": "fields_text"})
            else:
                messages.success(
                    request, _("已下达%(org)s %(y)d 年发展党员计划。") % {"org": target.name, "y": year}
                )
                return redirect(f"{reverse('lifecycle:plan', args=[org.pk])}?year={year}")
    labels = dict(Organization.Field.choices)
    for row in rows:
        row.gap_total = row.gap("total")
        row.cells = row.field_cells(fields)
    return render(request, "lifecycle/plan.html", {
        "org": org, "rows": rows, "fields": [(f, labels[f]) for f in fields], "year": year, "form": form,
        "may_plan": bool(children), "here": "plan", "years": range(year - 2, year + 2),
        "shared_out": sum(row.plan.total for row in rows[1:] if row.plan),
    })  # fmt: skip
