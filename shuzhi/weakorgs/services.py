import hashlib
import time
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.accounts.models import User
from shuzhi.core.bulk import insert_all
from shuzhi.core.errors import field_error
from shuzhi.core.roles import Capability, Role
from shuzhi.core.services import audit_record, notify
from shuzhi.core.uploads import check_upload, files_removed_on_error
from shuzhi.orgs.models import Organization
from shuzhi.weakorgs import gather, rules
from shuzhi.weakorgs.models import (
    Entry,
    EntryEvent,
    Flag,
    FlagRun,
    LiaisonPoint,
    Progress,
    ProgressFile,
    RatioPractice,
    Rule,
    Visit,
)

EVIDENCE_KINDS = frozenset({"png", "jpeg", "docx", "pdf"})
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
FILES_MAX = 9
FLAG_BATCH = 2000
YEARS_BACK = 10
Status = Entry.Status


# ---- who may act -------------------------------------------------------------------------------


def organises(user, org: Organization) -> bool:
    """An organiser whose subtree holds the organisation (confirms the list, edits plans)."""
    return (
        user.is_authenticated
        and user.can(Capability.MANAGE_RECTIFICATION)
        and org.path.startswith(user.organization.path)
    )


def is_above(user, org: Organization) -> bool:
    """An organiser of a level above the organisation (验收 and 销号 are never the unit's own)."""
    return organises(user, org) and len(user.organization.path) < len(org.path)


def is_unit(user, org: Organization) -> bool:
    """The organisation's own secretary."""
    return (
        user.is_authenticated and user.can(Capability.WORK_RECTIFICATION) and user.organization_id == org.pk
    )


def _refuse(message: str, code: str = "not_allowed") -> ValidationError:
    return ValidationError(message, code=code)


def check_year(year: int) -> None:
    this = timezone.localdate().year
    if not this - YEARS_BACK <= year <= this + 1:
        raise field_error("year", _("年度应在 %(a)d 至 %(b)d 之间。") % {"a": this - YEARS_BACK, "b": this + 1},
                          "bad_year")  # fmt: skip


# ---- rules as data -----------------------------------------------------------------------------


@transaction.atomic
def rule_set(*, actor, rule: Rule, threshold: Decimal, fields: list[str], enabled: bool) -> Rule:
    if actor.organization.depth != 1 or not actor.can(Capability.MANAGE_RECTIFICATION):
        raise _refuse(_("研判规则由最上级组织部设置。"))
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    known = set(Organization.Field.values)
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise field_error("fields", _("未知的领域：%(f)s。") % {"f": "、".join(unknown)}, "bad_field")
    if threshold < 0:
        raise field_error("threshold", _("阈值不能为负数。"), "negative")
    if rule.key in (rules.LIFE_BELOW, rules.BOTTOM_SHARE, rules.STAR_LOW) and threshold > 100:
        raise field_error("threshold", _("该规则的阈值是百分比，不能超过 100。"), "over_100")
    before = {"threshold": str(rule.threshold), "fields": rule.fields, "enabled": rule.enabled}
    rule.threshold, rule.fields, rule.enabled = threshold, sorted(fields), enabled
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action="weakorgs.rule_set", target=rule, before=before,
                 after={"threshold": str(rule.threshold), "fields": rule.fields, "enabled": rule.enabled})  # fmt: skip
    return rule


@transaction.atomic
def ratio_set(*, actor, practice: RatioPractice, percent: Decimal, enabled: bool) -> RatioPractice:
    if actor.organization.depth != 1 or not actor.can(Capability.MANAGE_RECTIFICATION):
        raise _refuse(_("倒排比例由最上级组织部设置。"))
    practice = RatioPractice.objects.select_for_update().get(pk=practice.pk)
    before = {"percent": str(practice.percent), "enabled": practice.enabled}
    practice.percent, practice.enabled = percent, enabled
    practice.full_clean()
    practice.save()
    audit_record(actor=actor, action="weakorgs.ratio_set", target=practice, before=before,
                 after={"percent": str(practice.percent), "enabled": practice.enabled})  # fmt: skip
    return practice


# ---- flags -------------------------------------------------------------------------------------


def _roots() -> list[str]:
    return list(Organization.objects.filter(depth=1).values_list("path", flat=True))


