import hashlib
import re

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.ballots import documents, rules, selectors, services
from shuzhi.ballots.forms import (
    CommentForm,
    MeetingForm,
    PaperCountForm,
    PaperTallyForm,
    ScrutineerForm,
    VoterClassForm,
)
from shuzhi.ballots.models import CodeUse, Meeting, PaperCount
from shuzhi.core.access import any_capability_required, capability_required, get_scoped_or_404
from shuzhi.core.forms import apply_service_errors, show_errors
from shuzhi.core.grades import Grade
from shuzhi.core.roles import Capability
from shuzhi.core.services import audit_record
from shuzhi.cycles.selectors import can_manage, cycle_get

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# refusals a phone may get, and the HTTP status that goes with each (a script can tell them apart)
REFUSAL_STATUS = {
    "unknown_code": 404,
    "wrong_meeting": 404,
    "used": 409,
    "closed": 403,
    "invalid_ballot": 400,
}


GRADE_FIELD = re.compile(r"grade_([0-9]{1,18})")
SCORE_FIELD = re.compile(r"score_([0-9]{1,18})_([0-9]{1,2})")


def _ballot_from(post) -> tuple[dict[int, str], dict[int, list[object]], str]:
    """The grades and item scores as the phone sent them, by reporter id, read without the meeting:
    the service checks them against the agenda it reads under lock (a reporter not on it refuses
    the ballot). An item left out is an empty value, so that the service refuses it."""
    grades: dict[int, str] = {}
    sent: dict[int, dict[int, str]] = {}
    for key, value in post.items():
        if match := GRADE_FIELD.fullmatch(key):
            if value:
                grades[int(match[1])] = value
        elif match := SCORE_FIELD.fullmatch(key):
            sent.setdefault(int(match[1]), {})[int(match[2])] = value.strip()
    scores = {
        reporter: [_number(values.get(n, "")) for n in range(max(values) + 1)]
        for reporter, values in sent.items()
    }
    return grades, scores, post.get("suggestion", "")[:2000]


def _number(value: str) -> object:
    return int(value) if value.isascii() and value.isdigit() else value


@never_cache
@csrf_exempt  # no session here: the code in the address is the credential, unknown to other sites
@require_http_methods(["GET", "POST"])
def vote(request, token: str):
    """The phone ballot: no login; the one-time code in the address opens it."""
    if request.method == "POST":
        return _vote_cast(request, token)
    code = services.code_lookup(token)
    if code is None:
        return render(
            request, "ballots/vote_refused.html", {"message": _("二维码无效，请核对后重新扫码。")}, status=404
        )
    meeting = code.meeting
    if CodeUse.objects.filter(code=code).exists():
        return render(
            request,
            "ballots/vote_refused.html",
            {"meeting": meeting, "message": _("该二维码已经投过票，每个二维码只能投一次。")},
            status=409,
        )
    if meeting.status != Meeting.Status.VOTING_OPEN:
        return render(
            request,
            "ballots/vote_refused.html",
            {"meeting": meeting, "message": services.closed_message(meeting)},
            status=403,
        )
    return render(request, "ballots/vote.html", _form_context(meeting, code.voter_class))


def _vote_cast(request, token: str):
    """Cast first: the service finds the code and its meeting in the same query that locks the
    meeting, so that a ballot going in costs no lookup here; only a refusal looks the code up, to
    show its page."""
    grades, scores, suggestion = _ballot_from(request.POST)
    try:
        services.ballot_cast(token=token, grades=grades, scores=scores, suggestion=suggestion)
    except ValidationError as error:
        status = REFUSAL_STATUS.get(error.error_list[0].code, 400)
        code = services.code_lookup(token)
        if code is None:
            return render(request, "ballots/vote_refused.html", {"message": error.messages[0]}, status=404)
        if status != 400:
            return render(
                request,
                "ballots/vote_refused.html",
                {"meeting": code.meeting, "message": error.messages[0]},
                status=status,
            )
        context = _form_context(code.meeting, code.voter_class)
        context.update(errors=error.messages, chosen=grades, suggestion=suggestion, chosen_scores=scores)
        return render(request, "ballots/vote.html", context, status=400)
    return redirect("ballots:thanks")


def _form_context(meeting: Meeting, voter_class) -> dict:
    reporters = selectors.agenda_reporters(meeting)
    return {
        "meeting": meeting,
        "voter_class": voter_class,
        "reporters": reporters,
        "grades": Grade.choices,
        "good_limit": rules.good_limit(len(reporters), meeting.max_good_count, meeting.max_good_percent),
        "chosen": {},
        "chosen_scores": {},
    }


@require_GET
def thanks(request):
    return render(request, "ballots/thanks.html")


# ---- the organiser's side ------------------------------------------------------------------------


def _managed(request, pk: int) -> Meeting:
    meeting = selectors.meeting_get(viewer=request.user, pk=pk)
    if not can_manage(request.user, meeting.cycle):
        raise PermissionDenied
    return meeting


