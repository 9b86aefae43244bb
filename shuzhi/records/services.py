"""Writes of organisational life: every one atomic and audited in the same transaction."""

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core.access import holds_at_top, require
from shuzhi.core.errors import field_error
from shuzhi.core.protection import keyed_hash
from shuzhi.core.roles import Capability
from shuzhi.core.secrecy import rewrite_allowed, shuffled
from shuzhi.core.services import audit_record
from shuzhi.core.uploads import check_upload
from shuzhi.exchange.rules import compact
from shuzhi.exchange.workbook import check_upload as check_sheet
from shuzhi.exchange.workbook import read_sheet
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.records import ledger, rules
from shuzhi.records.models import (
    Attachment,
    Attendance,
    Commitment,
    Completion,
    DuesAccount,
    DuesBand,
    DuesPayment,
    EvaluationCode,
    EvaluationDecision,
    EvaluationGrade,
    EvaluationMark,
    EvaluationRound,
    EvaluationSheet,
    EvaluationUse,
    Kind,
    Meeting,
    PointsExemption,
    PointsItem,
    PointsScheme,
    Requirement,
    SelfAssessment,
)

ATTACHMENT_KINDS = frozenset({"png", "jpeg", "pdf"})
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_MAX = 10
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class Mark:
    """One roster member's attendance as entered: present, or absent with a reason."""

    present: bool = True
    absence: str = ""
    note: str = ""


def _may_keep(actor, org: Organization) -> None:
    require(actor, Capability.KEEP_RECORDS)
    if not org.path.startswith(actor.organization.path):
        raise PermissionDenied


def _store_attachment(meeting: Meeting, upload: IO[bytes], name: str, size: int) -> Attachment:
    kind = check_upload(upload, size, allowed=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)
    upload.seek(0)
    data = upload.read(ATTACHMENT_MAX_BYTES + 1)
    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment(
        meeting=meeting, original_name=name[-200:], kind=kind, size=len(data), sha256=digest
    )
    attachment.file.save(f"{digest[:16]}.{'jpg' if kind == 'jpeg' else kind}", ContentFile(data), save=False)
    attachment.save()
    return attachment


def _check(org: Organization, *, kind: str, held_on: date, topic: str, host: str, teacher: str,
           marks: Mapping[int, Mark], roster_ids: set[int], files: Sequence) -> None:  # fmt: skip
    errors: dict[str, list[str]] = defaultdict(list)
    allowed = Kind.DEMOCRATIC_LIFE if org.kind != Organization.Kind.BRANCH else None
    if kind not in Kind.values:
        errors["kind"].append(_("请选择组织生活类型。"))
    elif allowed and kind != allowed:
        errors["kind"].append(_("“%(org)s”不是党支部，只能记录民主生活会。") % {"org": org.name})
    elif not allowed and kind == Kind.DEMOCRATIC_LIFE:
        errors["kind"].append(_("民主生活会由党委（党组）领导班子召开，党支部请记录组织生活会。"))
    today = timezone.localdate()
    if held_on > today:
        errors["held_on"].append(_("日期不能晚于今天（%(today)s）。") % {"today": f"{today:%Y-%m-%d}"})
    elif held_on < EARLIEST:
        errors["held_on"].append(_("日期不能早于 2000 年。"))
    if not topic.strip():
        errors["topic"].append(_("请填写主题。"))
    if not host.strip():
        errors["host"].append(_("请填写主持人。"))
    if kind == Kind.LECTURE and not teacher.strip():
        errors["teacher"].append(_("党课请填写授课人。"))
    unknown = set(marks) - roster_ids
    if unknown:
        errors["attendance"].append(
            _("出席名单中有 %(n)d 人不是本组织的党员，请刷新页面后重新选择。") % {"n": len(unknown)}
        )
    if any(not m.present and m.absence not in Attendance.Absence.values for m in marks.values()):
        errors["attendance"].append(_("缺席的党员请选择缺席原因（病假、事假、外出或其他）。"))
    if marks and not any(m.present for m in marks.values()):
        errors["attendance"].append(_("没有出席的党员，请检查出席情况。"))
    if len(files) > ATTACHMENTS_MAX:
        errors["files"].append(_("附件最多 %(n)d 个。") % {"n": ATTACHMENTS_MAX})
    if errors:
        raise ValidationError({field: messages for field, messages in errors.items()})