@transaction.atomic
def flags_compute(*, year: int, actor=None, today: date | None = None) -> FlagRun:
    """Judge every grassroots organisation by every rule that is on, and replace the year's
    flags with the hits (each with its evidence). Bulk: a few queries per tree, whatever its size."""
    check_year(year)
    started = time.monotonic()
    today = today or timezone.localdate()
    now = timezone.now()
    active = [rule for rule in Rule.objects.filter(enabled=True) if rule.has_source]
    total = 0
    flagged: set[int] = set()
    Flag.objects.filter(year=year).delete()
    batch: list[Flag] = []
    for root in _roots():
        orgs = gather.grassroots_under(root)
        total += len(orgs)
        found = gather.gather(orgs, year=year, today=today, scope=root)
        for org in orgs:
            facts = found.facts[org.id]
            for rule in active:
                if not rule.applies_to(org.field):
                    continue
                if rules.evaluate(rule.key, rule.threshold, facts, today=today) != rules.Outcome.HIT:
                    continue
                flagged.add(org.id)
                summary, evidence = found.explain(org, rule.key)
                batch.append(Flag(organization_id=org.id, org_path=org.path, year=year, rule=rule.key,
                                  summary=summary or rule.label, evidence=evidence, computed_at=now))  # fmt: skip
                if len(batch) >= FLAG_BATCH:
                    insert_all(batch)
                    batch = []
    insert_all(batch)
    run = FlagRun.objects.create(
        year=year, organizations=total, flagged=len(flagged), started_by=actor if actor else None,
        seconds=Decimal(f"{time.monotonic() - started:.2f}"),
    )  # fmt: skip
    audit_record(actor=actor, action="weakorgs.flags_compute", target=run,
                 after={"year": year, "organizations": total, "flagged": len(flagged)})  # fmt: skip
    return run


# ---- the watch list ----------------------------------------------------------------------------


def _event(entry: Entry, *, actor, action: str, note: str = "") -> None:
    EntryEvent.objects.create(entry=entry, action=action, note=note[:500], actor=actor)


def _snapshot(entry: Entry) -> dict:
    return {"status": entry.status, "year": entry.year, "org": entry.organization.name}


def _secretaries(org: Organization) -> list[User]:
    return list(User.objects.filter(organization_id=org.pk, role=Role.SECRETARY, is_active=True))


def _organisers_above(org: Organization) -> list[User]:
    """The organisers of the nearest level above that has any."""
    steplen = Organization.steplen
    ancestors = [org.path[:end] for end in range(steplen, len(org.path), steplen)]
    found = list(
        User.objects.filter(role=Role.ORGANISER, is_active=True, organization__path__in=ancestors)
        .select_related("organization")
        .order_by("-organization__depth")
    )
    if not found:
        return []
    nearest = found[0].organization.depth
    return [user for user in found if user.organization.depth == nearest]


def _reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise field_error(field, _("请写明理由。"), "required")
    return text


@transaction.atomic
def entry_add(*, actor, org: Organization, year: int, reason: str) -> Entry:
    """Confirm an organisation onto the year's list, with the reason and its flags as they stand."""
    if not organises(actor, org):
        raise _refuse(_("只有上级组织部可以确认列入软弱涣散台账。"))
    check_year(year)
    reason = _reason(reason)
    if not (org.level == Organization.Level.VILLAGE or org.kind == Organization.Kind.BRANCH):
        raise _refuse(
            _("“%(org)s”不是基层党组织，不列入软弱涣散台账。") % {"org": org.name}, "not_grassroots"
        )
    existing = Entry.objects.select_for_update().filter(organization=org, year=year).first()
    flags = [{"rule": r, "summary": s} for r, s in
             Flag.objects.filter(organization=org, year=year).values_list("rule", "summary")]  # fmt: skip
    if existing is not None:
        if existing.status != Status.REMOVED:
            raise _refuse(
                _("“%(org)s”已在 %(year)d 年度台账中。") % {"org": org.name, "year": year}, "listed"
            )
        entry = existing
        entry.status, entry.reason, entry.flags, entry.removal_reason = Status.LISTED, reason, flags, ""
        entry.added_by = actor
    else:
        entry = Entry(
            organization=org, org_path=org.path, year=year, reason=reason, flags=flags, added_by=actor
        )
    entry.full_clean()
    entry.save()
    _event(entry, actor=actor, action=_("列入台账"), note=reason)
    audit_record(actor=actor, action="weakorgs.entry_add", target=entry, org_path=org.path,
                 after={**_snapshot(entry), "reason": reason})  # fmt: skip
    notify(recipients=_secretaries(org), link=entry.get_absolute_url(),
           text=_("%(org)s已列入 %(year)d 年度软弱涣散党组织台账，请制定整顿方案。") % {"org": org.name, "year": year})  # fmt: skip
    return entry


