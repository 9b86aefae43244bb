"""Writes of a member's path: every one atomic, checked and audited in the same transaction."""

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta
from typing import IO

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core.errors import field_error
from shuzhi.core.protection import keyed_hash
from shuzhi.core.roles import Capability, Role
from shuzhi.core.services import audit_record, notify
from shuzhi.core.uploads import check_upload
from shuzhi.lifecycle import rules, selectors
from shuzhi.lifecycle.models import (
    Applicant,
    Departure,
    MobileActivity,
    MobileRecord,
    Step,
    StepDocument,
    StepRecord,
    Transfer,
)
from shuzhi.members import rules as member_rules
from shuzhi.members import services as member_services
from shuzhi.members.models import ID_NUMBER_PURPOSE, Member
from shuzhi.orgs.models import Organization

DOCUMENT_KINDS = frozenset({"png", "jpeg", "pdf"})
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENTS_MAX = 10
APPROVAL, CONVERSION, ADMISSION = "approval", "conversion_approval", "admission"


def may_work(user, org: Organization) -> bool:
    """Who records 发展党员 and members leaving: an organiser, or a secretary of the subtree."""
    allowed = user.can(Capability.MANAGE_MEMBERS) or (
        user.can(Capability.KEEP_RECORDS) and user.can(Capability.VIEW_MEMBERS)
    )
    return allowed and org.path.startswith(user.organization.path)


def _require_work(user, org: Organization) -> None:
    if not user.is_authenticated or not may_work(user, org):
        raise PermissionDenied


def step_rules() -> list[rules.StepRule]:
    return [step.as_rule() for step in Step.objects.order_by("order")]


def done_of(applicant: Applicant) -> dict[str, date]:
    return dict(applicant.steps.values_list("step__code", "done_on"))


def _refresh(applicant: Applicant, all_rules: Sequence[rules.StepRule], done: dict[str, date]) -> None:
    """Keep the stage and the next step's window on the row the board reads."""
    upcoming = rules.next_rule(all_rules, done)
    applicant.stage = rules.stage_of(all_rules, done)
    applicant.next_step = Step.objects.get(code=upcoming.code) if upcoming else None
    applicant.next_earliest = rules.earliest_of(upcoming, done) if upcoming else None
    applicant.next_deadline = rules.deadline_of(upcoming, done) if upcoming else None
    applicant.last_done_on = max(done.values()) if done else applicant.applied_on


def _store(record: StepRecord, upload: IO[bytes], name: str, size: int) -> StepDocument:
    kind = check_upload(upload, size, allowed=DOCUMENT_KINDS, max_bytes=DOCUMENT_MAX_BYTES)
    upload.seek(0)
    data = upload.read(DOCUMENT_MAX_BYTES + 1)
    digest = hashlib.sha256(data).hexdigest()
    document = StepDocument(
        record=record, original_name=name[-200:], kind=kind, size=len(data), sha256=digest
    )
    document.file.save(f"{digest[:16]}.{'jpg' if kind == 'jpeg' else kind}", ContentFile(data), save=False)
    document.save()
    return document


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})


def _record(
    *, actor, applicant: Applicant, step: Step, entry: rules.StepEntry, files: Sequence
) -> StepRecord:
    if len(files) > DOCUMENTS_MAX:
        raise field_error("files", _("材料最多 %(n)d 个。") % {"n": DOCUMENTS_MAX}, "too_many")
    record = StepRecord(applicant=applicant, step=step, done_on=entry.done_on, until=entry.until, hours=entry.hours,
                        people="、".join(p.strip() for p in entry.people if p.strip()), note=entry.note.strip(),
                        recorded_by=actor)  # fmt: skip
    record.full_clean(exclude=["applicant"])
    record.save()
    try:
        stored = [_store(record, f, f.name, f.size) for f in files]
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None
    audit_record(actor=actor, action="lifecycle.step_record", target=applicant, org_path=applicant.org_path,
                 after={"step": step.name, "done_on": f"{entry.done_on:%Y-%m-%d}", "people": record.people,
                        "documents": len(stored)})  # fmt: skip
    return record


