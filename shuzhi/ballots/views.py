import re
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
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
    CodeEntryForm,
    CodeVoidForm,
    CommentForm,
    MeetingForm,
    PaperCountForm,
    PaperTallyForm,
    SchemeClassForm,
    ScrutineerForm,
    SignCodeForm,
    VoterClassForm,
)
from shuzhi.ballots.models import CodeUse, Meeting, PaperCount, Scrutineer
from shuzhi.core.access import any_capability_required, capability_required, get_scoped_or_404
from shuzhi.core.forms import apply_service_errors, show_errors
from shuzhi.core.grades import Grade
from shuzhi.core.middleware import max_body
from shuzhi.core.roles import Capability, Role
from shuzhi.cycles import rules as cycle_rules
from shuzhi.cycles.selectors import can_manage, cycle_get

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# the anonymous ballot page takes a few marks and a 500-character suggestion: far less than this
BALLOT_MAX_BYTES = 64 * 1024

# refusals a phone may get, and the HTTP status that goes with each (a script can tell them apart)
REFUSAL_STATUS = {
    "unknown_code": 404,
    "wrong_meeting": 404,
    "used": 409,
    "voided": 410,
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


@max_body(BALLOT_MAX_BYTES)
@never_cache
@csrf_exempt  # no session here: the code in the address is the credential, unknown to other sites
@require_http_methods(["GET", "POST"])
def vote(request, token: str):
    """The phone ballot: no login; the one-time code in the address opens it."""
    address = request.META.get("REMOTE_ADDR", "")
    if services.code_misses_refused(address):
        return _code_misses_refused(request)
    if request.method == "POST":
        return _vote_cast(request, token)
    code = services.code_lookup(token)
    if code is None:
        services.code_miss_counted(address)
        return render(
            request, "ballots/vote_refused.html", {"message": _("二维码无效，请核对后重新扫码。")}, status=404
        )
    meeting = code.meeting
    if code.voided_at is not None:
        return render(
            request,
            "ballots/vote_refused.html",
            {"meeting": meeting, "message": services.VOIDED_MESSAGE},
            status=410,
        )
    if CodeUse.objects.filter(code=code).exists():
        return render(
            request,
            "ballots/vote_refused.html",
            {"meeting": meeting, "message": _("该二维码已经投过票，每个二维码只能投一次。")},
            status=409,
        )
    is_open = (
        meeting.rehearsal == Meeting.Rehearsal.OPEN
        if code.rehearsal
        else meeting.status == Meeting.Status.VOTING_OPEN
    )
    if not is_open:
        return render(
            request,
            "ballots/vote_refused.html",
            {"meeting": meeting, "message": services.closed_message(meeting, rehearsal=code.rehearsal)},
            status=403,
        )
    return render(
        request, "ballots/vote.html", _form_context(meeting, code.voter_class, rehearsal=code.rehearsal)
    )


@never_cache
@csrf_exempt  # no session: the typed code is the credential, as in the QR code's address
@require_http_methods(["GET", "POST"])
def vote_enter(request):
    """Type the short code printed on the slip (for a phone that cannot scan): it opens the
    ballot at the same address the QR code holds. The code goes in the body, never in a query
    string, so it reaches no access log; the address it leads to is masked there."""
    address = request.META.get("REMOTE_ADDR", "")
    if request.method == "POST" and services.code_misses_refused(address):
        # before the code is looked up: past the limit a good code is not told from a bad one
        return _code_misses_refused(request)
    form = CodeEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = services.code_normalise(form.cleaned_data["code"])
        if services.code_lookup(token) is not None:
            return redirect("ballots:vote", token=token)
        services.code_miss_counted(address)
        form.add_error("code", _("没有这个票码，请核对票签上的 10 位票码（字母不分大小写）。"))
    return render(request, "ballots/vote_enter.html", {"form": form}, status=400 if form.errors else 200)


def _code_misses_refused(request):
    """429 to an address that sent too many codes matching no slip (services.code_misses_refused)."""
    return render(
        request, "ballots/vote_refused.html", {"message": services.code_misses_message()}, status=429
    )


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
            services.code_miss_counted(request.META.get("REMOTE_ADDR", ""))
            return render(request, "ballots/vote_refused.html", {"message": error.messages[0]}, status=404)
        if status != 400:
            return render(
                request,
                "ballots/vote_refused.html",
                {"meeting": code.meeting, "message": error.messages[0]},
                status=status,
            )
        meeting = code.meeting
        faults = rules.ballot_faults(
            grades, agenda=meeting.agenda, max_good_count=meeting.max_good_count,
            max_good_percent=meeting.max_good_percent, items=len(meeting.items), item_max=meeting.item_max,
            scores=scores, suggestion=suggestion if meeting.allow_suggestion else "",
        )  # fmt: skip
        context = _form_context(
            meeting, code.voter_class, grades=grades, scores=scores, faults=faults, rehearsal=code.rehearsal
        )
        context.update(
            errors=error.messages, suggestion=suggestion, suggestion_error=faults.get("suggestion")
        )
        return render(request, "ballots/vote.html", context, status=400)
    return redirect("ballots:thanks")


def _form_context(
    meeting: Meeting,
    voter_class,
    *,
    grades: dict[int, str] | None = None,
    scores: dict[int, list[object]] | None = None,
    faults: dict[str, str] | None = None,
    rehearsal: bool = False,
) -> dict:
    """The phone form; sent back, it keeps every grade, item score and the suggestion as entered,
    and marks each field at fault with its reason."""
    reporters = selectors.agenda_reporters(meeting)
    grades, scores, faults = grades or {}, scores or {}, faults or {}
    cards = []
    for reporter in reporters:
        entered = scores.get(reporter.pk) or []
        cards.append({
            "reporter": reporter,
            "chosen": grades.get(reporter.pk, ""),
            "grade_error": faults.get(f"grade_{reporter.pk}", ""),
            "items": [
                {"index": i, "name": name, "value": "" if i >= len(entered) else entered[i],
                 "error": faults.get(f"score_{reporter.pk}_{i}", "")}
                for i, name in enumerate(meeting.items)
            ],
        })  # fmt: skip
    return {
        "meeting": meeting,
        "voter_class": voter_class,
        "reporters": reporters,
        "cards": cards,
        "rehearsal": rehearsal,
        "grades": Grade.choices,
        "good_limit": rules.good_limit(len(reporters), meeting.max_good_count, meeting.max_good_percent),
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
    classes = list(
        meeting.classes.annotate(
            codes_made=Count("codes", filter=Q(codes__voided_at__isnull=True, codes__rehearsal=False)),
            codes_voided=Count("codes", filter=Q(codes__voided_at__isnull=False, codes__rehearsal=False)),
        )
    )
    tally_shown = selectors.tally_open_to(request.user, meeting)
    rows, _classes = selectors.meeting_results(meeting) if tally_shown else ([], [])
    rehearsal_rows, _classes = selectors.rehearsal_results(meeting)
    scheme_classes = cycle_rules.scheme_classes(meeting.cycle.scheme or {})
    context = {
        "tally_shown": tally_shown,
        "archive_digest": selectors.ballot_archive_digest(meeting) if manage else None,
        "meeting": meeting,
        "cycle": meeting.cycle,
        "manage": manage,
        "classes": classes,
        "scheme_classes": scheme_classes,
        "scheme_class_problems": services.scheme_class_problems(meeting, classes)
        if manage and classes and meeting.status == Meeting.Status.PREPARED
        else [],
        "codes_missing": any(c.codes_made < c.ballots for c in classes),
        "turnout": selectors.turnout(meeting),
        "class_form": VoterClassForm(
            scheme_classes=scheme_classes,
            initial={
                "scheme_class": next(
                    (n for n in scheme_classes if n not in {c.scheme_class for c in classes}), ""
                )
            },
        ),
        "scrutineers": list(meeting.scrutineers.select_related("user")),
        "scrutineer_form": ScrutineerForm(),
        "void_form": CodeVoidForm(),
        "voided": sum(c.codes_voided for c in classes),
        "paper_counts": services.paper_counts_agreed(meeting),
        "paper_problems": services.paper_problems(meeting)
        if meeting.status == Meeting.Status.VOTING_CLOSED
        else [],
        "rows": rows,
        "rehearsal_rows": rehearsal_rows,
        "final_comment": meeting.comments.filter(is_final=True).select_related("author").first()
        if rows
        else None,
        "screen_url": request.build_absolute_uri(reverse("ballots:display", args=[meeting.screen_token]))
        if manage and meeting.screen_token
        else "",
    }
    return render(request, "ballots/meeting.html", context)


@capability_required(Capability.MANAGE_CYCLES)
@require_GET
def suggestions(request, pk: int):
    """The 意见建议 of the phone ballots, for those who run the meeting, after voting has closed;
    apart from any grades."""
    meeting = _managed(request, pk)
    texts = services.suggestions_read(actor=request.user, meeting=meeting)
    return render(request, "ballots/suggestions.html", {"meeting": meeting, "suggestions": texts})


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def class_add(request, pk: int):
    meeting = _managed(request, pk)
    form = VoterClassForm(request.POST, scheme_classes=cycle_rules.scheme_classes(meeting.cycle.scheme or {}))
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
def class_point(request, pk: int, class_pk: int):
    """Set which class of the scheme a voter class counts under."""
    meeting = _managed(request, pk)
    voter_class = get_scoped_or_404(meeting.classes.all(), pk=class_pk)
    form = SchemeClassForm(
        request.POST, scheme_classes=cycle_rules.scheme_classes(meeting.cycle.scheme or {})
    )
    if form.is_valid():
        try:
            services.voter_class_point(
                actor=request.user, voter_class=voter_class, scheme_class=form.cleaned_data["scheme_class"]
            )
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("已保存%(cls)s计入的类别。") % {"cls": voter_class.name})
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
def rehearsal_start(request, pk: int):
    return _transition(
        request,
        pk,
        services.rehearsal_start,
        _("彩排已开始：已生成 %(n)d 张测试票签，测试票不计入正式结果。"),
    )


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def rehearsal_close(request, pk: int):
    return _transition(request, pk, services.rehearsal_close, _("彩排投票已结束，可查看测试计票结果。"))


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def rehearsal_clear(request, pk: int):
    meeting = _managed(request, pk)
    try:
        cleared = services.rehearsal_clear(actor=request.user, meeting=meeting)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            _("彩排数据已全部清除（测试票 %(b)d 张、测试票签 %(c)d 张），可以开始正式投票。")
            % {"b": cleared["test_ballots"], "c": cleared["test_codes"]},
        )
    return redirect("ballots:meeting", pk=meeting.pk)


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
    data, now = services.ballot_archive_download(actor=request.user, meeting=meeting, digest=digest)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{meeting.title}-原始票据-{now[:12]}.csv"
    )
    return response