def _locked(entry: Entry) -> Entry:
    return Entry.objects.select_for_update().select_related("organization").get(pk=entry.pk)


@transaction.atomic
def entry_remove(*, actor, entry: Entry, reason: str) -> Entry:
    entry = _locked(entry)
    if not organises(actor, entry.organization):
        raise _refuse(_("只有上级组织部可以移出软弱涣散台账。"))
    reason = _reason(reason)
    if entry.status in (Status.CLOSED, Status.REMOVED):
        raise _refuse(
            _("该组织已%(status)s，不能再移出。") % {"status": entry.get_status_display()}, "locked"
        )
    before = _snapshot(entry)
    entry.status, entry.removal_reason = Status.REMOVED, reason
    entry.save()
    _event(entry, actor=actor, action=_("移出台账"), note=reason)
    audit_record(actor=actor, action="weakorgs.entry_remove", target=entry, org_path=entry.org_path,
                 before=before, after={**_snapshot(entry), "reason": reason})  # fmt: skip
    return entry


PLAN_FIELDS = ("problems", "measures", "deadline", "responsible_leader", "liaison_leader", "first_secretary")


@transaction.atomic
def plan_set(*, actor, entry: Entry, **plan) -> Entry:
    """The 一村一策 plan, written by the unit's secretary or an organiser above it."""
    entry = _locked(entry)
    if not (organises(actor, entry.organization) or is_unit(actor, entry.organization)):
        raise _refuse(_("只有本组织书记或上级组织部可以制定整顿方案。"))
    if entry.status not in (Status.LISTED, Status.RETURNED):
        raise _refuse(
            _("该组织%(status)s，整顿方案不能再修改。") % {"status": entry.get_status_display()}, "locked"
        )
    unknown = set(plan) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"not a plan field: {', '.join(sorted(unknown))}")
    for name in ("problems", "measures", "responsible_leader"):
        if not str(plan.get(name) or "").strip():
            raise field_error(
                name, _("请填写%(f)s。") % {"f": Entry._meta.get_field(name).verbose_name}, "required"
            )
    deadline = plan.get("deadline")
    if deadline is None:
        raise field_error("deadline", _("请填写整顿时限。"), "required")
    if deadline < date(entry.year, 1, 1):
        raise field_error("deadline", _("整顿时限不能早于列入年度。"), "early")
    before = {name: str(getattr(entry, name) or "") for name in PLAN_FIELDS}
    for name in PLAN_FIELDS:
        value = plan.get(name)
        setattr(entry, name, value.strip() if isinstance(value, str) else value)
    entry.full_clean()
    entry.save()
    after = {name: str(getattr(entry, name) or "") for name in PLAN_FIELDS}
    _event(entry, actor=actor, action=_("制定整顿方案"), note=entry.measures[:200])
    audit_record(actor=actor, action="weakorgs.plan_set", target=entry, org_path=entry.org_path,
                 before=before, after=after)  # fmt: skip
    return entry


def _store(progress: Progress, upload, kind: str, stored: list) -> ProgressFile:
    upload.seek(0)
    data = upload.read(EVIDENCE_MAX_BYTES + 1)
    digest = hashlib.sha256(data).hexdigest()
    saved = ProgressFile(
        progress=progress, original_name=upload.name[-200:], kind=kind, size=len(data), sha256=digest
    )
    saved.file.save(f"{digest[:16]}.{'jpg' if kind == 'jpeg' else kind}", ContentFile(data), save=False)
    stored.append(saved.file)
    saved.save()
    return saved