@transaction.atomic
def applicant_create(*, actor, organization: Organization, name: str, id_number: str, phone: str = "",
                     ethnicity: str = "汉族", education: str, category: str, applied_on: date, note: str = "",
                     files: Sequence = ()) -> Applicant:  # fmt: skip
    """Register an application (the first step), checked against the age rule."""
    _require_work(actor, organization)
    if organization.kind != Organization.Kind.BRANCH:
        raise field_error(
            "organization",
            _("入党申请应向党支部提出：“%(org)s”不是党支部。") % {"org": organization.name},
            "kind",
        )
    number = member_rules.normalise_id_number(id_number)
    problem = member_rules.id_number_problem(number)
    if problem:
        raise field_error("id_number", problem, "invalid")
    digest = keyed_hash(number, purpose=ID_NUMBER_PURPOSE)
    if Member.objects.filter(id_number_hash=digest).exists():
        raise field_error("id_number", _("该身份证号已登记为党员，不能再作为入党申请人登记。"), "member")
    existing = Applicant.objects.filter(id_number_hash=digest).first()
    if existing is not None:
        raise field_error("id_number", _("该身份证号已在发展党员名单中（%(org)s）。") % {"org": existing.organization.name},
                          "unique")  # fmt: skip
    phone = member_rules.normalise_phone(phone)
    if phone and member_rules.phone_problem(phone):
        raise field_error("phone", member_rules.phone_problem(phone) or "", "invalid")
    birth = member_rules.birth_date_from_id(number)
    assert birth is not None  # id_number_problem checked it
    all_rules = step_rules()
    first = Step.objects.get(code="apply")
    entry = rules.StepEntry(done_on=applied_on, note=note)
    _raise(rules.step_problems(first.as_rule(), entry, rules=all_rules, done={}, birth_date=birth,
                               today=timezone.localdate()))  # fmt: skip
    applicant = Applicant(
        name=member_rules.normalise_name(name), gender=member_rules.gender_from_id(number), ethnicity=ethnicity,
        birth_date=birth, id_number=number, id_number_hash=digest, phone=phone, education=education,
        category=category, organization=organization, org_path=organization.path, applied_on=applied_on,
        last_done_on=applied_on,
    )  # fmt: skip
    _refresh(applicant, all_rules, {"apply": applied_on})
    applicant.full_clean()
    applicant.save()
    audit_record(actor=actor, action="lifecycle.applicant_create", target=applicant, org_path=organization.path,
                 after={"name": applicant.name, "id_number": applicant.id_number_masked,
                        "applied_on": f"{applied_on:%Y-%m-%d}"})  # fmt: skip
    _record(actor=actor, applicant=applicant, step=first, entry=entry, files=files)
    return applicant


@transaction.atomic
def step_record(
    *, actor, applicant: Applicant, step: Step, entry: rules.StepEntry, files: Sequence = ()
) -> StepRecord:
    """Record the next step of a person's path. The higher committee's approval makes them a
    预备党员 (a Member row), the approval of the conversion a 正式党员."""
    applicant = (
        Applicant.objects.select_for_update(of=("self",))
        .select_related("organization", "member")
        .get(pk=applicant.pk)
    )
    _require_work(actor, applicant.organization)
    if applicant.state != Applicant.State.ACTIVE:
        raise ValidationError(_("%(name)s已%(state)s，不能再记录步骤。") % {"name": applicant.name,
                                                                      "state": applicant.get_state_display()})  # fmt: skip
    all_rules = step_rules()
    done = done_of(applicant)
    _raise(rules.step_problems(step.as_rule(), entry, rules=all_rules, done=done, birth_date=applicant.birth_date,
                               today=timezone.localdate()))  # fmt: skip
    _raise(_training_problems(applicant, step, entry))
    record = _record(actor=actor, applicant=applicant, step=step, entry=entry, files=files)
    done[step.code] = entry.done_on
    if step.code == APPROVAL:
        applicant.member = _admit(actor, applicant, admitted_on=done[ADMISSION])
    elif step.code == CONVERSION:
        _convert(actor, applicant, admitted_on=done[ADMISSION])
        applicant.state = Applicant.State.MEMBER
    _refresh(applicant, all_rules, done)
    applicant.full_clean()
    applicant.save()
    return record