@transaction.atomic
def meeting_record(*, actor, organization: Organization, kind: str, held_on: date, topic: str, host: str,
                   teacher: str = "", minutes: str = "", marks: Mapping[int, Mark] | None = None,
                   files: Sequence = ()) -> Meeting:  # fmt: skip
    """Record one occasion of organisational life with its attendance and attachments, and
    bring the branch's completion for the year up to date."""
    _may_keep(actor, organization)
    marks = dict(marks or {})
    roster_ids = set(
        Member.objects.filter(org_path=organization.path, left_on__isnull=True).values_list("id", flat=True)
    )
    _check(organization, kind=kind, held_on=held_on, topic=topic, host=host, teacher=teacher, marks=marks,
           roster_ids=roster_ids, files=files)  # fmt: skip
    secretary = organization.secretary
    teacher = teacher.strip() if kind == Kind.LECTURE else ""
    meeting = Meeting(
        organization=organization, org_path=organization.path, kind=kind, held_on=held_on,
        topic=topic.strip(), host=host.strip(), teacher=teacher, minutes=minutes.strip(),
        by_secretary=bool(teacher and secretary is not None and teacher == secretary.name),
        present_count=sum(m.present for m in marks.values()),
        absent_count=sum(not m.present for m in marks.values()), recorded_by=actor,
    )  # fmt: skip
    meeting.full_clean()
    meeting.save()
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member_id=member_id, present=mark.present,
                   absence="" if mark.present else mark.absence, note=mark.note.strip()[:100])
        for member_id, mark in sorted(marks.items())
    )  # fmt: skip
    stored = [_store_attachment(meeting, f, f.name, f.size) for f in files]
    audit_record(actor=actor, action="records.meeting_record", target=meeting, org_path=organization.path,
                 after={"kind": kind, "held_on": f"{held_on:%Y-%m-%d}", "topic": meeting.topic,
                        "present": meeting.present_count, "absent": meeting.absent_count,
                        "attachments": len(stored)})  # fmt: skip
    completion_refresh(organization=organization, year=held_on.year)
    return meeting


@transaction.atomic
def meeting_withdraw(*, actor, meeting: Meeting, reason: str) -> None:
    """Take back a record entered by mistake (the audit log keeps what it said and why)."""
    organization = meeting.organization
    _may_keep(actor, organization)
    if not reason.strip():
        raise field_error("reason", _("请填写撤销理由。"), "required")
    audit_record(actor=actor, action="records.meeting_withdraw", target=meeting, org_path=meeting.org_path,
                 before={"kind": meeting.kind, "held_on": f"{meeting.held_on:%Y-%m-%d}", "topic": meeting.topic},
                 extra={"reason": reason.strip()[:500]})  # fmt: skip
    year = meeting.held_on.year
    for attachment in meeting.attachments.all():
        attachment.file.delete(save=False)
    meeting.delete()
    completion_refresh(organization=organization, year=year)


def _held(rows: Iterable[dict]) -> dict[int, list[rules.Held]]:
    found: dict[int, list[rules.Held]] = defaultdict(list)
    for row in rows:
        found[row["organization_id"]].append(
            rules.Held(kind=row["kind"], month=row["month"], count=row["n"], by_secretary=row["taught"])
        )
    return found


def _grouped(meetings):
    return (
        meetings.annotate(month=ExtractMonth("held_on"))
        .values("organization_id", "kind", "month")
        .annotate(n=Count("id"), taught=Count("id", filter=Q(by_secretary=True)))
        .order_by()
    )


def _completion(org_id: int, path: str, year: int, status: rules.YearStatus, meetings: int) -> Completion:
    q1, q2, q3, q4 = status.quarters
    return Completion(organization_id=org_id, org_path=path, year=year, q1=q1, q2=q2, q3=q3, q4=q4,
                      yearly=status.yearly, met=status.met, meetings=meetings, missing=list(status.missing),
                      missing_in=list(status.missing_in))  # fmt: skip


FIELDS = [
    "org_path",
    "q1",
    "q2",
    "q3",
    "q4",
    "yearly",
    "met",
    "meetings",
    "missing",
    "missing_in",
    "updated_at",
]


def completion_refresh(*, organization: Organization, year: int) -> Completion | None:
    """Judge one branch's year again from its records (one grouped query)."""
    if organization.kind != Organization.Kind.BRANCH:
        return None
    reqs = [r.as_rule() for r in Requirement.objects.filter(active=True)]
    held = _held(_grouped(Meeting.objects.filter(organization=organization, held_on__year=year)))
    rows = held.get(organization.pk, [])
    status = rules.year_status(reqs, rows, members=organization.member_count)
    completion = _completion(organization.pk, organization.path, year, status, sum(h.count for h in rows))
    Completion.objects.bulk_create([completion], update_conflicts=True, unique_fields=["organization", "year"],
                                   update_fields=FIELDS)  # fmt: skip
    return completion


def completions_rebuild(*, year: int, batch: int = 5000) -> int:
    """Judge every branch's year again (after the requirements change, or a bulk load): one
    grouped query over the year's records, rows written in batches. Returns the branches judged."""
    reqs = [r.as_rule() for r in Requirement.objects.filter(active=True)]
    held = _held(_grouped(Meeting.objects.filter(held_on__year=year)).iterator(chunk_size=20000))
    rows = []
    total = 0
    branches = (
        Organization.objects.filter(kind=Organization.Kind.BRANCH)
        .values_list("id", "path", "member_count")
        .order_by()
    )
    with transaction.atomic():
        Completion.objects.filter(year=year).delete()
        for org_id, path, size in branches.iterator(chunk_size=10000):
            found = held.get(org_id, [])
            if not found:
                continue  # no record in the year: no row, counted as not met
            rows.append(
                _completion(
                    org_id,
                    path,
                    year,
                    rules.year_status(reqs, found, members=size),
                    sum(h.count for h in found),
                )
            )
            if len(rows) >= batch:
                Completion.objects.bulk_create(rows)
                total += len(rows)
                rows = []
        Completion.objects.bulk_create(rows)
        total += len(rows)
    return total


