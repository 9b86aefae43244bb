import secrets
from decimal import Decimal
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.core.access import capability_required, get_scoped_or_404
from shuzhi.core.forms import apply_service_errors, show_errors
from shuzhi.core.roles import Capability
from shuzhi.members.models import Member
from shuzhi.records import ledger, rules, selectors, services
from shuzhi.records.forms import (
    CommitmentForm,
    DecisionForm,
    DuesAccountForm,
    DuesBandForm,
    DuesPaymentForm,
    ExemptionForm,
    LedgerForm,
    MeetingForm,
    PointsItemForm,
    RequirementForm,
    ReviewForm,
    SchemeForm,
    SchemePartFormSet,
    WithdrawForm,
)
from shuzhi.records.models import (
    Attachment,
    Commitment,
    DuesAccount,
    DuesBand,
    EvaluationGrade,
    EvaluationRound,
    EvaluationUse,
    Kind,
    PointsExemption,
    PointsItem,
    Requirement,
)

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf"}
BRANCHES_PER_PAGE = 50


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _headline(year: int, rollup, today) -> dict | None:
    """In a running year the last ended quarter speaks for the subtree (the year cannot be
    complete before December is over); None once the year has ended, or before a quarter has."""
    due = rules.quarters_due(year, today)
    if due >= 4 or due == 0:
        return None
    met = rollup.quarters[due - 1]
    return {"quarter": due, "met": met, "share": rules.share(met, rollup.branches)}


def _quarters(year: int, completion, today) -> list[dict]:
    """Each quarter of a branch's year as shown: 达标, 未达标 (ended, short), 进行中, 未开始."""
    due = rules.quarters_due(year, today)
    current = rules.quarter_of(today) if today.year == year else None
    out = []
    for q in rules.QUARTERS:
        met = bool(completion and completion.quarter(q))
        if met:
            state = "met"
        elif q <= due:
            state = "missed"
        elif q == current:
            state = "open"
        else:
            state = "future"
        out.append({"q": q, "state": state})
    return out


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def index(request):
    return redirect("records:org", pk=request.user.organization_id)


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def org(request, pk: int):
    """A branch's year (its quarters, requirements and records), or for a higher organisation the
    share of its branches that met their frequencies, child by child."""
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    year = _year(request)
    today = timezone.localdate()
    context = {"org": organization, "year": year, "years": range(today.year, today.year - 4, -1),
               "may_keep": request.user.can(Capability.KEEP_RECORDS), "yearqs": f"year={year}"}  # fmt: skip
    meetings = selectors.branch_meetings(org=organization, year=year)
    context["meetings"] = Paginator(meetings, 50).get_page(request.GET.get("page"))
    if organization.kind == selectors.BRANCH:
        completion = selectors.completions(orgs=[organization], year=year).get(organization.pk)
        due = rules.quarters_due(year, today)
        context.update(completion=completion, quarters=_quarters(year, completion, today), running=due < 4,
                       missing=completion.missing_due(due) if completion else [],
                       requirements=selectors.requirements())  # fmt: skip
        return render(request, "records/branch.html", context)
    per_child = selectors.children_rollup(org=organization, year=year)
    # the subtree is its children's subtrees (an organisation above branches is never one itself)
    summary = (
        selectors.Rollup.total([r for _child, r in per_child])
        if per_child
        else selectors.rollup(org=organization, year=year)
    )
    headline = _headline(year, summary, today)
    children = []
    for child, r in per_child:
        met = r.quarters[headline["quarter"] - 1] if headline else r.met
        children.append((child, r.branches, met, rules.share(met, r.branches)))
    context.update(
        rollup=summary, headline=headline, running=rules.quarters_due(year, today) < 4, children=children
    )
    return render(request, "records/org.html", context)


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def org_panel(request, pk: int):
    """The panel on the organisation page (orgs.hooks): this year's completion."""
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    year = _year(request)
    today = timezone.localdate()
    context = {"org": organization, "year": year}
    if organization.kind == selectors.BRANCH:
        completion = selectors.completions(orgs=[organization], year=year).get(organization.pk)
        context.update(completion=completion, quarters=_quarters(year, completion, today))
    else:
        summary = selectors.rollup(org=organization, year=year)
        context.update(rollup=summary, headline=_headline(year, summary, today))
    return render(request, "records/_panel.html", context)


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def branches(request, pk: int):
    """The branches behind a roll-up (and behind the assessment's figure): met or not, why not."""
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    year = _year(request)
    status = request.GET.get("status", "")
    status = status if status in (selectors.STATUS_MET, selectors.STATUS_MISSED) else ""
    query = request.GET.get("q", "").strip()[:50]
    page = Paginator(selectors.branches(org=organization, year=year, status=status, query=query),
                     BRANCHES_PER_PAGE).get_page(request.GET.get("page"))  # fmt: skip
    done = selectors.completions(orgs=list(page.object_list), year=year)
    rows = [(branch, done.get(branch.pk)) for branch in page.object_list]
    qs = urlencode({"year": year, "status": status, "q": query})
    return render(request, "records/branches.html", {"org": organization, "year": year, "status": status,
                                                      "query": query, "qs": qs, "page": page, "rows": rows,
                                                      "running": rules.quarters_due(year, timezone.localdate()) < 4})  # fmt: skip