def _training_problems(applicant: Applicant, step: Step, entry: rules.StepEntry) -> dict[str, str]:
    """A step that needs the 发展对象 test passed (where one is in force), and the training's
    hours against the courses recorded for the applicant in its days."""
    errors: dict[str, str] = {}
    if step.needs_test:
        problem = selectors.exam_gate_problem(applicant, step.name)
        if problem:
            errors["__all__"] = problem
    if step.special == rules.TRAINING and entry.until is not None:
        courses, hours = selectors.training_hours(applicant, entry.done_on, entry.until)
        problem = rules.training_hours_problem(typed=entry.hours, recorded=hours, courses=courses)
        if problem:
            errors["hours"] = problem
    return errors


def _admit(actor, applicant: Applicant, *, admitted_on: date) -> Member:
    """The new 预备党员 on the roster of their branch; 入党日期 is the day the branch meeting admitted them."""
    try:
        return member_services.member_create(
            actor=actor, organization=applicant.organization, id_number=applicant.id_number, phone=applicant.phone,
            name=applicant.name, gender=applicant.gender, ethnicity=applicant.ethnicity,
            birth_date=applicant.birth_date, education=applicant.education, joined_on=admitted_on,
            full_member_on=None, status=Member.Status.PROBATIONARY, category=applicant.category,
        )  # fmt: skip
    except ValidationError as error:
        raise ValidationError(_("不能列入党员名册：%(why)s") % {"why": "；".join(error.messages)}) from None


def _convert(actor, applicant: Applicant, *, admitted_on: date) -> None:
    member = applicant.member
    if member is None:  # pragma: no cover - approval always precedes conversion
        raise ValidationError(_("尚未列入党员名册，不能转正。"))
    member_services.member_update(
        actor=actor, member=member, organization=member.organization, id_number=member.id_number,
        phone=member.phone, status=Member.Status.FULL, full_member_on=rules.full_member_on(admitted_on),
    )  # fmt: skip


@transaction.atomic
def applicant_stop(*, actor, applicant: Applicant, reason: str) -> Applicant:
    """End a person's path (withdrawn, not admitted); the steps done stay on record."""
    _require_work(actor, applicant.organization)
    if applicant.state != Applicant.State.ACTIVE:
        raise ValidationError(_("%(name)s的发展程序已结束。") % {"name": applicant.name})
    if applicant.member_id is not None:
        raise ValidationError(
            _("%(name)s已是预备党员：请记录“取消预备党员资格”。") % {"name": applicant.name}
        )
    if not reason.strip():
        raise field_error("reason", _("请填写终止原因。"), "required")
    applicant.state = Applicant.State.STOPPED
    applicant.stopped_reason = reason.strip()[:300]
    applicant.full_clean()
    applicant.save()
    audit_record(actor=actor, action="lifecycle.applicant_stop", target=applicant, org_path=applicant.org_path,
                 extra={"reason": applicant.stopped_reason})  # fmt: skip
    return applicant


@transaction.atomic
def departure_record(*, actor, member: Member, kind: str, left_on: date, note: str = "") -> Departure:
    """Record that a member left (退党, 除名, 开除, 取消预备党员资格, 死亡, 转出). The member row stays."""
    member = Member.objects.select_for_update(of=("self",)).select_related("organization").get(pk=member.pk)
    _require_work(actor, member.organization)
    errors: dict[str, str] = {}
    if Departure.objects.filter(member=member).exists():
        raise ValidationError(_("%(name)s的减少情况已记录，不能重复记录。") % {"name": member.name})
    if kind not in Departure.Kind.values:
        errors["kind"] = _("请选择减少类别。")
    elif kind == Departure.Kind.PROBATION_CANCELLED and member.status != Member.Status.PROBATIONARY:
        errors["kind"] = _("%(name)s是正式党员，不能取消预备党员资格。") % {"name": member.name}
    today = timezone.localdate()
    if left_on > today:
        errors["left_on"] = _("日期不能晚于今天（%(today)s）。") % {"today": f"{today:%Y-%m-%d}"}
    elif left_on <= member.joined_on:
        errors["left_on"] = _("日期应晚于入党日期 %(day)s。") % {"day": f"{member.joined_on:%Y-%m-%d}"}
    if (
        kind in (Departure.Kind.REMOVED, Departure.Kind.EXPELLED, Departure.Kind.PROBATION_CANCELLED)
        and not note.strip()
    ):
        errors["note"] = _("请写明处理依据（组织决定或处分决定的文号）。")
    _raise(errors)
    departure = Departure(member=member, kind=kind, left_on=left_on, note=note.strip()[:500], org_path=member.org_path,
                          recorded_by=actor)  # fmt: skip
    departure.full_clean()
    departure.save()
    # the roster and the counters read the member's own copy of the date (members is below lifecycle)
    member.left_on = left_on
    member.save(update_fields=["left_on", "updated_at"])
    member_services.members_recount([member.organization_id])
    path = Applicant.objects.filter(member=member, state=Applicant.State.ACTIVE)
    path.update(
        state=Applicant.State.STOPPED, stopped_reason=departure.get_kind_display(), updated_at=timezone.now()
    )
    audit_record(actor=actor, action="lifecycle.departure_record", target=member, org_path=member.org_path,
                 after={"kind": departure.get_kind_display(), "left_on": f"{left_on:%Y-%m-%d}", "note": departure.note})  # fmt: skip
    return departure