@transaction.atomic
def progress_add(*, actor, entry: Entry, on: date, text: str, files=()) -> Progress:
    entry = _locked(entry)
    if not (organises(actor, entry.organization) or is_unit(actor, entry.organization)):
        raise _refuse(_("只有本组织书记或上级组织部可以记录整顿进展。"))
    if entry.status not in (Status.LISTED, Status.RETURNED):
        raise _refuse(
            _("该组织%(status)s，不能再记录进展。") % {"status": entry.get_status_display()}, "locked"
        )
    if not entry.has_plan:
        raise _refuse(_("请先制定整顿方案（问题、措施、时限、责任领导），再记录进展。"), "no_plan")
    text = (text or "").strip()
    if not text:
        raise field_error("text", _("请填写进展情况。"), "required")
    if on > timezone.localdate():
        raise field_error("on", _("进展日期不能晚于今天。"), "future")
    if len(files) > FILES_MAX:
        raise field_error("files", _("一次最多上传 %(n)d 个佐证文件。") % {"n": FILES_MAX}, "too_many")
    kinds = []
    for upload in files:
        try:
            kinds.append(
                check_upload(upload, upload.size, allowed=EVIDENCE_KINDS, max_bytes=EVIDENCE_MAX_BYTES)
            )
        except ValidationError as error:
            raise field_error("files", f"{upload.name}：{' '.join(error.messages)}", "bad_file") from None
    with files_removed_on_error() as stored:
        progress = Progress.objects.create(entry=entry, on=on, text=text, created_by=actor)
        saved = [_store(progress, upload, kind, stored) for upload, kind in zip(files, kinds, strict=True)]
        _event(entry, actor=actor, action=_("记录整顿进展"),
               note=text[:200] + (_("（佐证 %(n)d 件）") % {"n": len(saved)} if saved else ""))  # fmt: skip
        audit_record(actor=actor, action="weakorgs.progress_add", target=entry, org_path=entry.org_path,
                     after={"on": on.isoformat(), "text": text[:200], "files": [f.original_name for f in saved]})  # fmt: skip
    return progress


@transaction.atomic
def acceptance_request(*, actor, entry: Entry) -> Entry:
    entry = _locked(entry)
    if not (organises(actor, entry.organization) or is_unit(actor, entry.organization)):
        raise _refuse(_("只有本组织书记或上级组织部可以申请验收。"))
    if entry.status not in (Status.LISTED, Status.RETURNED):
        raise _refuse(
            _("该组织%(status)s，不能申请验收。") % {"status": entry.get_status_display()}, "locked"
        )
    if not entry.has_plan or not entry.progress.exists():
        raise _refuse(_("请先制定整顿方案并记录整顿进展（附佐证），再申请验收。"), "no_progress")
    before = _snapshot(entry)
    entry.status = Status.AWAITING
    entry.save()
    _event(entry, actor=actor, action=_("申请验收"))
    audit_record(actor=actor, action="weakorgs.acceptance_request", target=entry, org_path=entry.org_path,
                 before=before, after=_snapshot(entry))  # fmt: skip
    notify(recipients=_organisers_above(entry.organization), link=entry.get_absolute_url(),
           text=_("%(org)s申请软弱涣散整顿验收。") % {"org": entry.organization.name})  # fmt: skip
    return entry


@transaction.atomic
def acceptance_decide(*, actor, entry: Entry, passed: bool, opinion: str) -> Entry:
    """验收 by the level above: passed with its opinion, or refused and sent back with the reason."""
    entry = _locked(entry)
    if not is_above(actor, entry.organization):
        raise _refuse(_("验收须由上级组织部进行。"))
    if entry.status != Status.AWAITING:
        raise _refuse(
            _("该组织%(status)s，不在待验收状态。") % {"status": entry.get_status_display()}, "locked"
        )
    opinion = _reason(opinion, "opinion")
    before = _snapshot(entry)
    if passed:
        entry.status, entry.acceptance_opinion = Status.ACCEPTED, opinion
        entry.accepted_by, entry.accepted_at = actor, timezone.now()
    else:
        entry.status = Status.RETURNED
    entry.save()
    _event(entry, actor=actor, action=_("验收通过") if passed else _("验收未通过，退回整顿"), note=opinion)
    audit_record(actor=actor, action="weakorgs.acceptance_pass" if passed else "weakorgs.acceptance_refuse",
                 target=entry, org_path=entry.org_path, before=before, after={**_snapshot(entry), "opinion": opinion})  # fmt: skip
    if not passed:
        notify(recipients=_secretaries(entry.organization), link=entry.get_absolute_url(),
               text=_("%(org)s软弱涣散整顿验收未通过：%(why)s") % {"org": entry.organization.name, "why": opinion[:80]})  # fmt: skip
    return entry


@transaction.atomic
def entry_close(*, actor, entry: Entry) -> Entry:
    """销号: only after acceptance, by the level above."""
    entry = _locked(entry)
    if not is_above(actor, entry.organization):
        raise _refuse(_("销号须由上级组织部进行。"))
    if entry.status != Status.ACCEPTED:
        raise _refuse(
            _("验收通过后才能销号（当前：%(status)s）。") % {"status": entry.get_status_display()}, "locked"
        )
    before = _snapshot(entry)
    entry.status, entry.closed_at = Status.CLOSED, timezone.now()
    entry.save()
    _event(entry, actor=actor, action=_("销号"))
    audit_record(actor=actor, action="weakorgs.entry_close", target=entry, org_path=entry.org_path,
                 before=before, after=_snapshot(entry))  # fmt: skip
    notify(recipients=_secretaries(entry.organization), link=entry.get_absolute_url(),
           text=_("%(org)s软弱涣散整顿已销号。") % {"org": entry.organization.name})  # fmt: skip
    return entry