@capability_required(Capability.KEEP_RECORDS)
@require_http_methods(["GET", "POST"])
def meeting_new(request, pk: int):
    organization = selectors.organization_get(viewer=request.user, pk=pk, keep=True)
    kinds = selectors.kinds_for(organization)
    roster = selectors.roster(organization)
    secretary = organization.secretary.name if organization.secretary else ""
    form = MeetingForm(request.POST or None, request.FILES or None, kinds=kinds, roster=roster,
                       secretary_name=secretary, initial={"kind": request.GET.get("kind", kinds[0][0])})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_record(
                actor=request.user, organization=organization, kind=data["kind"], held_on=data["held_on"],
                topic=data["topic"], host=data["host"], teacher=data["teacher"], minutes=data["minutes"],
                marks=form.marks(), files=data["files"],
            )  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已记录%(kind)s“%(topic)s”。")
                % {"kind": meeting.get_kind_display(), "topic": meeting.topic},
            )
            return redirect("records:org", pk=organization.pk)
    return render(
        request, "records/meeting_form.html", {"org": organization, "form": form, "secretary": secretary}
    )


@capability_required(Capability.VIEW_RECORDS)
@require_http_methods(["GET", "POST"])
def meeting(request, pk: int):
    found = selectors.meeting_get(viewer=request.user, pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST":
        if not request.user.can(Capability.KEEP_RECORDS):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.meeting_withdraw(
                    actor=request.user, meeting=found, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                show_errors(request, error)
            else:
                messages.success(request, _("已撤销该记录。"))
                return redirect("records:org", pk=found.organization_id)
    attendance = list(
        found.attendance.select_related("member")
        .only("present", "absence", "note", "member__name")
        .order_by("member__name", "member_id")
    )
    return render(request, "records/meeting.html", {
        "meeting": found, "attendance": attendance, "attachments": list(found.attachments.all()),
        "form": form, "may_keep": request.user.can(Capability.KEEP_RECORDS),
    })  # fmt: skip


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def attachment(request, pk: int, attachment_pk: int):
    found = selectors.meeting_get(viewer=request.user, pk=pk)
    file = get_scoped_or_404(Attachment.objects.filter(meeting=found), pk=attachment_pk)
    response = FileResponse(file.file.open("rb"), as_attachment=file.kind == "pdf", filename=file.original_name,
                            content_type=CONTENT_TYPES.get(file.kind, "application/octet-stream"))  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def mine(request):
    """A member's own record: the meetings of their branch, attended or not. Only themself."""
    if not request.user.member_id:
        raise PermissionDenied
    year = _year(request)
    rows = list(selectors.member_attendance(member_id=request.user.member_id, year=year))
    attended = sum(row.present for row in rows)
    today = timezone.localdate()
    dues = selectors.member_dues(member_id=request.user.member_id, year=year, today=today)
    own = list(Commitment.objects.filter(member_id=request.user.member_id, year=year).order_by("id"))
    member = Member.objects.get(pk=request.user.member_id)
    _scheme, scored, total = selectors.member_points(member=member, year=year, today=today)
    round_ = EvaluationRound.objects.filter(org_path=member.org_path, year=year).first()
    outcome = round_.decisions.filter(member=member).first() if round_ else None
    own_self = round_.self_assessments.filter(member=member).first() if round_ else None
    return render(request, "records/mine.html", {"rows": rows, "year": year, "attended": attended, "dues": dues,
                                                 "commitments": own, "commitment_form": CommitmentForm(),
                                                 "scored": scored, "total": total, "round": round_,
                                                 "outcome": outcome, "own_self": own_self,
                                                 "months": range(1, 13),
                                                 "years": range(today.year, today.year - 4, -1),
                                                 "kinds": dict(Kind.choices)})  # fmt: skip


@capability_required(Capability.VIEW_RECORDS)
@require_http_methods(["GET", "POST"])
def dues(request, pk: int):
    """The branch's dues: each member's amount, the months paid, arrears flagged; the keeper
    records a month's payments by ticking who paid."""
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    if organization.kind != selectors.BRANCH:
        if request.method == "POST":
            raise Http404
        return _dues_rollup(request, organization)
    may_keep = request.user.can(Capability.KEEP_RECORDS)
    if request.method == "POST" and not may_keep:
        raise PermissionDenied
    year = _year(request)
    today = timezone.localdate()
    form = DuesPaymentForm(request.POST or None, roster=selectors.roster(organization))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = services.dues_payments_record(actor=request.user, organization=organization, month=data["month"],
                                                  member_ids=data["members"], paid_on=data["paid_on"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已登记 %(n)d 名党员 %(month)s 的党费。") % {"n": count, "month": f"{data['month']:%Y-%m}"},
            )
            return redirect(f"{reverse('records:dues', args=[organization.pk])}?year={data['month'].year}")
    rows = selectors.dues_sheet(org=organization, year=year, today=today)
    return render(request, "records/dues.html", {
        "org": organization, "year": year, "years": range(today.year, today.year - 4, -1), "rows": rows,
        "form": form, "may_keep": may_keep, "months": range(1, 13),
        "flagged": sum(1 for r in rows if r.arrears and r.arrears.flagged),
        "unset": sum(1 for r in rows if r.account is None),
    })  # fmt: skip


def _dues_rollup(request, organization):
    """Above the branch: each child's counts (members, unset, exempt, owing, flagged, collected),
    never a name."""
    year = _year(request)
    today = timezone.localdate()
    per_child, whole = selectors.dues_rollup(org=organization, year=year, today=today)
    return render(request, "records/dues_rollup.html", {
        "org": organization, "year": year, "years": range(today.year, today.year - 4, -1),
        "children": per_child, "whole": whole,
    })  # fmt: skip


@capability_required(Capability.KEEP_RECORDS)
@require_http_methods(["GET", "POST"])
def dues_account(request, pk: int, member_pk: int):
    organization = selectors.organization_get(viewer=request.user, pk=pk, keep=True)
    member = get_scoped_or_404(selectors.roster(organization).only("id", "name", "category", "org_path", "organization"),
                               pk=member_pk)  # fmt: skip
    year = _year(request)
    account = DuesAccount.objects.filter(member=member, year=year).first()
    initial = {"base": account.base, "exempt_reason": account.exempt_reason} if account else {}
    form = DuesAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.dues_account_set(actor=request.user, member=member, year=year,
                                                base=form.cleaned_data["base"],
                                                exempt_reason=form.cleaned_data["exempt_reason"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已核定%(name)s %(year)d 年党费：每月 %(amount)s 元。") % {
                "name": member.name, "year": year, "amount": account.amount})  # fmt: skip
            return redirect(f"{reverse('records:dues', args=[organization.pk])}?year={year}")
    return render(request, "records/dues_account.html", {"org": organization, "member": member, "year": year,
                                                         "form": form, "account": account})  # fmt: skip


@capability_required(Capability.KEEP_RECORDS)
@require_http_methods(["GET", "POST"])
def meetings_import(request, pk: int):
    """The branch's own Excel 台账, read at once (a branch's year is a few dozen rows)."""
    organization = selectors.organization_get(viewer=request.user, pk=pk, keep=True)
    form = LedgerForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.meetings_import(
                actor=request.user, organization=organization, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            problems = error.messages
        else:
            text = _("已导入 %(n)d 条记录。") % {"n": result.created}
            if result.duplicates:
                text += _("%(n)d 条与已有记录相同（日期、类型、主题一致），未重复导入。") % {
                    "n": result.duplicates
                }
            messages.success(request, text + result.note)
            return redirect("records:org", pk=organization.pk)
    columns = [
        (header, "、".join(others[:4]), key in ledger.REQUIRED)
        for key, (header, others) in ledger.COLUMNS.items()
    ]
    return render(request, "records/import.html", {"org": organization, "form": form, "problems": problems,
                                                   "columns": columns})  # fmt: skip


@capability_required(Capability.VIEW_RECORDS)
@require_http_methods(["GET", "POST"])
def commitments(request, pk: int):
    """承诺践诺 of a branch: each member's commitments of the year; the keeper writes them for a
    member and finds them kept or not."""
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    if organization.kind != selectors.BRANCH:
        raise Http404
    year = _year(request)
    may_keep = request.user.can(Capability.KEEP_RECORDS)
    if request.method == "POST":
        if not may_keep:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "add":
                member = get_scoped_or_404(selectors.roster(organization).only("id", "name", "org_path", "organization"),
                                           pk=request.POST.get("member"))  # fmt: skip
                form = CommitmentForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors["text"])
                services.commitment_add(
                    actor=request.user, member=member, year=year, text=form.cleaned_data["text"]
                )
            elif action == "review":
                found = get_scoped_or_404(
                    Commitment.objects.filter(org_path=organization.path), pk=request.POST.get("commitment")
                )
                form = ReviewForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("请选择践诺情况。"))
                services.commitment_review(actor=request.user, commitment=found, status=form.cleaned_data["status"],
                                           note=form.cleaned_data["note"])  # fmt: skip
            else:
                raise ValidationError(_("未知的操作。"))
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("已保存。"))
        return redirect(f"{reverse('records:commitments', args=[organization.pk])}?year={year}")
    today = timezone.localdate()
    by_member = selectors.commitments_of(org=organization, year=year)
    rows = [(member, by_member.get(member.pk, [])) for member in selectors.roster(organization)]
    return render(request, "records/commitments.html", {
        "org": organization, "year": year, "years": range(today.year + 1, today.year - 3, -1), "rows": rows,
        "may_keep": may_keep, "review_form": ReviewForm(), "statuses": Commitment.Status,
    })  # fmt: skip


@login_required
@require_POST
def mine_commitment(request):
    """A member writes their own commitment for the year."""
    if not request.user.member_id:
        raise PermissionDenied
    year = _year(request)
    form = CommitmentForm(request.POST)
    member = Member.objects.select_related("organization").get(pk=request.user.member_id)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["text"])
        services.commitment_add(actor=request.user, member=member, year=year, text=form.cleaned_data["text"])
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已添加承诺。"))
    return redirect(f"{reverse('records:mine')}?year={year}")


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def points(request, pk: int):
    """A branch's points of the year: its keeper sees the members one by one (in the roster's
    order, never ranked); anyone else only how many fall in each band."""
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    year = _year(request)
    today = timezone.localdate()
    if organization.kind != selectors.BRANCH:
        per_child, whole = selectors.points_rollup(org=organization, year=year, today=today)
        return render(request, "records/points_rollup.html", {
            "org": organization, "year": year, "years": range(today.year, today.year - 4, -1),
            "children": per_child, "distribution": whole,
            "may_set_scheme": services.may_set_scheme(request.user, organization),
        })  # fmt: skip
    scheme = selectors.scheme_for(organization)
    parts = scheme.parts if scheme else list(rules.DEFAULT_SCHEME)
    years = selectors.points_years(org=organization, year=year, today=today)
    totals = {
        mid: sum((p.points for p in rules.member_points(parts, data)), Decimal(0))
        for mid, data in years.items()
    }
    may_keep = selectors.keeps_members_of(request.user, organization)
    rows = [(m, totals.get(m.pk, Decimal(0))) for m in selectors.roster(organization)] if may_keep else []
    return render(request, "records/points.html", {
        "org": organization, "year": year, "years": range(today.year, today.year - 4, -1), "scheme": scheme,
        "parts": parts, "rows": rows, "may_keep": may_keep, "distribution": rules.distribution(totals.values()),
        "may_set_scheme": services.may_set_scheme(request.user, organization),
    })  # fmt: skip