def deadline_reminders_send(*, today: date) -> int:
    """Tell the keepers of each branch whose person's next step is due within SOON_DAYS (or late),
    once per person and step. Returns how many people were reminded about."""
    horizon = today + timedelta(days=rules.SOON_DAYS)
    due = list(
        Applicant.objects.filter(state=Applicant.State.ACTIVE, next_deadline__lte=horizon)
        .exclude(reminded_for=F("next_step"))
        .select_related("next_step", "organization")
    )
    if not due:
        return 0
    keepers: dict[int, list] = {}
    users = get_user_model().objects.filter(
        is_active=True,
        organization_id__in={a.organization_id for a in due},
        role__in=[Role.SECRETARY, Role.CLERK],
    )
    for user in users:
        keepers.setdefault(user.organization_id, []).append(user)
    for applicant in due:
        with transaction.atomic():
            step = applicant.next_step
            late = applicant.next_deadline < today
            text = (_("%(name)s的“%(step)s”已超过期限 %(day)s。") if late else
                    _("%(name)s的“%(step)s”须在 %(day)s 前完成。")) % {
                "name": applicant.name, "step": step.name, "day": f"{applicant.next_deadline:%Y-%m-%d}"}  # fmt: skip
            notify(recipients=keepers.get(applicant.organization_id, []), text=text,
                   link=reverse("lifecycle:applicant", args=[applicant.pk]))  # fmt: skip
            Applicant.objects.filter(pk=applicant.pk).update(reminded_for=step)
    return len(due)


def _keepers(org: Organization) -> list:
    """Who acts for an organisation on a transfer: its secretaries and clerks, and the organisers there."""
    return list(
        get_user_model().objects.filter(
            is_active=True, organization=org, role__in=[Role.SECRETARY, Role.CLERK, Role.ORGANISER]
        )
    )