# ---- liaison points ----------------------------------------------------------------------------


def _grassroots(org: Organization) -> bool:
    return org.level == Organization.Level.VILLAGE or org.kind == Organization.Kind.BRANCH


@transaction.atomic
def liaison_assign(
    *, actor, org: Organization, leader_name: str, leader_post: str, leader_username: str = ""
) -> LiaisonPoint:
    """Assign a leader a grassroots organisation as their 联系点 (an organiser of its subtree)."""
    if not organises(actor, org):
        raise _refuse(_("只有上级组织部可以确定联系点。"))
    if not _grassroots(org):
        raise _refuse(
            _("“%(org)s”不是基层党组织，联系点应确定在村（社区）党组织或党支部。") % {"org": org.name},
            "not_grassroots",
        )
    leader_name, leader_post = (leader_name or "").strip(), (leader_post or "").strip()
    if not leader_name:
        raise field_error("leader_name", _("请填写联系领导姓名。"), "required")
    if not leader_post:
        raise field_error("leader_post", _("请填写联系领导职务。"), "required")
    leader = None
    if (leader_username or "").strip():
        leader = (
            User.objects.filter(username=leader_username.strip(), is_active=True)
            .select_related("organization")
            .first()
        )
        if leader is None or not leader.organization.path.startswith(actor.organization.path):
            raise field_error(
                "leader_username",
                _("本单位及下级没有账号“%(u)s”。") % {"u": leader_username.strip()},
                "no_user",
            )
    point = LiaisonPoint(organization=org, org_path=org.path, leader=leader, leader_name=leader_name,
                         leader_post=leader_post, assigned_by=actor)  # fmt: skip
    point.full_clean()
    point.save()
    audit_record(actor=actor, action="weakorgs.liaison_assign", target=point, org_path=org.path,
                 after={"leader": leader_name, "post": leader_post, "account": leader.username if leader else ""})  # fmt: skip
    if leader is not None:
        notify(recipients=[leader], link=point.get_absolute_url(),
               text=_("您已被确定联系%(org)s，请定期走访并记录。") % {"org": org.name})  # fmt: skip
    return point


@transaction.atomic
def liaison_end(*, actor, point: LiaisonPoint, reason: str) -> LiaisonPoint:
    point = LiaisonPoint.objects.select_for_update().select_related("organization").get(pk=point.pk)
    if not organises(actor, point.organization):
        raise _refuse(_("只有上级组织部可以调整联系点。"))
    if not point.active:
        raise _refuse(_("该联系点已调整。"), "ended")
    point.active, point.ended_reason = False, _reason(reason)
    point.save()
    audit_record(actor=actor, action="weakorgs.liaison_end", target=point, org_path=point.org_path,
                 before={"active": True}, after={"active": False, "reason": point.ended_reason})  # fmt: skip
    return point


@transaction.atomic
def visit_add(*, actor, point: LiaisonPoint, on: date, found: str, solved: str = "") -> Visit:
    """A visit, recorded by the leader themself or an organiser above the point."""
    point = LiaisonPoint.objects.select_for_update().select_related("organization").get(pk=point.pk)
    if not (point.leader_id == actor.pk or organises(actor, point.organization)):
        raise _refuse(_("只有联系领导本人或上级组织部可以记录走访。"))
    if not point.active:
        raise _refuse(_("该联系点已调整，不能再记录走访。"), "ended")
    found = (found or "").strip()
    if not found:
        raise field_error("found", _("请填写走访发现的问题或了解的情况。"), "required")
    if on > timezone.localdate():
        raise field_error("on", _("走访日期不能晚于今天。"), "future")
    visit = Visit(point=point, on=on, found=found, solved=(solved or "").strip(), recorded_by=actor)
    visit.full_clean()
    visit.save()
    audit_record(actor=actor, action="weakorgs.visit_add", target=point, org_path=point.org_path,
                 after={"on": on.isoformat(), "found": found[:200], "solved": visit.solved[:200]})  # fmt: skip
    return visit