# ---- 党费 --------------------------------------------------------------------------------------
def _bands() -> list[rules.Band]:
    return [b.as_band() for b in DuesBand.objects.all()]


# ---- the rules as data, set by the organiser at the top of the tree -----------------------------
def may_set_rules(actor) -> bool:
    """The frequencies and the dues bands hold for the whole tree: only an organiser of its top
    organisation sets them."""
    return holds_at_top(actor, Capability.MANAGE_ORGS)


TIMES_MAX, MIN_MEMBERS_MAX = 12, 500


@transaction.atomic
def requirement_set(*, actor, requirement: Requirement, period: str, times: int, min_members: int,
                    active: bool, label: str | None = None) -> int:  # fmt: skip
    """Change one frequency, audited, then judge every branch's running year again by the new
    rules (past years keep the judgement of their time). Returns the branches judged."""
    if not may_set_rules(actor):
        raise PermissionDenied
    if period not in (rules.MONTH, rules.QUARTER, rules.YEAR):
        raise field_error("period", _("周期只能是每月、每季度或每年。"), "period")
    if not 1 <= times <= TIMES_MAX:
        raise field_error("times", _("次数应为 1 至 %(n)d 之间的整数。") % {"n": TIMES_MAX}, "times")
    if not 0 <= min_members <= MIN_MEMBERS_MAX:
        raise field_error(
            "min_members", _("适用的最少党员数应为 0 至 %(n)d。") % {"n": MIN_MEMBERS_MAX}, "min_members"
        )
    label = requirement.label if label is None else label.strip()
    if not label:
        raise field_error("label", _("请填写名称。"), "label")
    fields = ("label", "period", "times", "min_members", "active")
    before = {f: getattr(requirement, f) for f in fields}
    requirement.label = label[:40]
    requirement.period, requirement.times, requirement.min_members, requirement.active = (
        period, times, min_members, active,
    )  # fmt: skip
    requirement.full_clean()
    requirement.save(update_fields=[*fields, "updated_at"])
    audit_record(actor=actor, action="records.requirement_set", target=requirement, target_repr=requirement.label,
                 before=before, after={f: getattr(requirement, f) for f in fields})  # fmt: skip
    return completions_rebuild(year=timezone.localdate().year)


@transaction.atomic
def dues_band_set(*, actor, band: DuesBand, lower: Decimal, upper: Decimal | None, percent: Decimal,
                  amount: Decimal | None) -> DuesBand:  # fmt: skip
    """Change one rate band, audited. A flat band (农牧渔民、学生) has an amount; a band by base has a
    percent and a range that overlaps no other band of its group. Accounts already set keep the
    amount they were set with; a base set again is charged by the new bands."""
    if not may_set_rules(actor):
        raise PermissionDenied
    if band.group == rules.FLAT:
        if amount is None or amount <= 0:
            raise field_error(
                "amount", _("农牧渔民、学生党员按固定金额交纳，请填写大于 0 的金额。"), "amount"
            )
        lower, upper, percent = Decimal(0), None, Decimal(0)
    else:
        amount = None
        if not Decimal(0) < percent <= Decimal(10):
            raise field_error("percent", _("比例应大于 0% 且不超过 10%。"), "percent")
        if lower < 0:
            raise field_error("lower", _("月基数下限不能为负数。"), "lower")
        if upper is not None and upper <= lower:
            raise field_error("upper", _("月基数上限应大于下限（不填表示没有上限）。"), "upper")
        top = upper if upper is not None else Decimal("1e12")
        for other in DuesBand.objects.filter(group=band.group).exclude(pk=band.pk):
            other_top = other.upper if other.upper is not None else Decimal("1e12")
            if lower < other_top and other.lower < top:
                raise field_error("lower", _("与同类标准“%(other)s 元”的基数范围重叠。") % {
                    "other": f"{other.lower}–{other.upper or ''}"}, "overlap")  # fmt: skip
    fields = ("lower", "upper", "percent", "amount")
    before = {f: None if getattr(band, f) is None else str(getattr(band, f)) for f in fields}
    band.lower, band.upper, band.percent, band.amount = lower, upper, percent, amount
    band.full_clean()
    band.save()
    audit_record(actor=actor, action="records.dues_band_set", target=band, target_repr=str(band), before=before,
                 after={f: None if getattr(band, f) is None else str(getattr(band, f)) for f in fields})  # fmt: skip
    return band