@transaction.atomic
def transfer_send(*, actor, member: Member, sent_on: date, reason: str, to_org: Organization | None = None,
                  destination: str = "") -> Transfer:  # fmt: skip
    """Send a member's relationship out: to a branch of the platform (it is received there), or out
    of the platform (a letter, and the member leaves as 转出)."""
    member = Member.objects.select_for_update(of=("self",)).select_related("organization").get(pk=member.pk)
    _require_work(actor, member.organization)
    errors: dict[str, str] = {}
    if Departure.objects.filter(member=member).exists():
        raise ValidationError(_("%(name)s已减少，不能转接组织关系。") % {"name": member.name})
    if Transfer.objects.filter(
        member=member, status__in=[Transfer.Status.SENT, Transfer.Status.RECEIVED]
    ).exists():
        raise ValidationError(_("%(name)s有一笔转接尚未办结，请先办结。") % {"name": member.name})
    if to_org is None and not destination.strip():
        errors["to_org"] = _("请填写转入的党支部（平台内填组织编码），或转往平台外的党组织名称。")
    elif to_org is not None and to_org.kind != Organization.Kind.BRANCH:
        errors["to_org"] = _("组织关系应转入党支部：“%(org)s”不是党支部。") % {"org": to_org.name}
    elif to_org is not None and to_org.pk == member.organization_id:
        errors["to_org"] = _("转入的党支部就是%(name)s现在的党支部。") % {"name": member.name}
    today = timezone.localdate()
    if sent_on > today:
        errors["sent_on"] = _("日期不能晚于今天（%(today)s）。") % {"today": f"{today:%Y-%m-%d}"}
    elif sent_on <= member.joined_on:
        errors["sent_on"] = _("日期应晚于入党日期 %(day)s。") % {"day": f"{member.joined_on:%Y-%m-%d}"}
    if not reason.strip():
        errors["reason"] = _("请填写转接原因（如工作调动、升学、迁居）。")
    _raise(errors)
    sequence = Transfer.objects.filter(sent_on__year=sent_on.year).count() + 1
    transfer = Transfer(
        member=member, from_org=member.organization, from_path=member.org_path, to_org=to_org,
        to_path=to_org.path if to_org else "", destination="" if to_org else destination.strip()[:100],
        letter_number=f"{sent_on.year}-{sequence:06d}", reason=reason.strip()[:200], sent_on=sent_on,
        valid_until=sent_on + timedelta(days=rules.LETTER_VALID_DAYS),
        status=Transfer.Status.SENT if to_org else Transfer.Status.OUTSIDE, sent_by=actor,
    )  # fmt: skip
    transfer.full_clean()
    transfer.save()
    audit_record(actor=actor, action="lifecycle.transfer_send", target=member, org_path=member.org_path,
                 after={"letter": transfer.letter_number, "to": to_org.name if to_org else transfer.destination,
                        "sent_on": f"{sent_on:%Y-%m-%d}", "reason": transfer.reason})  # fmt: skip
    if to_org is None:
        departure_record(actor=actor, member=member, kind=Departure.Kind.TRANSFERRED_OUT, left_on=sent_on,
                         note=_("转往%(to)s，介绍信%(letter)s") % {"to": transfer.destination,
                                                               "letter": transfer.letter_number})  # fmt: skip
    else:
        notify(recipients=_keepers(to_org), text=_("%(from)s的%(name)s转入本支部，请在 %(until)s 前接收。") % {
            "from": member.organization.name, "name": member.name, "until": f"{transfer.valid_until:%Y-%m-%d}"},
            link=reverse("lifecycle:transfers", args=[to_org.pk]))  # fmt: skip
    return transfer


def _require_receiving(actor, transfer: Transfer, *statuses: str) -> None:
    if transfer.to_org is None:
        raise PermissionDenied
    _require_work(actor, transfer.to_org)
    if transfer.status not in statuses:
        raise ValidationError(
            _("这笔转接%(state)s，不能再办理此项。") % {"state": transfer.get_status_display()}
        )


@transaction.atomic
def transfer_receive(*, actor, transfer: Transfer, received_on: date) -> Transfer:
    """The receiving branch takes the member onto its roster, within the letter's validity."""
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("to_org", "member", "from_org")
        .get(pk=transfer.pk)
    )
    _require_receiving(actor, transfer, Transfer.Status.SENT)
    problem = rules.transfer_receive_problem(sent_on=transfer.sent_on, valid_until=transfer.valid_until,
                                             day=received_on, today=timezone.localdate())  # fmt: skip
    if problem:
        raise field_error("received_on", problem, "invalid")
    member = transfer.member
    member_services.member_update(actor=actor, member=member, organization=transfer.to_org,
                                  id_number=member.id_number, phone=member.phone)  # fmt: skip
    transfer.status = Transfer.Status.RECEIVED
    transfer.received_on = received_on
    transfer.full_clean()
    transfer.save()
    audit_record(actor=actor, action="lifecycle.transfer_receive", target=member, org_path=transfer.to_path,
                 after={"letter": transfer.letter_number, "received_on": f"{received_on:%Y-%m-%d}"})  # fmt: skip
    # the 回执: the sending branch hears that its member arrived
    notify(recipients=_keepers(transfer.from_org), text=_("%(name)s的组织关系已由%(to)s接收（介绍信 %(letter)s）。") % {
        "name": member.name, "to": transfer.to_org.name, "letter": transfer.letter_number},
        link=reverse("lifecycle:transfers", args=[transfer.from_org_id]))  # fmt: skip
    return transfer