@capability_required(Capability.KEEP_RECORDS)
@require_http_methods(["GET", "POST"])
def points_member(request, pk: int, member_pk: int):
    organization = selectors.organization_get(viewer=request.user, pk=pk, keep=True)
    if not selectors.keeps_members_of(request.user, organization):
        raise PermissionDenied  # a keeper above the branch sees its distribution only
    member = get_scoped_or_404(
        selectors.roster(organization).only("id", "name", "org_path", "organization"), pk=member_pk
    )
    year = _year(request)
    today = timezone.localdate()
    scheme = selectors.scheme_for(organization)
    parts = scheme.parts if scheme else list(rules.DEFAULT_SCHEME)
    exemption = PointsExemption.objects.filter(member=member, year=year).first()
    item_form = PointsItemForm(request.POST if request.POST.get("action") == "item" else None, parts=parts)
    exempt_form = ExemptionForm(request.POST if request.POST.get("action") == "exempt" else None,
                                initial={"reason": exemption.reason if exemption else ""})  # fmt: skip
    if request.method == "POST":
        form = item_form if request.POST.get("action") == "item" else exempt_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is item_form:
                    services.points_item_add(actor=request.user, member=member, year=year, part=data["part"],
                                             points=data["points"], reason=data["reason"], parts=parts)  # fmt: skip
                else:
                    services.points_exemption_set(
                        actor=request.user, member=member, year=year, reason=data["reason"]
                    )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect(
                    f"{reverse('records:points_member', args=[organization.pk, member.pk])}?year={year}"
                )
    _scheme, scored, total = selectors.member_points(member=member, year=year, today=today)
    items = PointsItem.objects.filter(member=member, year=year).select_related("given_by").order_by("id")
    return render(request, "records/points_member.html", {
        "org": organization, "member": member, "year": year, "scored": scored, "total": total, "items": items,
        "item_form": item_form, "exempt_form": exempt_form, "exemption": exemption,
    })  # fmt: skip