def may_set_scheme(actor, organization: Organization) -> bool:
    """An organiser sets the points scheme of an organisation of their subtree (it then holds for
    that organisation's subtree, unless one below sets its own)."""
    return bool(
        actor.is_authenticated
        and actor.can(Capability.MANAGE_ORGS)
        and actor.organization_id
        and organization.path.startswith(actor.organization.path)
    )


@transaction.atomic
def points_scheme_set(
    *, actor, organization: Organization, name: str, parts: Sequence[Mapping]
) -> PointsScheme:
    """The organisation's own scheme: parts with names, a source each and points adding to 100.
    Refused whole, every problem named."""
    if not may_set_scheme(actor, organization):
        raise PermissionDenied
    name = name.strip()
    clean = [
        {"name": str(p["name"]).strip(), "source": p["source"], "points": int(p["points"])} for p in parts
    ]
    problems = ([] if name else [_("请填写积分办法的名称。")]) + rules.scheme_problems(clean)
    if not clean:
        problems.append(_("至少要有一个计分项目。"))
    if any(p["points"] < 1 for p in clean):
        problems.append(_("每一项的分值至少为 1 分。"))
    if problems:
        raise ValidationError(problems)
    scheme = PointsScheme.objects.filter(organization=organization).first()
    before = None if scheme is None else {"name": scheme.name, "parts": scheme.parts}
    scheme = scheme or PointsScheme(organization=organization)
    scheme.org_path, scheme.name, scheme.parts = organization.path, name[:60], clean
    scheme.save()
    audit_record(actor=actor, action="records.points_scheme_set", target=scheme, target_repr=organization.name,
                 org_path=organization.path, before=before, after={"name": scheme.name, "parts": clean})  # fmt: skip
    return scheme


@transaction.atomic
def dues_account_set(
    *, actor, member: Member, year: int, base: Decimal, exempt_reason: str = ""
) -> DuesAccount:
    """A member's monthly base for the year and the amount it makes by the bands, or an
    exemption with its reason (the amount is then nothing)."""
    organization = member.organization
    _may_keep(actor, organization)
    if base < 0:
        raise field_error("base", _("交纳基数不能为负数。"), "negative")
    reason = exempt_reason.strip()
    amount = Decimal(0) if reason else rules.due_amount(base, rules.dues_group(member.category), _bands())
    if amount is None:
        raise field_error("base", _("没有适用于该党员的党费标准，请先设置党费标准。"), "no_band")
    account = DuesAccount.objects.filter(member=member, year=year).first() or DuesAccount(
        member=member, year=year
    )
    before = None if account.pk is None else {"base": str(account.base), "amount": str(account.amount),
                                               "exempt": account.exempt}  # fmt: skip
    account.org_path, account.base, account.amount = member.org_path, base, amount
    account.exempt, account.exempt_reason, account.set_by = bool(reason), reason[:200], actor
    account.full_clean()
    account.save()
    audit_record(actor=actor, action="records.dues_account_set", target=account, target_repr=f"{member.name} {year}",
                 org_path=member.org_path, before=before,
                 after={"base": str(base), "amount": str(amount), "exempt": bool(reason), "reason": reason[:200]})  # fmt: skip
    return account


@transaction.atomic
def dues_payments_record(*, actor, organization: Organization, month: date, member_ids: Sequence[int],
                         paid_on: date) -> int:  # fmt: skip
    """Record that the chosen members paid their dues for `month` (each the amount of their
    year's account). Refused whole, naming who, if anyone has no account, is exempt, has paid
    that month already or is not on the branch's roster."""
    _may_keep(actor, organization)
    month = month.replace(day=1)
    today = timezone.localdate()
    if month > today or paid_on > today:
        raise field_error("month", _("不能登记未来月份的党费。"), "future")
    if not member_ids:
        raise field_error("members", _("请勾选已交纳的党员。"), "required")
    members = {m.pk: m for m in Member.objects.filter(org_path=organization.path, pk__in=member_ids)}
    if len(members) != len(set(member_ids)):
        raise field_error("members", _("名单中有不属于本支部的党员，请刷新页面后重新选择。"), "not_in_roster")
    accounts = {a.member_id: a for a in DuesAccount.objects.filter(member_id__in=members, year=month.year)}
    paid = set(
        DuesPayment.objects.filter(member_id__in=members, month=month).values_list("member_id", flat=True)
    )
    problems = []
    for member_id, member in sorted(members.items(), key=lambda kv: kv[1].name):
        account = accounts.get(member_id)
        if account is None:
            problems.append(
                _("%(name)s：未核定%(year)d年党费基数") % {"name": member.name, "year": month.year}
            )
        elif account.exempt:
            problems.append(
                _("%(name)s：已减免（%(reason)s）") % {"name": member.name, "reason": account.exempt_reason}
            )
        elif member_id in paid:
            problems.append(
                _("%(name)s：%(month)s 已登记") % {"name": member.name, "month": f"{month:%Y-%m}"}
            )
    if problems:
        raise field_error("members", "；".join(problems), "cannot_record")
    DuesPayment.objects.bulk_create(
        DuesPayment(member_id=member_id, org_path=organization.path, month=month, amount=accounts[member_id].amount,
                    paid_on=paid_on, recorded_by=actor)
        for member_id in sorted(members)
    )  # fmt: skip
    total = sum((accounts[m].amount for m in members), Decimal(0))
    audit_record(actor=actor, action="records.dues_payments_record", target=organization, org_path=organization.path,
                 after={"month": f"{month:%Y-%m}", "members": len(members), "total": str(total)})  # fmt: skip
    return len(members)