@transaction.atomic
def transfer_confirm(*, actor, transfer: Transfer, confirmed_on: date) -> Transfer:
    """The member has reported to the new branch (报到): the transfer is done."""
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("to_org", "member")
        .get(pk=transfer.pk)
    )
    _require_receiving(actor, transfer, Transfer.Status.RECEIVED)
    if confirmed_on > timezone.localdate() or confirmed_on < (transfer.received_on or transfer.sent_on):
        raise field_error("confirmed_on", _("报到日期应在接收日期 %(day)s 与今天之间。") % {
            "day": f"{transfer.received_on:%Y-%m-%d}"}, "invalid")  # fmt: skip
    transfer.status = Transfer.Status.CONFIRMED
    transfer.confirmed_on = confirmed_on
    transfer.full_clean()
    transfer.save()
    audit_record(actor=actor, action="lifecycle.transfer_confirm", target=transfer.member, org_path=transfer.to_path,
                 after={"letter": transfer.letter_number, "confirmed_on": f"{confirmed_on:%Y-%m-%d}"})  # fmt: skip
    return transfer


@transaction.atomic
def transfer_return(*, actor, transfer: Transfer, note: str) -> Transfer:
    """The receiving branch refuses it (letter expired, wrong branch): the member stays where they were."""
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("to_org", "member", "from_org")
        .get(pk=transfer.pk)
    )
    _require_receiving(actor, transfer, Transfer.Status.SENT)
    if not note.strip():
        raise field_error("note", _("请填写退回原因。"), "required")
    transfer.status = Transfer.Status.RETURNED
    transfer.note = note.strip()[:300]
    transfer.full_clean()
    transfer.save()
    audit_record(actor=actor, action="lifecycle.transfer_return", target=transfer.member, org_path=transfer.to_path,
                 after={"letter": transfer.letter_number, "note": transfer.note})  # fmt: skip
    notify(recipients=_keepers(transfer.from_org), text=_("%(name)s的组织关系转接被退回：%(why)s") % {
        "name": transfer.member.name, "why": transfer.note}, link=reverse("lifecycle:transfers",
                                                                           args=[transfer.from_org_id]))  # fmt: skip
    return transfer


def _not_future(field: str, day: date, *, not_before: date | None = None, before_label: str = "") -> None:
    today = timezone.localdate()
    if day > today:
        raise field_error(
            field, _("日期不能晚于今天（%(today)s）。") % {"today": f"{today:%Y-%m-%d}"}, "future"
        )
    if not_before is not None and day < not_before:
        raise field_error(field, _("日期不能早于%(what)s %(day)s。") % {"what": before_label,
                                                                    "day": f"{not_before:%Y-%m-%d}"}, "early")  # fmt: skip


@transaction.atomic
def mobile_register(*, actor, member: Member, place: str, certificate_number: str, contact: str, left_on: date,
                    inflow_org: Organization | None = None) -> MobileRecord:  # fmt: skip
    """Register a member as 流动党员 with their 活动证, where they are and how to reach them."""
    member = Member.objects.select_for_update(of=("self",)).select_related("organization").get(pk=member.pk)
    _require_work(actor, member.organization)
    if Departure.objects.filter(member=member).exists():
        raise ValidationError(_("%(name)s已减少，不能登记为流动党员。") % {"name": member.name})
    if MobileRecord.objects.filter(member=member, returned_on__isnull=True).exists():
        raise ValidationError(_("%(name)s已登记为流动党员，尚未返回。") % {"name": member.name})
    errors: dict[str, str] = {}
    phone = member_rules.normalise_phone(contact)
    if not phone or member_rules.phone_problem(phone):
        errors["contact"] = member_rules.phone_problem(phone) if phone else _("请填写能联系到本人的电话。")
    if not place.strip():
        errors["place"] = _("请填写外出地点及单位。")
    if not certificate_number.strip():
        errors["certificate_number"] = _("请填写流动党员活动证编号。")
    elif MobileRecord.objects.filter(certificate_number=certificate_number.strip()).exists():
        errors["certificate_number"] = _("活动证编号“%(n)s”已使用。") % {"n": certificate_number.strip()}
    if inflow_org is not None and inflow_org.pk == member.organization_id:
        errors["inflow_org"] = _("流入地党组织不能是本人所在的党组织。")
    _raise({k: str(v) for k, v in errors.items() if v})
    _not_future("left_on", left_on, not_before=member.joined_on, before_label=_("入党日期"))
    record = MobileRecord(
        member=member, outflow_org=member.organization, outflow_path=member.org_path, inflow_org=inflow_org,
        inflow_path=inflow_org.path if inflow_org else "", place=place.strip()[:100],
        certificate_number=certificate_number.strip()[:30], contact=phone, left_on=left_on, registered_by=actor,
    )  # fmt: skip
    record.full_clean()
    record.save()
    audit_record(actor=actor, action="lifecycle.mobile_register", target=member, org_path=member.org_path,
                 after={"place": record.place, "certificate": record.certificate_number,
                        "inflow": inflow_org.name if inflow_org else "", "contact": record.contact_masked})  # fmt: skip
    if inflow_org is not None:
        notify(recipients=_keepers(inflow_org), text=_("流动党员%(name)s（%(from)s）流入本组织，请纳入日常管理。") % {
            "name": member.name, "from": member.organization.name},
            link=reverse("lifecycle:mobile", args=[inflow_org.pk]))  # fmt: skip
    return record