@capability_required(Capability.KEEP_RECORDS)
@require_POST
def dues_import(request, pk: int):
    """The branch's 党费收缴台账 of a year, read at once; refusals come back as messages."""
    organization = selectors.organization_get(viewer=request.user, pk=pk, keep=True)
    year = _year(request)
    form = LedgerForm(request.POST, request.FILES)
    if not form.is_valid():
        show_errors(request, form)
    else:
        try:
            payments, accounts = services.dues_import(actor=request.user, organization=organization, year=year,
                                                      upload=form.cleaned_data["file"])  # fmt: skip
        except ValidationError as error:
            messages.error(request, _("没有导入任何记录，请改正后重新上传："))
            show_errors(request, error)
        else:
            messages.success(request, _("已导入交纳记录 %(n)d 笔，核定基数 %(k)d 人（已登记的月份不重复导入）。")
                             % {"n": payments, "k": accounts})  # fmt: skip
    return redirect(f"{reverse('records:dues', args=[organization.pk])}?year={year}")


# ---- 民主评议党员 --------------------------------------------------------------------------------
@capability_required(Capability.VIEW_RECORDS)
@require_http_methods(["GET", "POST"])
def evaluation(request, pk: int):
    """The branch's 民主评议 of a year. Its keeper opens it, hands out the codes, closes it and
    decides member by member; anyone above sees only the counts of the decisions."""
    organization = selectors.organization_get(viewer=request.user, pk=pk)
    if organization.kind != selectors.BRANCH:
        raise Http404
    year = _year(request)
    # the evaluation is the branch's own: its keepers run it and see member by member
    may_keep = selectors.keeps_members_of(request.user, organization)
    round_ = EvaluationRound.objects.filter(organization=organization, year=year).first()
    here = f"{reverse('records:evaluation', args=[organization.pk])}?year={year}"
    if request.method == "POST":
        if not may_keep:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "open":
                services.evaluation_open(actor=request.user, organization=organization, year=year)
            elif action == "close" and round_:
                services.evaluation_close(actor=request.user, round_=round_)
            elif action == "decide" and round_:
                member = get_scoped_or_404(selectors.roster(organization), pk=request.POST.get("member"))
                form = DecisionForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(
                        [f"{member.name}：{m}" for errors in form.errors.values() for m in errors]
                    )
                services.evaluation_decide(
                    actor=request.user, round_=round_, member=member, **form.cleaned_data
                )
            else:
                raise ValidationError(_("未知的操作。"))
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("已保存。"))
        return redirect(here)
    context = {"org": organization, "year": year, "round": round_, "may_keep": may_keep,
               "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1)}  # fmt: skip
    if round_ is not None:
        context["counts"] = selectors.decision_counts(round_)
        if round_.status == EvaluationRound.Status.OPEN:
            context["used"] = EvaluationUse.objects.filter(round=round_).count()
            context["issued"] = round_.codes.count()
        if may_keep:
            tally = selectors.evaluation_tally(round_)
            decisions = {d.member_id: d for d in round_.decisions.all()}
            selves = {s.member_id: s for s in round_.self_assessments.all()}
            context["rows"] = [
                (m, (tally or {}).get(m.pk), decisions.get(m.pk), selves.get(m.pk))
                for m in selectors.roster(organization)
            ]
            context["hidden"] = round_.status == EvaluationRound.Status.CLOSED and tally is None
            context["grades"] = EvaluationGrade.values
    return render(request, "records/evaluation.html", context)


@capability_required(Capability.KEEP_RECORDS)
@require_GET
def evaluation_slips(request, pk: int):
    """The round's one-time codes, to print and hand out at random (one each)."""
    organization = selectors.organization_get(viewer=request.user, pk=pk, keep=True)
    round_ = get_scoped_or_404(EvaluationRound.objects.filter(organization=organization), year=_year(request))
    codes = list(round_.codes.all())
    secrets.SystemRandom().shuffle(codes)  # the printed order says nothing about the serials
    base = request.build_absolute_uri("/")[:-1]
    slips = []
    for code in codes:
        url = f"{base}{reverse('records:evaluate', args=[code.token])}"
        slips.append((url, mark_safe(segno.make(url, error="m").svg_inline(scale=3))))  # noqa: S308 — segno's own SVG
    services.evaluation_slips_printed(actor=request.user, round_=round_, count=len(slips))
    return render(
        request, "records/evaluation_slips.html", {"org": organization, "round": round_, "slips": slips}
    )


@require_http_methods(["GET", "POST"])
def evaluate(request, token: str):
    """The anonymous evaluation sheet, reached by a one-time code: no login, nothing kept of who."""
    found = services.evaluation_for_code(token)
    if found is None:
        return render(
            request, "records/evaluate.html", {"error": _("评议码无效，请核对后重新输入。")}, status=404
        )
    round_, _code = found
    members = list(Member.objects.filter(org_path=round_.org_path).only("id", "name").order_by("name", "id"))
    error = ""
    if request.method == "POST":
        grades = {m.pk: request.POST.get(f"g{m.pk}", "") for m in members}
        try:
            services.evaluation_cast(token=token, grades=grades)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            return redirect("records:evaluated")
    elif round_.status != EvaluationRound.Status.OPEN:
        error = _("本次民主评议已经结束。")
    return render(request, "records/evaluate.html", {"round": round_, "members": members, "error": error,
                                                     "grades": EvaluationGrade.values}, status=400 if error and request.method == "POST" else 200)  # fmt: skip


@require_GET
def evaluated(request):
    return render(request, "records/evaluate.html", {"done": True})


@login_required
@require_POST
def mine_self_assessment(request):
    """A member's self-assessment for their branch's open round."""
    if not request.user.member_id:
        raise PermissionDenied
    year = _year(request)
    member = Member.objects.get(pk=request.user.member_id)
    round_ = get_scoped_or_404(EvaluationRound.objects.filter(org_path=member.org_path), year=year)
    try:
        services.self_assessment_save(actor=request.user, round_=round_, text=request.POST.get("text", ""))
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("已保存个人自评。"))
    return redirect(f"{reverse('records:mine')}?year={year}")