def ballot_base_url(request) -> str:
    """The address the phones reach: SHUZHI_BALLOT_BASE_URL, else SHUZHI_SITE_URL, else the one
    the slips are printed from."""
    return settings.BALLOT_BASE_URL or settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


@capability_required(Capability.MANAGE_CYCLES)
@require_GET
def slips(request, pk: int):
    """Every valid code of the meeting as a slip, to print and cut (or as .docx), in a random
    order, each with its QR code and short code; the count number is on the stub only, which the
    organisers keep. `?serial=n` prints one slip (a replacement)."""
    meeting = _managed(request, pk)
    rehearsal = request.GET.get("rehearsal") == "1"
    codes = meeting.codes.filter(voided_at__isnull=True, rehearsal=rehearsal).select_related("voter_class")
    one = request.GET.get("serial", "")
    if one:
        codes = codes.filter(serial=int(one) if one.isdecimal() else -1)
    codes = services.shuffled(codes)
    base = ballot_base_url(request)
    enter = f"{base}{reverse('ballots:vote_enter')}"
    slips = [(code, f"{base}{reverse('ballots:vote', args=[code.token])}") for code in codes]
    services.slips_printed(actor=request.user, meeting=meeting, codes=len(codes),
                           format=request.GET.get("format", "html"), serial=one, rehearsal=rehearsal)  # fmt: skip
    if request.GET.get("format") == "docx":
        data = documents.slips_docx(
            meeting=meeting,
            enter=enter,
            slips=[(code.voter_class.name, code.serial, url, code.short_code) for code, url in slips],
            rehearsal=rehearsal,
        )
        response = HttpResponse(data, content_type=DOCX)
        response["Content-Disposition"] = content_disposition_header(
            True, f"{meeting.title}-测评票二维码.docx"
        )
        return response
    rendered = [(code, url, mark_safe(segno.make(url, error="m").svg_inline(scale=3))) for code, url in slips]  # noqa: S308 — segno's own SVG
    return render(request, "ballots/slips.html", {"meeting": meeting, "slips": rendered, "enter": enter, "base": base,
                                                  "loopback": _loopback(base), "one": one, "rehearsal": rehearsal})  # fmt: skip


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def code_void(request, pk: int):
    """Void a lost or spoiled slip and issue a new one, printed at once."""
    meeting = _managed(request, pk)
    form = CodeVoidForm(request.POST)
    if form.is_valid():
        try:
            new = services.code_void(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(
                request,
                _("原票签已作废，已补发一张%(cls)s票签，请打印后发放。") % {"cls": new.voter_class.name},
            )
            return redirect(f"{reverse('ballots:slips', args=[meeting.pk])}?serial={new.serial}")
    else:
        show_errors(request, form)
    return redirect("ballots:meeting", pk=meeting.pk)


@capability_required(Capability.VIEW_CYCLES)
@require_GET
def screen(request, pk: int):
    """The big screen: turnout per class, refreshing by itself; results only when announced."""
    meeting = selectors.meeting_get(viewer=request.user, pk=pk)
    template = "ballots/_screen.html" if request.htmx else "ballots/screen.html"
    rows = selectors.screen_rows(meeting)
    return render(
        request, template, {"meeting": meeting, "turnout": selectors.turnout(meeting), "rows": rows}
    )


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def screen_link(request, pk: int):
    """Make (or renew) the big screen's display link, or revoke it."""
    meeting = _managed(request, pk)
    active = request.POST.get("action") != "revoke"
    services.screen_link_set(actor=request.user, meeting=meeting, active=active)
    messages.success(request, _("大屏幕链接已生成，旧链接随即失效。") if active else _("大屏幕链接已作废。"))
    return redirect("ballots:meeting", pk=meeting.pk)


@never_cache
@require_GET
def display(request, token: str):
    """The big screen on its display link: no sign-in, read-only, nothing but the screen. It
    refreshes by itself without touching anyone's session."""
    meeting = selectors.meeting_by_screen_token(token)
    if meeting is None:
        raise Http404
    template = "ballots/_screen.html" if request.htmx else "ballots/display.html"
    rows = selectors.screen_rows(meeting)
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
    count = PaperCount.objects.filter(voter_class=voter_class, entry=entry).first()
    count_form = PaperCountForm(request.POST or None, prefix="count", initial=count and {
        "issued": count.issued, "returned": count.returned, "valid": count.valid, "invalid": count.invalid})  # fmt: skip
    if request.method == "POST" and form.is_valid() and count_form.is_valid():
        try:
            services.paper_enter(actor=request.user, meeting=meeting, voter_class=voter_class, entry=entry,
                                 counts=form.counts(), **count_form.cleaned_data)  # fmt: skip
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
            services.scrutineer_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            show_errors(request, error)
    else:
        show_errors(request, form)
    return redirect("ballots:meeting", pk=meeting.pk)


@capability_required(Capability.MANAGE_CYCLES)
@require_POST
def scrutineer_code(request, pk: int, scrutineer_pk: int):
    """Make a one-time sign-off code for a scrutineer and show it once, to print or hand over."""
    meeting = _managed(request, pk)
    scrutineer = get_scoped_or_404(meeting.scrutineers.all(), pk=scrutineer_pk)
    try:
        code = services.scrutineer_code_issue(actor=request.user, scrutineer=scrutineer)
    except ValidationError as error:
        show_errors(request, error)
        return redirect("ballots:meeting", pk=meeting.pk)
    sign = request.build_absolute_uri(reverse("ballots:sign_with_code"))
    response = render(request, "ballots/scrutineer_code.html",
                      {"meeting": meeting, "scrutineer": scrutineer, "code": code, "sign": sign})  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response


def _sheet_context(meeting: Meeting) -> dict:
    sheet = services.count_sheet(meeting)
    return {
        "meeting": meeting,
        "sheet": sheet,
        "digest": services.count_sheet_digest(sheet),
        "problems": services.paper_problems(meeting)
        if meeting.status == Meeting.Status.VOTING_CLOSED
        else [],
        "scrutineers": list(meeting.scrutineers.select_related("user")),
        "grades": [g.label for g in Grade],
    }


@login_required
@require_GET
def count_sheet(request, pk: int):
    """The printable 计票单: what the scrutineers sign. For those who run the meeting, and for the
    meeting's scrutineers from their own accounts (who sign here)."""
    mine = (
        Scrutineer.objects.filter(meeting_id=pk, user=request.user).select_related("meeting__cycle").first()
    )
    meeting = mine.meeting if mine is not None else _managed(request, pk)
    if not meeting.results_visible:
        raise Http404
    context = _sheet_context(meeting)
    context["mine"] = mine
    return render(request, "ballots/count_sheet.html", context)


@login_required
@require_POST
def scrutineer_sign(request, pk: int, scrutineer_pk: int):
    """A scrutineer signs the count sheet from their own account."""
    scrutineer = get_scoped_or_404(
        Scrutineer.objects.filter(meeting_id=pk).select_related("meeting"), pk=scrutineer_pk
    )
    try:
        services.scrutineer_sign(actor=request.user, scrutineer=scrutineer)
    except ValidationError as error:
        if error.error_list[0].code == "not_the_scrutineer":
            raise PermissionDenied(error.messages[0]) from error
        show_errors(request, error)
    else:
        messages.success(request, _("监票人%(name)s已签字确认。") % {"name": scrutineer.name})
    return redirect("ballots:count_sheet", pk=pk)


@require_http_methods(["GET", "POST"])
def sign_with_code(request):
    """A scrutineer without an account signs with the one-time code handed to them: the code
    first shows the count sheet, then they confirm."""
    address = request.META.get("REMOTE_ADDR", "")
    if request.method == "POST" and services.code_misses_refused(address):
        response = _code_misses_refused(request)
        response["Cache-Control"] = "no-store"
        return response
    form = SignCodeForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        scrutineer = services.scrutineer_for_code(code)
        if scrutineer is None:
            services.code_miss_counted(address)
            form.add_error("code", _("签字码无效或已经用过，请向会务人员核对。"))
        elif request.POST.get("confirm") == "1":
            try:
                scrutineer = services.scrutineer_sign_with_code(code=code)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return render(request, "ballots/sign_done.html", {"scrutineer": scrutineer})
        if scrutineer is not None and scrutineer.meeting.results_visible:
            context.update(_sheet_context(scrutineer.meeting), scrutineer=scrutineer, code=code)
    response = render(request, "ballots/sign_with_code.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response


@any_capability_required(Capability.COMMENT, Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def comments(request, pk: int):
    """点评: committee members comment on each reporter, the presiding secretary on the whole
    meeting; a clerk of the organisation department types them under the member who made them.
    Locked once the count is confirmed."""
    meeting = selectors.meeting_get(viewer=request.user, pk=pk)
    reporters = selectors.agenda_reporters(meeting) or list(
        meeting.cycle.reporters.select_related("organization", "secretary")
    )
    authors = [(request.user, _("本人（%(name)s）") % {"name": request.user.full_name})]
    if request.user.role == Role.ORGANISER and request.user.organization_id == meeting.cycle.organization_id:
        authors += [(m, m.full_name) for m in services.committee_members(meeting) if m.pk != request.user.pk]
    locked = meeting.status == Meeting.Status.TALLIED
    form = CommentForm(request.POST or None, reporters=reporters, authors=authors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reporter = next((r for r in reporters if r.pk == data["reporter"]), None)
        author = next((user for user, _label in authors if user.pk == data["author"]), request.user)
        try:
            services.comment_add(actor=request.user, meeting=meeting, reporter=reporter, text=data["text"],
                                 portfolio=data["portfolio"], is_final=data["is_final"], author=author)  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("点评已保存。"))
            return redirect("ballots:comments", pk=meeting.pk)
    existing = meeting.comments.select_related("reporter__organization", "author", "entered_by").order_by(
        "-is_final", "reporter__position", "created_at"
    )
    return render(request, "ballots/comments.html",
                  {"meeting": meeting, "form": form, "comments": existing, "locked": locked},
                  status=400 if form.errors else 200)  # fmt: skip