def _may_follow(actor, record: MobileRecord) -> None:
    """Either side may act on a record: the outflow organisation follows, the inflow one manages."""
    sides = [record.outflow_org] + ([record.inflow_org] if record.inflow_org else [])
    if not any(may_work(actor, org) for org in sides):
        raise PermissionDenied


def _open(record: MobileRecord) -> MobileRecord:
    record = MobileRecord.objects.select_for_update(of=("self",)).select_related("member", "outflow_org", "inflow_org").get(
        pk=record.pk)  # fmt: skip
    if record.returned_on is not None:
        raise ValidationError(_("%(name)s已于 %(day)s 返回，记录已办结。") % {"name": record.member.name,
                                                                      "day": f"{record.returned_on:%Y-%m-%d}"})  # fmt: skip
    return record


@transaction.atomic
def mobile_activity_record(*, actor, record: MobileRecord, held_on: date, what: str) -> MobileActivity:
    """The inflow organisation records what the member took part in."""
    record = _open(record)
    if record.inflow_org is None or not may_work(actor, record.inflow_org):
        raise PermissionDenied
    if not what.strip():
        raise field_error("what", _("请填写参加的活动。"), "required")
    _not_future("held_on", held_on, not_before=record.left_on, before_label=_("外出日期"))
    activity = MobileActivity(record=record, held_on=held_on, what=what.strip()[:200], recorded_by=actor)
    activity.full_clean()
    activity.save()
    audit_record(actor=actor, action="lifecycle.mobile_activity", target=record.member, org_path=record.inflow_path,
                 after={"held_on": f"{held_on:%Y-%m-%d}", "what": activity.what})  # fmt: skip
    return activity


@transaction.atomic
def mobile_contact_set(*, actor, record: MobileRecord, lost_since: date | None) -> MobileRecord:
    """Mark the member out of contact (失联) since a day, or in contact again (None)."""
    record = _open(record)
    _may_follow(actor, record)
    if lost_since is not None:
        _not_future("lost_since", lost_since, not_before=record.left_on, before_label=_("外出日期"))
    before = record.lost_since
    record.lost_since = lost_since
    record.full_clean()
    record.save()
    audit_record(actor=actor, action="lifecycle.mobile_contact", target=record.member, org_path=record.outflow_path,
                 before={"lost_since": f"{before:%Y-%m-%d}" if before else ""},
                 after={"lost_since": f"{lost_since:%Y-%m-%d}" if lost_since else ""})  # fmt: skip
    return record


@transaction.atomic
def mobile_return(*, actor, record: MobileRecord, returned_on: date) -> MobileRecord:
    """The member is back: the outflow organisation closes the record (it stays as history)."""
    record = _open(record)
    _require_work(actor, record.outflow_org)
    _not_future("returned_on", returned_on, not_before=record.left_on, before_label=_("外出日期"))
    record.returned_on = returned_on
    record.lost_since = None
    record.full_clean()
    record.save()
    audit_record(actor=actor, action="lifecycle.mobile_return", target=record.member, org_path=record.outflow_path,
                 after={"returned_on": f"{returned_on:%Y-%m-%d}"})  # fmt: skip
    return record