# ---- the rules as data ------------------------------------------------------------------------
def _may_set_rules(request) -> None:
    if not services.may_set_rules(request.user):
        raise PermissionDenied


@capability_required(Capability.VIEW_RECORDS)
@require_GET
def rule_settings(request):
    """The frequencies, the dues bands and the points schemes in force; the organiser of the
    top organisation changes the frequencies here."""
    return render(request, "records/settings.html", {
        "requirements": Requirement.objects.order_by("id"), "bands": selectors.dues_bands(),
        "may_set": services.may_set_rules(request.user),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def requirement_edit(request, pk: int):
    _may_set_rules(request)
    requirement = get_scoped_or_404(Requirement.objects.all(), pk=pk)
    initial = {"label": requirement.label, "period": requirement.period, "times": requirement.times,
               "min_members": requirement.min_members, "active": requirement.active}  # fmt: skip
    form = RequirementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            judged = services.requirement_set(
                actor=request.user, requirement=requirement, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存“%(label)s”，并按新要求重新计算了今年 %(n)d 个党支部的完成情况。")
                             % {"label": requirement.label, "n": judged})  # fmt: skip
            return redirect("records:settings")
    return render(request, "records/requirement_form.html", {"requirement": requirement, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def points_scheme(request, pk: int):
    """The points scheme of an organisation: its own, or the one it inherits shown to start from.
    Set by an organiser of the subtree; it then holds for every branch below without its own."""
    organization = get_scoped_or_404(selectors.orgs_visible_to(request.user), pk=pk)
    if not services.may_set_scheme(request.user, organization):
        raise PermissionDenied
    current = selectors.scheme_for(organization)
    own = current is not None and current.organization_id == organization.pk
    parts = current.parts if current else list(rules.DEFAULT_SCHEME)
    initial = [{"part_name": p["name"], "source": p["source"], "points": p["points"]} for p in parts]
    data = request.POST if request.method == "POST" else None
    form = SchemeForm(data, initial={"name": current.name if own else f"{organization.name}记实积分办法"})
    formset = SchemePartFormSet(data, initial=initial, prefix="parts")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [f.cleaned_data for f in formset if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            services.points_scheme_set(actor=request.user, organization=organization, name=form.cleaned_data["name"],
                                       parts=[{"name": r["part_name"], "source": r["source"], "points": r["points"]}
                                              for r in rows])  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存积分办法，适用于本组织及下级未自定的党支部。"))
            return redirect("records:points", pk=organization.pk)
    return render(request, "records/points_scheme.html", {
        "org": organization, "form": form, "formset": formset, "own": own, "inherited": None if own else current,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def dues_band_edit(request, pk: int):
    _may_set_rules(request)
    band = get_scoped_or_404(DuesBand.objects.all(), pk=pk)
    flat = band.group == rules.FLAT
    initial = {"lower": band.lower, "upper": band.upper, "percent": band.percent, "amount": band.amount}
    form = DuesBandForm(request.POST or None, initial=initial, flat=flat)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.dues_band_set(actor=request.user, band=band, lower=data.get("lower") or Decimal(0),
                                   upper=data.get("upper"), percent=data.get("percent") or Decimal(0),
                                   amount=data.get("amount"))  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存党费标准；已核定的党员下次核定基数时按新标准计算。"))
            return redirect("records:settings")
    return render(request, "records/dues_band_form.html", {"band": band, "form": form})