# ---- the Excel 台账 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgerResult:
    created: int
    duplicates: int  # rows already recorded (same date, kind and topic), passed over
    note: str  # what reading skipped (合计 and empty rows)


@transaction.atomic
def meetings_import(*, actor, organization: Organization, upload) -> LedgerResult:
    """Read a branch's 台账 and record every row, or nothing: a sheet with any bad row is refused
    with every reason, row by row. Attendance: the roster, present unless named as absent."""
    _may_keep(actor, organization)
    check_sheet(upload, upload.size)
    upload.seek(0)
    sheet = read_sheet(upload, lookup=ledger.lookup())
    roster_rows = list(
        Member.objects.filter(org_path=organization.path, left_on__isnull=True).values_list("id", "name")
    )
    counts: dict[str, int] = defaultdict(int)
    for _id, name in roster_rows:
        counts[compact(name)] += 1
    roster = {compact(name): member_id for member_id, name in roster_rows if counts[compact(name)] == 1}
    rows, errors = ledger.read_rows(sheet, roster=roster, today=timezone.localdate())
    branch = organization.kind == Organization.Kind.BRANCH
    for row in rows:
        if branch == (row.kind == Kind.DEMOCRATIC_LIFE):
            errors.append(_("第 %(row)d 行 类型：%(org)s不能记录%(kind)s。")
                          % {"row": row.number, "org": organization.name, "kind": Kind(row.kind).label})  # fmt: skip
    if errors:
        shown = errors[:30] + ([_("……共 %(n)d 处问题。") % {"n": len(errors)}] if len(errors) > 30 else [])
        raise ValidationError(shown, code="rows")
    existing = set(Meeting.objects.filter(organization=organization).values_list("held_on", "kind", "topic"))
    secretary = organization.secretary.name if organization.secretary else ""
    fresh = [row for row in rows if (row.held_on, row.kind, row.topic) not in existing]
    seen: set[tuple] = set()
    meetings, marks = [], []
    for row in fresh:
        if (row.held_on, row.kind, row.topic) in seen:
            continue
        seen.add((row.held_on, row.kind, row.topic))
        present = len(roster_rows) - len(row.absent)
        meetings.append(Meeting(
            organization=organization, org_path=organization.path, kind=row.kind, held_on=row.held_on,
            topic=row.topic, host=row.host or _("未注明"), teacher=row.teacher if row.kind == Kind.LECTURE else "",
            by_secretary=bool(row.kind == Kind.LECTURE and secretary and row.teacher == secretary),
            minutes=row.minutes, present_count=present, absent_count=len(row.absent), recorded_by=actor,
        ))  # fmt: skip
        marks.append(row.absent)
    Meeting.objects.bulk_create(meetings)
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member_id=member_id, present=member_id not in absent,
                   absence=absent.get(member_id, ("", ""))[0], note=absent.get(member_id, ("", ""))[1])
        for meeting, absent in zip(meetings, marks, strict=True) for member_id, _name in roster_rows
    )  # fmt: skip
    audit_record(actor=actor, action="records.meetings_import", target=organization, org_path=organization.path,
                 after={"created": len(meetings), "duplicates": len(rows) - len(meetings)})  # fmt: skip
    for year in sorted({m.held_on.year for m in meetings}):
        completion_refresh(organization=organization, year=year)
    return LedgerResult(
        created=len(meetings), duplicates=len(rows) - len(meetings), note=sheet.skipped_note()
    )


# ---- 承诺践诺 -------------------------------------------------------------------------------------
COMMITMENTS_PER_YEAR = 10


def _own_or_keeper(actor, member: Member) -> None:
    if actor.is_authenticated and actor.member_id == member.pk:
        return
    _may_keep(actor, member.organization)


@transaction.atomic
def commitment_add(*, actor, member: Member, year: int, text: str) -> Commitment:
    """A member writes their own commitment, or the branch's keeper writes it for them."""
    _own_or_keeper(actor, member)
    text = " ".join(text.split())
    if not text:
        raise field_error("text", _("请填写承诺事项。"), "required")
    today = timezone.localdate()
    if not today.year - 1 <= year <= today.year + 1:
        raise field_error("text", _("只能填写去年、今年或明年的承诺。"), "year")
    if Commitment.objects.filter(member=member, year=year).count() >= COMMITMENTS_PER_YEAR:
        raise field_error("text", _("每年最多 %(n)d 项承诺。") % {"n": COMMITMENTS_PER_YEAR}, "too_many")
    commitment = Commitment(member=member, org_path=member.org_path, year=year, text=text, written_by=actor)
    commitment.full_clean()
    commitment.save()
    audit_record(actor=actor, action="records.commitment_add", target=commitment, org_path=member.org_path,
                 after={"year": year, "text": text})  # fmt: skip
    return commitment


