"""The questionnaires' pages (问卷调查): the list and the builder, the slips, the results and
their export for the unit and the levels above; the anonymous answer pages (by code, by the open
link) for anyone with a phone, keeping nothing of who answered."""

import csv
import io

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from shuzhi.core.access import any_capability_required, get_scoped_or_404
from shuzhi.core.forms import apply_service_errors
from shuzhi.core.roles import Capability
from shuzhi.core.secrecy import shuffled
from shuzhi.projects import selectors
from shuzhi.projects import surveys as services
from shuzhi.projects.forms import FindingForm, PublishForm, QuestionForm, SurveyForm
from shuzhi.projects.models import Question, Questionnaire, QuestionnaireResponse, QuestionnaireUse

readers = any_capability_required(
    Capability.MANAGE_CYCLES, Capability.VIEW_CYCLES, Capability.SUPERVISE, Capability.WRITE_REPORT
)
REFUSAL_STATUS = {"unknown_code": 404, "used": 409, "closed": 403, "not_published": 403, "needs_code": 403}


@readers
@require_http_methods(["GET", "POST"])
def survey_index(request):
    """The questionnaires of the viewer's subtree; the unit's secretary or an organiser starts one."""
    units = services.units_for(request.user)
    form = SurveyForm(request.POST or None, units=units) if units else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                questionnaire = services.survey_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("已创建问卷草稿，请添加题目。"))
                return redirect(questionnaire)
    surveys = list(selectors.surveys_visible_to(request.user).order_by("-year", "-id")[:200])
    return render(request, "projects/surveys.html", {"surveys": surveys, "form": form})


def _survey_page(request, questionnaire: Questionnaire, **forms_):
    may_manage = services.may_manage(request.user, questionnaire)
    hidden, summaries = selectors.survey_summary(questionnaire)
    may_find = services.may_find(request.user, questionnaire) and not hidden
    declaration = services.declaration_for_findings(questionnaire) if may_find else None
    finding_forms = {}
    if may_find and declaration is not None:
        failed = forms_.get("finding_form")
        for s in summaries:
            if s.hidden:
                continue
            if failed is not None and failed.data.get("finding-question") == str(s.question.pk):
                finding_forms[s.question.pk] = failed
            else:
                finding_forms[s.question.pk] = FindingForm(
                    initial={
                        "question": s.question.pk,
                        "text": s.question.text,
                        "evidence": _evidence(questionnaire, s),
                    }
                )
    live = {}
    if questionnaire.status == Questionnaire.Status.PUBLISHED:
        live = {
            "answered": QuestionnaireResponse.objects.filter(questionnaire=questionnaire).count(),
            "issued": questionnaire.codes.count(),
            "used": QuestionnaireUse.objects.filter(questionnaire=questionnaire).count(),
        }
    context = {
        "q": questionnaire,
        "questions": list(questionnaire.questions.order_by("position", "id")),
        "may_manage": may_manage,
        "question_form": forms_.get("question_form") or QuestionForm(),
        "publish_form": forms_.get("publish_form") or PublishForm(),
        "hidden": hidden,
        "summaries": [(s, finding_forms.get(s.question.pk)) for s in summaries],
        "chart": selectors.survey_chart(summaries),
        "may_find": may_find,
        "declaration": declaration,
        "open_url": request.build_absolute_uri(services.open_link(questionnaire))
        if questionnaire.open_key
        else "",
        "live": live,
    }
    return render(request, "projects/survey.html", context)


def _evidence(questionnaire: Questionnaire, summary) -> str:
    """The problem's evidence as the summary says it: the question and its leading figures."""
    head = _("问卷调查“%(t)s”第 %(n)d 题，%(k)d 人作答") % {
        "t": questionnaire.title[:40],
        "n": summary.question.position,
        "k": summary.answered,
    }
    if summary.mean:
        head += _("，平均 %(m)s 分") % {"m": summary.mean}
    if summary.rows and summary.question.kind != Question.Kind.RATING:
        top = max(summary.rows, key=lambda r: r["count"])
        head += _("，选“%(o)s”的占 %(p)s") % {"o": top["label"][:30], "p": top["share"]}
    return head[:300]


