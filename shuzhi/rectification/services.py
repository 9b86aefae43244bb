import hashlib
from collections import defaultdict
from datetime import date, timedelta
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.accounts.models import User
from shuzhi.ballots.models import Comment
from shuzhi.core.errors import field_error
from shuzhi.core.roles import Role
from shuzhi.core.services import audit_record, notify
from shuzhi.core.uploads import check_upload, files_removed_on_error
from shuzhi.cycles.models import Cycle
from shuzhi.rectification import rules
from shuzhi.rectification.models import Accountability, Evidence, Item, ItemEvent, Milestone, QuarterlyCheck
from shuzhi.reports.models import ReportItem

DEFAULT_DAYS = 90
EVIDENCE_KINDS = frozenset({"png", "jpeg", "docx", "pdf"})
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def is_unit(actor, item: Item) -> bool:
    """The unit's own secretary."""
    return actor.role == Role.SECRETARY and actor.organization_id == item.organization_id


def is_above(actor, item: Item) -> bool:
    """An organiser of a level above the unit (never the unit itself)."""
    path = actor.organization.path
    return actor.role == Role.ORGANISER and item.org_path.startswith(path) and item.org_path != path


def _event(item: Item, *, actor, action: str, before: str = "", note: str = "") -> None:
    ItemEvent.objects.create(
        item=item, action=action, from_status=before, to_status=item.status, note=note, actor=actor
    )
    audit_record(actor=actor, action=f"rectification.{action}", target=item, org_path=item.org_path,
                 before={"status": before} if before else None, after={"status": item.status},
                 extra={"note": note} if note else None)  # fmt: skip


def _move(item: Item, target: str, *, actor, who: str, action: str, note: str = "") -> Item:
    allowed = rules.TRANSITIONS.get((item.status, target))
    if allowed is None:
        raise ValidationError(
            _("事项当前为“%(status)s”，不能%(action)s。")
            % {"status": item.get_status_display(), "action": ACTIONS.get(action, action)},
            code="transition",
        )
    if allowed != who:
        raise ValidationError(NOT_ALLOWED[allowed], code="not_allowed")
    before = item.status
    item.status = target
    if target == Item.Status.IN_PROGRESS:
        item.started = True
    item.closed_at = timezone.now() if target == Item.Status.CLOSED else None
    item.progress = rules.progress(item.status, started=item.started)
    item.save(update_fields=["status", "started", "closed_at", "progress", "updated_at"])
    _event(item, actor=actor, action=action, before=before, note=note)
    if item.parent_id:
        _roll_up(item.parent_id)
    return item


ACTIONS = {
    "start": "开始整改",
    "request": "申请销号",
    "sign_off": "销号",
    "refuse": "退回",
    "reopen": "重新打开",
    "overdue": "标为逾期",
}
NOT_ALLOWED = {
    "unit": _("只有整改单位的书记可以进行此操作。"),
    "above": _("销号、退回和重新打开只能由上级组织部进行，整改单位不能为自己的事项销号。"),
    "system": _("逾期由系统每天自动标记。"),
}


def _roll_up(parent_id: int) -> None:
    """A parent's progress from its children, by weight (and up the chain)."""
    parent = Item.objects.select_for_update().get(pk=parent_id)
    children = list(parent.children.values_list("progress", "weight"))
    parent.progress = rules.rolled_up(children)
    parent.save(update_fields=["progress", "updated_at"])
    if parent.parent_id:
        _roll_up(parent.parent_id)


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update().select_related("organization").get(pk=item.pk)