@transaction.atomic
def commitment_review(*, actor, commitment: Commitment, status: str, note: str = "") -> Commitment:
    """The branch finds a commitment kept, partly kept or not kept (a reason for the last two)."""
    member = Member.objects.select_related("organization").get(pk=commitment.member_id)
    _may_keep(actor, member.organization)
    if status not in (Commitment.Status.KEPT, Commitment.Status.PARTLY, Commitment.Status.NOT_KEPT):
        raise field_error("status", _("请选择践诺情况。"), "invalid")
    note = note.strip()
    if status != Commitment.Status.KEPT and not note:
        raise field_error("note", _("部分践诺或未践诺的，请写明原因。"), "required")
    before = {"status": commitment.status}
    commitment.status, commitment.review_note, commitment.reviewed_by = status, note[:300], actor
    commitment.save(update_fields=["status", "review_note", "reviewed_by", "updated_at"])
    audit_record(actor=actor, action="records.commitment_review", target=commitment, org_path=commitment.org_path,
                 before=before, after={"status": status, "note": note[:300]})  # fmt: skip
    return commitment


# ---- 记实积分 ----------------------------------------------------------------------------------
@transaction.atomic
def points_item_add(*, actor, member: Member, year: int, part: str, points: Decimal, reason: str,
                    parts: Sequence[Mapping]) -> PointsItem:  # fmt: skip
    """Points given by hand for a part the scheme gives by hand, always with a reason."""
    _may_keep(actor, member.organization)
    manual = {p["name"]: int(p["points"]) for p in parts if p["source"] == rules.MANUAL}
    if part not in manual:
        raise field_error(
            "part", _("只能为手工评定的项目打分：%(parts)s。") % {"parts": "、".join(manual)}, "not_manual"
        )
    if abs(points) > manual[part]:
        raise field_error("points", _("“%(part)s”满分 %(max)d 分，一次评定不能超过。") % {"part": part, "max": manual[part]},
                          "too_many")  # fmt: skip
    if not reason.strip():
        raise field_error("reason", _("请写明评定理由。"), "required")
    item = PointsItem(member=member, org_path=member.org_path, year=year, part=part, points=points,
                      reason=reason.strip()[:200], given_by=actor)  # fmt: skip
    item.full_clean()
    item.save()
    audit_record(actor=actor, action="records.points_item_add", target=item, target_repr=f"{member.name} {part}",
                 org_path=member.org_path, after={"year": year, "part": part, "points": str(points), "reason": item.reason})  # fmt: skip
    return item


@transaction.atomic
def points_exemption_set(*, actor, member: Member, year: int, reason: str) -> PointsExemption | None:
    """Exempt a member's organisational life for the year (a reason), or lift it (no reason)."""
    _may_keep(actor, member.organization)
    found = PointsExemption.objects.filter(member=member, year=year).first()
    reason = reason.strip()[:200]
    if not reason:
        if found:
            found.delete()
            audit_record(actor=actor, action="records.points_exemption_lift", target_repr=f"{member.name} {year}",
                         org_path=member.org_path, before={"reason": found.reason})  # fmt: skip
        return None
    exemption = found or PointsExemption(member=member, org_path=member.org_path, year=year)
    exemption.reason, exemption.given_by = reason, actor
    exemption.save()
    audit_record(actor=actor, action="records.points_exemption_set", target=exemption, target_repr=f"{member.name} {year}",
                 org_path=member.org_path, after={"reason": reason})  # fmt: skip
    return exemption