@readers
@require_http_methods(["GET", "POST"])
def survey(request, pk: int):
    questionnaire = selectors.survey_get(viewer=request.user, pk=pk)
    if request.method == "GET":
        return _survey_page(request, questionnaire)
    action, actor = request.POST.get("action"), request.user
    if action == "finding":
        if not services.may_find(actor, questionnaire):
            raise PermissionDenied
        form = FindingForm(request.POST)
        if not form.is_valid():
            return _survey_page(request, questionnaire, finding_form=form)
        question = get_scoped_or_404(questionnaire.questions.all(), pk=form.cleaned_data["question"])
        try:
            item = services.finding_to_problem(
                actor=actor,
                question=question,
                text=form.cleaned_data["text"],
                category=form.cleaned_data["category"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
            return _survey_page(request, questionnaire, finding_form=form)
        messages.success(request, _("已列入本单位问题清单。"))
        return redirect(item.declaration)
    if not services.may_manage(actor, questionnaire):
        raise PermissionDenied
    try:
        if action == "question":
            form = QuestionForm(request.POST)
            if not form.is_valid():
                return _survey_page(request, questionnaire, question_form=form)
            try:
                services.question_add(actor=actor, questionnaire=questionnaire, **form.cleaned_data)
            except ValidationError as error:
                if not hasattr(error, "error_dict"):  # not the form's fault (published, too many)
                    raise
                apply_service_errors(form, error)
                return _survey_page(request, questionnaire, question_form=form)
            messages.success(request, _("已添加题目。"))
        elif action == "remove":
            question = get_scoped_or_404(questionnaire.questions.all(), pk=request.POST.get("question"))
            services.question_remove(actor=actor, question=question)
            messages.success(request, _("已删除题目。"))
        elif action == "publish":
            form = PublishForm(request.POST)
            if not form.is_valid():
                return _survey_page(request, questionnaire, publish_form=form)
            try:
                services.survey_publish(
                    actor=actor, questionnaire=questionnaire, codes=form.cleaned_data["codes"] or 0
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    raise
                apply_service_errors(form, error)
                return _survey_page(request, questionnaire, publish_form=form)
            messages.success(request, _("问卷已发布。"))
        elif action == "close":
            closed = services.survey_close(actor=actor, questionnaire=questionnaire)
            messages.success(request, _("问卷已结束，收回 %(n)d 份。") % {"n": closed.responses})
        else:
            return HttpResponse(status=400)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(questionnaire)


@readers
@require_GET
def survey_slips(request, pk: int):
    """The one-time codes as slips with QR codes, in a random order, to cut and hand out."""
    questionnaire = selectors.survey_get(viewer=request.user, pk=pk)
    if not services.may_manage(request.user, questionnaire):
        raise PermissionDenied
    if questionnaire.mode != Questionnaire.Mode.CODES or questionnaire.status == Questionnaire.Status.DRAFT:
        raise Http404
    base = request.build_absolute_uri("/")[:-1]
    slips = []
    for code in shuffled(questionnaire.codes.all()):  # the printed order says nothing about the serials
        url = f"{base}{reverse('projects:survey_answer', args=[code.token])}"
        slips.append((url, mark_safe(segno.make(url, error="m").svg_inline(scale=3))))  # noqa: S308 — segno's own SVG
    services.survey_slips_printed(actor=request.user, questionnaire=questionnaire, count=len(slips))
    return render(request, "projects/survey_slips.html", {"q": questionnaire, "slips": slips})


@readers
@require_GET
def survey_export(request, pk: int):
    """The summary as a spreadsheet (CSV, opens in Excel): what the page shows, small groups hidden."""
    questionnaire = selectors.survey_get(viewer=request.user, pk=pk)
    hidden, summaries = selectors.survey_summary(questionnaire)
    if hidden:
        raise Http404
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 by its mark
    writer = csv.writer(out)
    writer.writerow([_("题号"), _("题目"), _("作答人数"), _("选项/分值"), _("人数"), _("占比"), _("回答")])
    for s in summaries:
        head = [s.question.position, s.question.text, s.answered]
        if s.hidden:
            writer.writerow([*head, _("作答人数过少，不显示"), "", "", ""])
            continue
        for row in s.rows:
            writer.writerow([*head, row["label"], row["count"], row["share"], ""])
        if s.mean:
            writer.writerow([*head, _("平均分"), "", "", s.mean])
        for text in s.texts:
            writer.writerow([*head, "", "", "", text])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="questionnaire-{questionnaire.pk}.csv"'
    return response


# ---- answering: no login, no session, nothing kept of who ---------------------------------------


def _submitted(request, questions) -> dict[int, list[str]]:
    return {q.pk: request.POST.getlist(f"q{q.pk}") for q in questions}


def _answer_page(request, questionnaire, *, action: str, token: str | None):
    questions = list(questionnaire.questions.order_by("position", "id"))
    if request.method == "POST":
        submitted = _submitted(request, questions)
        if token is None and services.open_link_spent(questionnaire, request.META.get("REMOTE_ADDR", "")):
            return render(
                request,
                "projects/survey_answer.html",
                {"q": questionnaire, "error": _("提交过于频繁，请稍后再试。")},
                status=429,
            )
        try:
            services.survey_answer(questionnaire=questionnaire, submitted=submitted, token=token)
        except ValidationError as error:
            code = error.error_list[0].code if not hasattr(error, "error_dict") else "answer"
            if code in REFUSAL_STATUS:
                return render(
                    request,
                    "projects/survey_answer.html",
                    {"q": questionnaire, "error": error.messages[0]},
                    status=REFUSAL_STATUS[code],
                )
            faults = {int(k): v[0] for k, v in error.message_dict.items() if k.isdigit()}
            return render(
                request,
                "projects/survey_answer.html",
                {"q": questionnaire, "items": _items(questions, submitted, faults), "action": action,
                 "error": _("有 %(n)d 题需要修改，请看标红的题目。") % {"n": len(faults)}},
                status=400,
            )  # fmt: skip
        if token is None:
            services.open_link_counted(questionnaire, request.META.get("REMOTE_ADDR", ""))
        return redirect("projects:survey_done")
    if questionnaire.status != Questionnaire.Status.PUBLISHED:
        message = (
            _("本次问卷调查已经结束，感谢关注。")
            if questionnaire.status == Questionnaire.Status.CLOSED
            else _("问卷尚未发布。")
        )
        return render(
            request, "projects/survey_answer.html", {"q": questionnaire, "error": message}, status=403
        )
    return render(
        request,
        "projects/survey_answer.html",
        {"q": questionnaire, "items": _items(questions, {}, {}), "action": action},
    )


def _items(questions, submitted, faults) -> list[dict]:
    """Each question with what was typed (kept when refused) and why it was refused."""
    return [
        {
            "question": q,
            "chosen": submitted.get(q.pk, []),
            "fault": faults.get(q.pk, ""),
            "options": [(str(i), option) for i, option in enumerate(q.options)],
            "ratings": [str(r) for r in (1, 2, 3, 4, 5)],
        }
        for q in questions
    ]


@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request, token: str):
    """The questionnaire reached by a one-time code (its address is masked in every log)."""
    found = services.survey_for_code(token)
    if found is None:
        return render(
            request, "projects/survey_answer.html", {"error": _("答题码无效，请核对后重新扫码。")}, status=404
        )
    questionnaire, code = found
    if request.method == "GET" and QuestionnaireUse.objects.filter(pk=code.pk).exists():
        return render(
            request,
            "projects/survey_answer.html",
            {"q": questionnaire, "error": _("该答题码已经用过，每个答题码只能作答一次。")},
            status=409,
        )
    return _answer_page(request, questionnaire, action=request.path, token=token)


@never_cache
@require_http_methods(["GET", "POST"])
def survey_open(request, key: str):
    """The questionnaire's open link: anyone may answer, a few times an hour from one address."""
    questionnaire = services.survey_for_key(key)
    if questionnaire is None:
        return render(request, "projects/survey_answer.html", {"error": _("问卷链接无效。")}, status=404)
    return _answer_page(request, questionnaire, action=request.path, token=None)


@require_GET
def survey_done(request):
    return render(request, "projects/survey_answer.html", {"done": True})