@capability_required(Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def meeting_create(request, cycle_pk: int):
    cycle = cycle_get(viewer=request.user, pk=cycle_pk)
    if not can_manage(request.user, cycle):
        raise PermissionDenied
    if hasattr(cycle, "meeting"):
        return redirect("ballots:meeting", pk=cycle.meeting.pk)
    form = MeetingForm(
        request.POST or None,
        initial={"title": _("%(title)s评议会") % {"title": cycle.title}, "held_on": cycle.meeting_on},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已建立评议会议，请设置投票人类别并生成票码。"))
            return redirect("ballots:meeting", pk=meeting.pk)
    return render(request, "ballots/meeting_form.html", {"form": form, "cycle": cycle})


@capability_required(Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    meeting = _managed(request, pk)
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_from(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("ballots:meeting", pk=meeting.pk)
    return render(
        request, "ballots/meeting_form.html", {"form": form, "cycle": meeting.cycle, "meeting": meeting}
    )


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def meeting(request, pk: int):
    meeting = selectors.meeting_get(viewer=request.user, pk=pk)
    manage = can_manage(request.user, meeting.cycle)
    classes = list(meeting.classes.annotate(codes_made=Count("codes")))
    tally_shown = selectors.tally_open_to(request.user, meeting)
    rows, _classes = selectors.meeting_results(meeting) if tally_shown else ([], [])
    context = {
        "tally_shown": tally_shown,
        "archive_digest": selectors.ballot_archive_digest(meeting) if manage else None,
        "meeting": meeting,
        "cycle": meeting.cycle,
        "manage": manage,
        "classes": classes,
        "codes_missing": any(c.codes_made < c.ballots for c in classes),
        "turnout": selectors.turnout(meeting),
        "class_form": VoterClassForm(),
        "scrutineers": list(meeting.scrutineers.all()),
        "scrutineer_form": ScrutineerForm(),
        "paper_counts": {c.voter_class_id: c for c in meeting.paper_counts.all()},
        "paper_problems": services.paper_problems(meeting)
        if meeting.status == Meeting.Status.VOTING_CLOSED
        else [],
        "rows": rows,
    }
    return render(request, "ballots/meeting.html", context)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def class_add(request, pk: int):
    meeting = _managed(request, pk)
    form = VoterClassForm(request.POST)
    if form.is_valid():
        try:
            services.voter_class_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            show_errors(request, error)
    else:
        show_errors(request, form)
    return redirect("ballots:meeting", pk=meeting.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def class_remove(request, pk: int, class_pk: int):
    meeting = _managed(request, pk)
    voter_class = get_scoped_or_404(meeting.classes.all(), pk=class_pk)
    try:
        services.voter_class_remove(actor=request.user, voter_class=voter_class)
    except ValidationError as error:
        show_errors(request, error)
    return redirect("ballots:meeting", pk=meeting.pk)


def _transition(request, pk: int, service, done: str):
    meeting = _managed(request, pk)
    try:
        result = service(actor=request.user, meeting=meeting)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, done % {"n": result} if isinstance(result, int) else done)
    return redirect("ballots:meeting", pk=meeting.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def codes_issue(request, pk: int):
    return _transition(request, pk, services.codes_issue, _("已生成 %(n)d 个票码。"))


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def voting_open(request, pk: int):
    return _transition(
        request, pk, services.voting_open, _("投票已开始。测评表、测评对象和投票人类别已锁定。")
    )


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def voting_close(request, pk: int):
    return _transition(
        request,
        pk,
        services.voting_close,
        _("投票已结束，手机票已计入。请录入纸质票（如有）并由监票人签字。"),
    )


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def tally(request, pk: int):
    return _transition(request, pk, services.meeting_tally, _("计票已确认。"))


@capability_required(Capability.MANAGE_CYCLES)
@require_GET
def archive(request, pk: int):
    """The original record of the phone ballots (原始票据) as CSV, for the file archive: for those
    who run the cycle, once voting has closed. Each download is audited with its digest and
    whether it still matches the one taken at closing."""
    meeting = _managed(request, pk)
    digest = selectors.ballot_archive_digest(meeting)
    if not meeting.results_visible or digest is None:
        raise Http404
    data = selectors.ballot_archive(meeting)
    now = hashlib.sha256(data).hexdigest()
    audit_record(actor=request.user, action="meeting.archive_download", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"sha256": now, "matches_closing": now == digest})  # fmt: skip
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{meeting.title}-原始票据-{now[:12]}.csv"
    )
    return response


def _vote_url(request, token: str) -> str:
    path = reverse("ballots:vote", args=[token])
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else request.build_absolute_uri(path)


@capability_required(Capability.MANAGE_CYCLES)
@require_GET
def slips(request, pk: int):
    """Every code of the meeting as a QR slip, to print and cut (or as .docx)."""
    meeting = _managed(request, pk)
    codes = list(meeting.codes.select_related("voter_class"))
    slips = [(code, _vote_url(request, code.token)) for code in codes]
    audit_record(actor=request.user, action="meeting.slips", target=meeting, org_path=meeting.cycle.org_path,
                 extra={"codes": len(codes), "format": request.GET.get("format", "html")})  # fmt: skip
    if request.GET.get("format") == "docx":
        data = documents.slips_docx(
            meeting=meeting, slips=[(code.voter_class.name, code.serial, url) for code, url in slips]
        )
        response = HttpResponse(data, content_type=DOCX)
        response["Content-Disposition"] = content_disposition_header(
            True, f"{meeting.title}-测评票二维码.docx"
        )
        return response
    rendered = [(code, url, mark_safe(segno.make(url, error="m").svg_inline(scale=3))) for code, url in slips]  # noqa: S308 — segno's own SVG
    return render(request, "ballots/slips.html", {"meeting": meeting, "slips": rendered})


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def screen(request, pk: int):
    """The big screen: turnout per class, refreshing by itself; results only when announced."""
    meeting = selectors.meeting_get(viewer=request.user, pk=pk)
    template = "ballots/_screen.html" if request.htmx else "ballots/screen.html"
    rows, _classes = selectors.meeting_results(meeting) if meeting.announce else ([], [])
    return render(
        request, template, {"meeting": meeting, "turnout": selectors.turnout(meeting), "rows": rows}
    )


@capability_required(Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def paper(request, pk: int, class_pk: int, entry: int):
    """One of the two entries of a class's paper count."""
    meeting = _managed(request, pk)
    voter_class = get_scoped_or_404(meeting.classes.all(), pk=class_pk)
    if entry not in (1, 2):
        raise Http404
    reporters = selectors.agenda_reporters(meeting)
    form = PaperTallyForm(request.POST or None, reporters=reporters)
    count = PaperCount.objects.filter(voter_class=voter_class).first()
    count_form = PaperCountForm(request.POST or None, prefix="count", initial=count and {
        "issued": count.issued, "returned": count.returned, "valid": count.valid, "invalid": count.invalid})  # fmt: skip
    if request.method == "POST" and form.is_valid() and count_form.is_valid():
        try:
            with transaction.atomic():
                services.paper_count_enter(
                    actor=request.user, meeting=meeting, voter_class=voter_class, **count_form.cleaned_data
                )
                services.paper_tally_enter(
                    actor=request.user,
                    meeting=meeting,
                    voter_class=voter_class,
                    entry=entry,
                    counts=form.counts(),
                )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("%(cls)s第%(n)s遍录入已保存。") % {"cls": voter_class.name, "n": "一二"[entry - 1]}
            )
            return redirect("ballots:meeting", pk=meeting.pk)
    return render(request, "ballots/paper.html", {"meeting": meeting, "voter_class": voter_class, "entry": entry,
                                                  "form": form, "count_form": count_form})  # fmt: skip


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def scrutineer_add(request, pk: int):
    meeting = _managed(request, pk)
    form = ScrutineerForm(request.POST)
    if form.is_valid():
        try:
            services.scrutineer_add(actor=request.user, meeting=meeting, name=form.cleaned_data["name"])
        except ValidationError as error:
            show_errors(request, error)
    else:
        show_errors(request, form)
    return redirect("ballots:meeting", pk=meeting.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def scrutineer_sign(request, pk: int, scrutineer_pk: int):
    meeting = _managed(request, pk)
    scrutineer = get_scoped_or_404(meeting.scrutineers.all(), pk=scrutineer_pk)
    try:
        services.scrutineer_sign(actor=request.user, scrutineer=scrutineer)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("监票人%(name)s已签字确认。") % {"name": scrutineer.name})
    return redirect("ballots:meeting", pk=meeting.pk)


@any_capability_required(Capability.COMMENT, Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def comments(request, pk: int):
    """点评: committee members comment on each reporter; the presiding secretary gives the final one."""
    meeting = selectors.meeting_get(viewer=request.user, pk=pk)
    reporters = selectors.agenda_reporters(meeting) or list(
        meeting.cycle.reporters.select_related("organization", "secretary")
    )
    form = CommentForm(request.POST or None, reporters=reporters)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reporter = next(r for r in reporters if r.pk == data["reporter"])
        try:
            services.comment_add(actor=request.user, meeting=meeting, reporter=reporter, text=data["text"],
                                 portfolio=data["portfolio"], is_final=data["is_final"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("点评已保存。"))
            return redirect("ballots:comments", pk=meeting.pk)
    existing = meeting.comments.select_related("reporter__organization", "author").order_by(
        "reporter__position", "is_final", "created_at"
    )
    return render(request, "ballots/comments.html", {"meeting": meeting, "form": form, "comments": existing})