@transaction.atomic
def items_generate(*, actor, cycle: Cycle, days: int = DEFAULT_DAYS) -> int:
    """From a published cycle: every problem in the reports and every 点评 becomes an item of the
    unit it concerns, due `days` after today. Run again, it adds only what is new."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if actor.role != Role.ORGANISER or actor.organization_id != cycle.organization_id:
        raise ValidationError(_("只有本周期组织单位的组织部账号可以生成整改事项。"), code="not_owner")
    if cycle.status not in (Cycle.Status.PUBLISHED, Cycle.Status.ARCHIVED):
        raise ValidationError(_("考核结果公布后才能生成整改事项。"), code="not_published")
    deadline = timezone.localdate() + timedelta(days=days)
    existing = set(Item.objects.filter(cycle=cycle).values_list("source", "source_id"))
    new = []
    problems = ReportItem.objects.filter(
        report__reporter__cycle=cycle, kind=ReportItem.Kind.PROBLEM
    ).select_related("report__reporter__organization")
    for problem in problems:
        if (Item.Source.PROBLEM, problem.pk) not in existing:
            org = problem.report.reporter.organization
            new.append(Item(cycle=cycle, organization=org, org_path=org.path, source=Item.Source.PROBLEM, source_id=problem.pk,
                            title=problem.text[:300], deadline=deadline))  # fmt: skip
    # the presiding secretary's overall comment is the meeting's (no reporter): no unit's item
    comments = Comment.objects.filter(meeting__cycle=cycle, reporter__isnull=False)
    for comment in comments.select_related("reporter__organization"):
        if (Item.Source.COMMENT, comment.pk) not in existing:
            org = comment.reporter.organization
            new.append(Item(cycle=cycle, organization=org, org_path=org.path, source=Item.Source.COMMENT, source_id=comment.pk,
                            title=comment.text[:300], deadline=deadline))  # fmt: skip
    Item.objects.bulk_create(new)
    ItemEvent.objects.bulk_create(
        ItemEvent(item=item, action="generate", to_status=item.status, actor=actor) for item in new
    )
    audit_record(
        actor=actor,
        action="rectification.generate",
        target=cycle,
        org_path=cycle.org_path,
        extra={"items": len(new)},
    )
    units = {item.organization_id for item in new}
    secretaries = User.objects.filter(organization_id__in=units, role=Role.SECRETARY, is_active=True)
    notify(recipients=list(secretaries), text=_("“%(title)s”的整改事项已下达，请完善整改措施并确认整改方案。") % {"title": cycle.title},
           link="/rectification/mine/")  # fmt: skip
    return len(new)


@transaction.atomic
def item_plan(*, actor, item: Item, measures: str, responsible: str, deadline: date) -> Item:
    """The unit fills in its measures, responsible person and deadline (its 整改方案)."""
    item = _locked(item)
    if not is_unit(actor, item):
        raise ValidationError(NOT_ALLOWED["unit"], code="not_allowed")
    if item.status == Item.Status.CLOSED:
        raise ValidationError(_("已销号的事项不能修改。"), code="closed")
    if not measures.strip():
        raise field_error("measures", _("请填写整改措施。"), "required")
    if not responsible.strip():
        raise field_error("responsible", _("请填写责任人。"), "required")
    item.measures, item.responsible, item.deadline = measures.strip(), responsible.strip(), deadline
    item.full_clean()
    item.save()
    _event(item, actor=actor, action="plan", before=item.status)
    return item


@transaction.atomic
def item_split(*, actor, parent: Item, title: str, deadline: date, weight: int = 1) -> Item:
    """Break an item into a step (a child item) — by the unit or the level above."""
    parent = _locked(parent)
    if not (is_unit(actor, parent) or is_above(actor, parent)):
        raise ValidationError(_("只有整改单位或上级组织部可以分解事项。"), code="not_allowed")
    if parent.status == Item.Status.CLOSED:
        raise ValidationError(_("已销号的事项不能再分解。"), code="closed")
    child = Item(cycle_id=parent.cycle_id, organization_id=parent.organization_id, org_path=parent.org_path, parent=parent,
                 title=title.strip(), deadline=deadline, weight=weight)  # fmt: skip
    child.full_clean()
    child.save()
    _event(child, actor=actor, action="split")
    _roll_up(parent.pk)
    return child


@transaction.atomic
def plan_confirm(*, actor, cycle: Cycle) -> int:
    """The secretary confirms their unit's items as its 整改方案: every item has measures and a
    responsible person; the items start."""
    items = list(
        Item.objects.select_for_update().filter(
            cycle=cycle, organization=actor.organization, parent__isnull=True
        )
    )
    if actor.role != Role.SECRETARY or not items:
        raise ValidationError(_("没有需要确认的整改事项。"), code="none")
    missing = [item.title[:20] for item in items if not item.measures or not item.responsible]
    if missing:
        raise ValidationError(
            _("以下事项还没有填写整改措施或责任人：%(items)s") % {"items": "；".join(missing)},
            code="incomplete",
        )
    now = timezone.now()
    for item in items:
        item.plan_confirmed_at = now
        item.save(update_fields=["plan_confirmed_at", "updated_at"])
        if item.status == Item.Status.NOT_STARTED:
            _move(item, Item.Status.IN_PROGRESS, actor=actor, who="unit", action="start")
    return len(items)


def _store_evidence(milestone: Milestone, upload: IO[bytes], name: str, kind: str, stored: list) -> Evidence:
    upload.seek(0)
    data = upload.read(EVIDENCE_MAX_BYTES + 1)
    digest = hashlib.sha256(data).hexdigest()
    evidence = Evidence(
        milestone=milestone, original_name=name[-200:], kind=kind, size=len(data), sha256=digest
    )
    evidence.file.save(f"{digest[:16]}.{'jpg' if kind == 'jpeg' else kind}", ContentFile(data), save=False)
    stored.append(evidence.file)
    evidence.save()
    return evidence


@transaction.atomic
def milestone_add(*, actor, item: Item, on: date, text: str, files=()) -> Milestone:
    """A step reached, with evidence. Starting work moves a new item to 整改中."""
    item = _locked(item)
    if not is_unit(actor, item):
        raise ValidationError(NOT_ALLOWED["unit"], code="not_allowed")
    if item.status in (Item.Status.CLOSED, Item.Status.AWAITING):
        raise ValidationError(
            _("事项%(status)s，不能再添加进展。") % {"status": item.get_status_display()}, code="locked"
        )
    if not text.strip():
        raise field_error("text", _("请填写进展情况。"), "required")
    if on > timezone.localdate():
        raise field_error("on", _("进展日期不能晚于今天。"), "future")
    # every file judged before any is stored; a refusal after that removes what was stored
    kinds = [
        check_upload(upload, upload.size, allowed=EVIDENCE_KINDS, max_bytes=EVIDENCE_MAX_BYTES)
        for upload in files
    ]
    with files_removed_on_error() as stored_files:
        milestone = Milestone.objects.create(item=item, on=on, text=text.strip(), created_by=actor)
        stored = [
            _store_evidence(milestone, upload, upload.name, kind, stored_files)
            for upload, kind in zip(files, kinds, strict=True)
        ]
        _event(item, actor=actor, action="milestone", before=item.status,
               note=text.strip()[:200] + (f"（佐证 {len(stored)} 件）" if stored else ""))  # fmt: skip
        if item.status in (Item.Status.NOT_STARTED, Item.Status.RETURNED, Item.Status.OVERDUE):
            _move(item, Item.Status.IN_PROGRESS, actor=actor, who="unit", action="start")
    return milestone


@transaction.atomic
def signoff_request(*, actor, item: Item) -> Item:
    item = _locked(item)
    if item.children.exclude(status=Item.Status.CLOSED).exists():
        raise ValidationError(_("还有分解的步骤没有销号，请先完成全部步骤。"), code="children_open")
    if not item.milestones.exists():
        raise ValidationError(_("请先添加整改进展和佐证材料，再申请销号。"), code="no_milestone")
    item = _move(
        item, Item.Status.AWAITING, actor=actor, who="unit" if is_unit(actor, item) else "", action="request"
    )
    organisers = User.objects.filter(
        role=Role.ORGANISER, organization_id=item.cycle.organization_id, is_active=True
    )
    notify(recipients=list(organisers), text=_("%(unit)s申请销号：%(title)s") % {"unit": item.organization.name, "title": item.title[:40]},
           link=item.get_absolute_url())  # fmt: skip
    return item


def _secretaries(item: Item) -> list[User]:
    return list(
        User.objects.filter(organization_id=item.organization_id, role=Role.SECRETARY, is_active=True)
    )


@transaction.atomic
def sign_off(*, actor, item: Item) -> Item:
    item = _locked(item)
    item = _move(
        item,
        Item.Status.CLOSED,
        actor=actor,
        who="above" if is_above(actor, item) else "",
        action="sign_off",
    )
    notify(
        recipients=_secretaries(item),
        text=_("整改事项已销号：%(title)s") % {"title": item.title[:40]},
        link=item.get_absolute_url(),
    )
    return item


@transaction.atomic
def sign_off_refuse(*, actor, item: Item, reason: str) -> Item:
    return _move_with_reason(
        item, Item.Status.RETURNED, actor=actor, action="refuse", reason=reason,
        missing=_("请写明退回理由（至少 4 个字）。"), notice=_("销号申请被退回：%(reason)s"),
    )  # fmt: skip


@transaction.atomic
def item_reopen(*, actor, item: Item, reason: str) -> Item:
    return _move_with_reason(
        item, Item.Status.IN_PROGRESS, actor=actor, action="reopen", reason=reason,
        missing=_("请写明重新打开的理由（至少 4 个字）。"), notice=_("整改事项被重新打开：%(reason)s"),
    )  # fmt: skip


def _move_with_reason(
    item: Item, status: str, *, actor, action: str, reason: str, missing: str, notice: str
) -> Item:
    """A move that needs a written reason (refusing a sign-off, reopening); the unit is told why."""
    item = _locked(item)
    reason = reason.strip()
    if len(reason) < 4:
        raise field_error("reason", missing, "reason")
    item = _move(
        item, status, actor=actor, who="above" if is_above(actor, item) else "", action=action, note=reason
    )
    notify(
        recipients=_secretaries(item), text=notice % {"reason": reason[:100]}, link=item.get_absolute_url()
    )
    return item


def items_mark_overdue(*, today: date | None = None) -> int:
    """The scheduled job: items past their deadline and not done are marked 逾期; then each unit
    and each organising body gets one digest of the night's overdue items (not one message per
    item: an organiser of a city would get thousands)."""
    today = today or timezone.localdate()
    count = 0
    due = Item.objects.filter(
        status__in=(Item.Status.NOT_STARTED, Item.Status.IN_PROGRESS, Item.Status.RETURNED),
        deadline__lt=today,
    )
    by_unit: dict[int, list[str]] = defaultdict(list)
    by_cycle: dict[int, list[int]] = defaultdict(list)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            item = _locked(Item(pk=pk))
            if not rules.is_overdue(item.status, item.deadline, today):
                continue
            _move(
                item,
                Item.Status.OVERDUE,
                actor=None,
                who="system",
                action="overdue",
                note=_("超过整改时限 %(d)s") % {"d": item.deadline},
            )
        by_unit[item.organization_id].append(item.title)
        by_cycle[item.cycle_id].append(item.organization_id)
        count += 1
    if count:
        _overdue_digests(by_unit, by_cycle)
    return count


@transaction.atomic
def _overdue_digests(by_unit: dict[int, list[str]], by_cycle: dict[int, list[int]]) -> None:
    """One notification per unit's secretaries and one per organising body's organisers."""
    by_organiser: dict[int, list[int]] = defaultdict(list)  # organising body: the units of its items
    for cycle_id, organization_id in Cycle.objects.filter(pk__in=by_cycle).values_list(
        "pk", "organization_id"
    ):
        by_organiser[organization_id] += by_cycle[cycle_id]
    secretaries: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(organization_id__in=by_unit, role=Role.SECRETARY, is_active=True):
        secretaries[user.organization_id].append(user)
    for org_id, titles in by_unit.items():
        shown = "；".join(title[:30] for title in titles[:3]) + ("等" if len(titles) > 3 else "")
        notify(recipients=secretaries[org_id],
               text=_("%(n)s 项整改事项已逾期：%(titles)s") % {"n": len(titles), "titles": shown},
               link=reverse("rectification:mine"))  # fmt: skip
    organisers: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(organization_id__in=by_organiser, role=Role.ORGANISER, is_active=True):
        organisers[user.organization_id].append(user)
    for org_id, units in by_organiser.items():
        notify(recipients=organisers[org_id],
               text=_("%(units)s 个单位的 %(n)s 项整改事项已逾期") % {"units": len(set(units)), "n": len(units)},
               link=reverse("rectification:board"))  # fmt: skip


# ---- supervision and accountability ---------------------------------------------------------------


@transaction.atomic
def check_record(
    *, actor, organization, item: Item | None, rating: str, note: str, quarter: str = ""
) -> QuarterlyCheck:
    if actor.role != Role.SUPERVISOR or not organization.path.startswith(actor.organization.path):
        raise ValidationError(_("只有督查办可以记录本级及下级的季度督查。"), code="not_supervisor")
    if rating not in QuarterlyCheck.Rating.values:
        raise field_error("rating", _("请选择评价。"), "rating")
    if not note.strip():
        raise field_error("note", _("请填写督查意见。"), "required")
    check = QuarterlyCheck.objects.create(quarter=quarter or rules.quarter_of(timezone.localdate()), organization=organization,
                                          item=item, rating=rating, note=note.strip(), checked_by=actor)  # fmt: skip
    audit_record(actor=actor, action="rectification.check", target=organization, org_path=organization.path,
                 extra={"quarter": check.quarter, "rating": rating, "item": item.pk if item else None})  # fmt: skip
    return check


@transaction.atomic
def accountability_record(
    *, actor, organization, kind: str, person: str, on: date, reason: str, items=(), results=()
) -> Accountability:
    if actor.role != Role.ORGANISER or not organization.path.startswith(actor.organization.path):
        raise ValidationError(_("只有本级或上级组织部可以记录问责。"), code="not_allowed")
    if kind not in Accountability.Kind.values:
        raise field_error("kind", _("请选择问责方式。"), "kind")
    record = Accountability(kind=kind, person=person.strip(), organization=organization, org_path=organization.path, on=on,
                            reason=reason.strip(), created_by=actor)  # fmt: skip
    record.full_clean()
    record.save()
    if any(r.reporter.organization_id != organization.pk for r in results):
        raise field_error("results", _("所选考核结果不属于该单位。"), "results")
    record.items.set(items)
    record.results.set(results)
    audit_record(actor=actor, action="accountability.record", target=organization, org_path=organization.path,
                 extra={"kind": kind, "person": record.person, "on": on})  # fmt: skip
    return record