@transaction.atomic
def dues_import(*, actor, organization: Organization, year: int, upload) -> tuple[int, int]:
    """Read a branch's 党费收缴台账 of a year (a row per member, a column per month) and record
    every payment not yet recorded, or nothing: any bad row refuses the sheet with every reason.
    A 交纳基数 column sets the member's account for the year. Returns (payments, accounts set)."""
    _may_keep(actor, organization)
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise field_error("year", _("年度不正确。"), "year")
    check_sheet(upload, upload.size)
    upload.seek(0)
    sheet = read_sheet(upload, lookup=ledger.dues_lookup())
    roster_rows = list(
        Member.objects.filter(org_path=organization.path, left_on__isnull=True).values_list("id", "name")
    )
    counts: dict[str, int] = defaultdict(int)
    for _id, name in roster_rows:
        counts[compact(name)] += 1
    roster = {compact(name): member_id for member_id, name in roster_rows if counts[compact(name)] == 1}
    rows, errors = ledger.read_dues(sheet, roster=roster)
    through = rules.months_due(year, today)
    accounts = {
        a.member_id: a
        for a in DuesAccount.objects.filter(member_id__in=[r.member_id for r in rows], year=year)
    }
    names = dict(roster_rows)
    for row in rows:
        late = [m for m in row.paid if m > through]
        if late:
            errors.append(_("第 %(row)d 行：%(m)d月还没有到，不能登记。") % {"row": row.number, "m": late[0]})
        account = accounts.get(row.member_id)
        if row.base is None and row.paid and account is None:
            errors.append(_("第 %(row)d 行：%(name)s未核定%(year)d年党费基数，请在表中加“交纳基数”列或先在页面上核定。")
                          % {"row": row.number, "name": names[row.member_id], "year": year})  # fmt: skip
        elif account is not None and account.exempt and row.paid:
            errors.append(
                _("第 %(row)d 行：%(name)s本年度党费已减免。")
                % {"row": row.number, "name": names[row.member_id]}
            )
    if errors:
        raise ValidationError(errors[:30] + ([_("……共 %(n)d 处问题。") % {"n": len(errors)}] if len(errors) > 30 else []),
                              code="rows")  # fmt: skip
    members = {
        m.pk: m
        for m in Member.objects.filter(pk__in=[r.member_id for r in rows]).select_related("organization")
    }
    set_count = 0
    for row in rows:
        if row.base is not None:
            dues_account_set(actor=actor, member=members[row.member_id], year=year, base=row.base)
            set_count += 1
    paid = set(
        DuesPayment.objects.filter(member_id__in=members, month__year=year).values_list(
            "member_id", "month__month"
        )
    )
    payments = [
        DuesPayment(member_id=row.member_id, org_path=organization.path, month=date(year, month, 1), amount=amount,
                    paid_on=min(date(year, month, 28), today), recorded_by=actor)
        for row in rows for month, amount in sorted(row.paid.items()) if (row.member_id, month) not in paid
    ]  # fmt: skip
    DuesPayment.objects.bulk_create(payments)
    audit_record(actor=actor, action="records.dues_import", target=organization, org_path=organization.path,
                 after={"year": year, "payments": len(payments), "accounts": set_count})  # fmt: skip
    return len(payments), set_count


# ---- 民主评议党员 --------------------------------------------------------------------------------
CODE_PURPOSE = "evaluation_code"


@transaction.atomic
def evaluation_open(*, actor, organization: Organization, year: int, min_group: int = 5) -> EvaluationRound:
    """Open the branch's round of the year and issue one code per member of the roster."""
    _may_keep(actor, organization)
    if organization.kind != Organization.Kind.BRANCH:
        raise ValidationError(_("民主评议党员以党支部为单位开展。"), code="not_branch")
    if EvaluationRound.objects.filter(organization=organization, year=year).exists():
        raise ValidationError(_("%(year)d 年度的民主评议已经开始。") % {"year": year}, code="exists")
    size = Member.objects.filter(org_path=organization.path, left_on__isnull=True).count()
    if size < 2:
        raise ValidationError(_("支部党员少于 2 人，无法开展互评。"), code="too_small")
    round_ = EvaluationRound.objects.create(organization=organization, org_path=organization.path, year=year,
                                            min_group=max(min_group, 3), opened_by=actor)  # fmt: skip
    codes = []
    for serial in range(1, size + 1):
        token = secrets.token_urlsafe(12)
        codes.append(EvaluationCode(round=round_, serial=serial, token=token,
                                    token_hash=keyed_hash(token, purpose=CODE_PURPOSE)))  # fmt: skip
    EvaluationCode.objects.bulk_create(codes)
    audit_record(actor=actor, action="records.evaluation_open", target=round_, org_path=organization.path,
                 after={"year": year, "codes": size})  # fmt: skip
    return round_


def evaluation_for_code(token: str) -> tuple[EvaluationRound, EvaluationCode] | None:
    if not token or len(token) > 64:
        return None
    code = (
        EvaluationCode.objects.filter(token_hash=keyed_hash(token, purpose=CODE_PURPOSE))
        .select_related("round").first()
    )  # fmt: skip
    return (code.round, code) if code else None


@transaction.atomic
def evaluation_cast(*, token: str, grades: Mapping[int, str]) -> None:
    """One anonymous sheet: the code marked used and the sheet stored apart, in one transaction;
    any refusal leaves no row."""
    found = evaluation_for_code(token)
    if found is None:
        raise ValidationError(_("评议码无效，请核对后重新输入。"), code="unknown_code")
    round_, code = found
    round_ = EvaluationRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status != EvaluationRound.Status.OPEN:
        raise ValidationError(_("本次民主评议已经结束。"), code="closed")
    roster_ids = set(
        Member.objects.filter(org_path=round_.org_path, left_on__isnull=True).values_list("id", flat=True)
    )
    if set(grades) != roster_ids or any(g not in EvaluationGrade.values for g in grades.values()):
        raise ValidationError(_("请为名单中的每一位党员选择评价。"), code="incomplete")
    try:
        with transaction.atomic():
            EvaluationUse.objects.create(code=code, round=round_)
    except IntegrityError:
        raise ValidationError(_("该评议码已经用过，每个评议码只能用一次。"), code="used") from None
    sheet = EvaluationSheet.objects.create(round=round_)
    EvaluationMark.objects.bulk_create(
        EvaluationMark(sheet=sheet, member_id=member_id, grade=grade) for member_id, grade in grades.items()
    )


@transaction.atomic
def evaluation_close(*, actor, round_: EvaluationRound) -> EvaluationRound:
    """Count the sheets, drop who used which code, and rewrite the sheets in a random order."""
    round_ = EvaluationRound.objects.select_for_update().get(pk=round_.pk)
    _may_keep(actor, Organization.objects.get(pk=round_.organization_id))
    if round_.status != EvaluationRound.Status.OPEN:
        raise ValidationError(_("本次民主评议已经结束。"), code="closed")
    used = EvaluationUse.objects.filter(round=round_).count()
    sheets: dict = defaultdict(list)
    for sheet_id, member_id, grade in EvaluationMark.objects.filter(sheet__round=round_).values_list(
        "sheet_id", "member_id", "grade"
    ):
        sheets[sheet_id].append((member_id, grade))
    # core.secrecy's rewrite scope: on SQLite the deleted uses and sheets are overwritten, not left
    # in free pages in the order they were written, and the write-ahead log is emptied after
    with rewrite_allowed(f"records.evaluation:{round_.pk}"):
        EvaluationUse.objects.filter(round=round_).delete()
        EvaluationSheet.objects.filter(round=round_).delete()
        contents = shuffled(sheets.values())
        fresh = [EvaluationSheet(round=round_) for _content in contents]
        EvaluationSheet.objects.bulk_create(fresh)
        EvaluationMark.objects.bulk_create(
            EvaluationMark(sheet=sheet, member_id=member_id, grade=grade)
            for sheet, content in zip(fresh, contents, strict=True)
            for member_id, grade in shuffled(content)
        )
    round_.status, round_.sheets = EvaluationRound.Status.CLOSED, used
    round_.save(update_fields=["status", "sheets", "updated_at"])
    audit_record(actor=actor, action="records.evaluation_close", target=round_, org_path=round_.org_path,
                 after={"sheets": used})  # fmt: skip
    return round_


@transaction.atomic
def self_assessment_save(*, actor, round_: EvaluationRound, text: str) -> SelfAssessment:
    """A member's own self-assessment, while the round is open."""
    if (
        not actor.member_id
        or not Member.objects.filter(pk=actor.member_id, org_path=round_.org_path).exists()
    ):
        raise PermissionDenied
    if round_.status != EvaluationRound.Status.OPEN:
        raise ValidationError(_("本次民主评议已经结束。"), code="closed")
    text = text.strip()
    if not text:
        raise field_error("text", _("请填写个人自评。"), "required")
    found, _created = SelfAssessment.objects.update_or_create(round=round_, member_id=actor.member_id,
                                                              defaults={"text": text[:3000]})  # fmt: skip
    return found


@transaction.atomic
def evaluation_decide(*, actor, round_: EvaluationRound, member: Member, grade: str, note: str = "",
                      follow_up: str = "", follow_up_on: date | None = None) -> EvaluationDecision:  # fmt: skip
    """The branch's decision on one member after the count; a 不合格 names what follows, with a date."""
    _may_keep(actor, Organization.objects.get(pk=round_.organization_id))
    if round_.status != EvaluationRound.Status.CLOSED:
        raise ValidationError(_("请先结束评议、统计结果，再评定等次。"), code="open")
    if member.org_path != round_.org_path:
        raise field_error("member", _("该党员不在本支部。"), "not_in_branch")
    if grade not in EvaluationGrade.values:
        raise field_error("grade", _("请选择评定等次。"), "invalid")
    if grade == EvaluationGrade.UNQUALIFIED and (not follow_up or follow_up_on is None):
        raise field_error(
            "follow_up",
            _("评定为不合格的，请选择处置方式（限期改正、劝其退党或除名）并填写日期。"),
            "required",
        )
    if grade != EvaluationGrade.UNQUALIFIED:
        follow_up, follow_up_on = "", None
    decision = EvaluationDecision.objects.filter(round=round_, member=member).first() or EvaluationDecision(
        round=round_, member=member
    )
    before = {"grade": decision.grade} if decision.pk else None
    decision.grade, decision.note, decision.follow_up, decision.follow_up_on = (
        grade,
        note.strip()[:300],
        follow_up,
        follow_up_on,
    )
    decision.decided_by = actor
    decision.full_clean()
    decision.save()
    audit_record(actor=actor, action="records.evaluation_decide", target=decision, target_repr=f"{member.name} {round_.year}",
                 org_path=round_.org_path, before=before, after={"grade": grade, "follow_up": follow_up})  # fmt: skip
    return decision


def evaluation_slips_printed(*, actor, round_: EvaluationRound, count: int) -> None:
    """Printing the codes is recorded (who printed how many, when), as for ballot slips."""
    audit_record(actor=actor, action="records.evaluation_slips", target=round_, org_path=round_.org_path,
                 extra={"codes": count})  # fmt: skip
