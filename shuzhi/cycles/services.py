from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.accounts.models import User
from shuzhi.accounts.services import secretary_invite, secretary_placeholder_create
from shuzhi.core.errors import field_error
from shuzhi.core.roles import Role
from shuzhi.core.services import audit_diff, audit_record, notify
from shuzhi.cycles import hooks, rules
from shuzhi.cycles.models import LATE_STATUSES, Cycle, Reporter
from shuzhi.orgs.models import Organization

EDITABLE_WHEN_FROZEN = ("report_due", "meeting_on")
EDITABLE_FIELDS = ("title", "groups", "scheme", *EDITABLE_WHEN_FROZEN)


def cycle_snapshot(cycle: Cycle) -> dict[str, Any]:
    return {
        "year": cycle.year,
        "title": cycle.title,
        "status": cycle.status,
        "groups": list(cycle.groups),
        "report_due": cycle.report_due,
        "meeting_on": cycle.meeting_on,
        "scheme": cycle.scheme,
    }


def _check_owner(actor, cycle: Cycle) -> None:
    """Only the organisers of the organisation that runs a cycle may change it."""
    if actor.role != Role.ORGANISER or actor.organization_id != cycle.organization_id:
        raise ValidationError(_("只有本周期组织单位的组织部账号可以修改该周期。"), code="not_owner")


def _check_scheme(scheme: dict[str, Any]) -> None:
    problems = rules.scheme_problems(scheme)
    if problems:
        raise ValidationError({"scheme": [ValidationError(p, code="scheme") for p in problems]})


@transaction.atomic
def cycle_create(
    *,
    actor,
    year: int,
    title: str,
    groups: list[str],
    report_due: date,
    meeting_on: date,
    scheme: dict[str, Any] | None = None,
) -> Cycle:
    """Start the year's cycle for the organiser's own organisation."""
    if actor.role != Role.ORGANISER:
        raise ValidationError(_("只有组织部账号可以新建述职评议周期。"), code="not_organiser")
    org = actor.organization
    cycle = Cycle(
        organization=org,
        org_path=org.path,
        year=year,
        title=title.strip(),
        groups=groups,
        report_due=report_due,
        meeting_on=meeting_on,
        scheme=scheme if scheme is not None else rules.default_scheme(),
        created_by=actor,
    )
    if not groups:
        raise field_error("groups", _("至少设置一个评议分组。"), "no_groups")
    _check_scheme(cycle.scheme)
    cycle.full_clean()
    cycle.save()
    audit_record(
        actor=actor, action="cycle.create", target=cycle, org_path=org.path, after=cycle_snapshot(cycle)
    )
    return cycle


@transaction.atomic
def cycle_update(*, actor, cycle: Cycle, **fields: Any) -> Cycle:
    """Change the set-up. Once frozen, only the dates may change; the rest needs a reopening."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _check_owner(actor, cycle)
    if cycle.status == Cycle.Status.ARCHIVED:
        raise ValidationError(_("该周期已归档，不能修改。"), code="archived")
    before = cycle_snapshot(cycle)
    frozen = [name for name in fields if name not in EDITABLE_WHEN_FROZEN and fields[name] != before[name]]
    if cycle.is_frozen and frozen:
        raise ValidationError(
            _("述职名单、分组和考核方案已在开始撰写报告时锁定。如需修改，请先“重新开放”该周期并说明理由。"),
            code="frozen",
        )
    for name, value in fields.items():
        setattr(cycle, name, value)
    if "groups" in fields:
        if not cycle.groups:
            raise field_error("groups", _("至少设置一个评议分组。"), "no_groups")
        used = set(cycle.reporters.values_list("group", flat=True)) - set(cycle.groups)
        if used:
            raise field_error(
                "groups",
                _("分组“%(groups)s”中还有述职人，请先把他们调到其他分组。")
                % {"groups": "、".join(sorted(used))},
                "group_in_use",
            )
    if "scheme" in fields:
        _check_scheme(cycle.scheme)
    cycle.full_clean()
    cycle.save()
    old, new = audit_diff(before, cycle_snapshot(cycle))
    if new:
        audit_record(
            actor=actor, action="cycle.update", target=cycle, org_path=cycle.org_path, before=old, after=new
        )
    return cycle


def _secretary_accounts(orgs: list[Organization]) -> dict[int, User]:
    """Each organisation's active secretary account (the longest-standing one if several)."""
    accounts: dict[int, User] = {}
    for user in User.objects.filter(organization__in=orgs, role=Role.SECRETARY, is_active=True).order_by(
        "-pk"
    ):
        accounts[user.organization_id] = user
    return accounts


@transaction.atomic
def reporters_add(
    *, actor, cycle: Cycle, organizations: Iterable[Organization], group: str, mode: str
) -> list[Reporter]:
    """Name units of the subtree as reporters; each reports through its secretary's account."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _check_owner(actor, cycle)
    if cycle.is_frozen:
        raise ValidationError(_("述职名单已锁定。如需修改，请先重新开放该周期。"), code="frozen")
    if group not in cycle.groups:
        raise field_error("group", _("请选择本周期设置的评议分组。"), "unknown_group")
    orgs = list(organizations)
    if not orgs:
        raise field_error("organizations", _("请至少选择一个述职单位。"), "none")
    problems = []
    outside = [org for org in orgs if not org.path.startswith(cycle.org_path) or org.path == cycle.org_path]
    problems += [_("“%(name)s”不是本单位的下级组织。") % {"name": org.name} for org in outside]
    present = set(cycle.reporters.filter(organization__in=orgs).values_list("organization_id", flat=True))
    problems += [_("“%(name)s”已在述职名单中。") % {"name": org.name} for org in orgs if org.pk in present]
    if problems:
        raise ValidationError({"organizations": [ValidationError(p, code="reporter") for p in problems]})
    accounts = _secretary_accounts(orgs)
    # a unit without a secretary account does not hold the cycle up: it gets an account nobody can
    # sign in to yet; the organiser invites its holder from the cycle page, or enters its report
    for org in orgs:
        if org.pk not in accounts:
            accounts[org.pk] = secretary_placeholder_create(actor=actor, organization=org)
    start = (cycle.reporters.aggregate(last=Max("position"))["last"] or 0) + 1
    reporters = [
        Reporter(
            cycle=cycle,
            organization=org,
            secretary=accounts[org.pk],
            group=group,
            mode=mode,
            position=start + i,
        )
        for i, org in enumerate(sorted(orgs, key=lambda org: org.path))
    ]
    for reporter in reporters:
        reporter.full_clean(exclude=["cycle", "organization", "secretary"], validate_unique=False)
    Reporter.objects.bulk_create(reporters)
    audit_record(
        actor=actor,
        action="cycle.reporters_add",
        target=cycle,
        org_path=cycle.org_path,
        extra={"units": [org.name for org in orgs], "group": group, "mode": mode},
    )
    return reporters


@transaction.atomic
def reporter_invite(*, actor, reporter: Reporter, full_name: str = "") -> tuple[User, str]:
    """Give a reporting unit's secretary their account: a one-time password for the organiser to
    hand over (shown once; changed at first sign-in)."""
    _check_owner(actor, reporter.cycle)
    password = secretary_invite(actor=actor, user=reporter.secretary, full_name=full_name)
    reporter.secretary.refresh_from_db()
    return reporter.secretary, password


@transaction.atomic
def reporter_update(*, actor, reporter: Reporter, group: str, mode: str, position: int) -> Reporter:
    cycle = Cycle.objects.select_for_update().get(pk=reporter.cycle_id)
    _check_owner(actor, cycle)
    if cycle.is_frozen:
        raise ValidationError(_("述职名单已锁定。如需修改，请先重新开放该周期。"), code="frozen")
    if group not in cycle.groups:
        raise field_error("group", _("请选择本周期设置的评议分组。"), "unknown_group")
    before = {"group": reporter.group, "mode": reporter.mode, "position": reporter.position}
    reporter.group, reporter.mode, reporter.position = group, mode, position
    reporter.full_clean(exclude=["cycle", "organization", "secretary"])
    reporter.save(update_fields=["group", "mode", "position", "updated_at"])
    old, new = audit_diff(before, {"group": group, "mode": mode, "position": position})
    if new:
        audit_record(
            actor=actor,
            action="cycle.reporter_update",
            target=reporter,
            org_path=cycle.org_path,
            before=old,
            after=new,
        )
    return reporter


@transaction.atomic
def reporter_remove(*, actor, reporter: Reporter) -> None:
    cycle = Cycle.objects.select_for_update().get(pk=reporter.cycle_id)
    _check_owner(actor, cycle)
    if cycle.is_frozen:
        raise ValidationError(_("述职名单已锁定。如需修改，请先重新开放该周期。"), code="frozen")
    report = getattr(reporter, "report", None)
    if report is not None and report.status != report.Status.NOT_STARTED:
        raise ValidationError(_("该述职人已开始撰写报告，不能移出名单。"), code="report_started")
    audit_record(
        actor=actor,
        action="cycle.reporter_remove",
        target=cycle,
        org_path=cycle.org_path,
        extra={"unit": reporter.organization.name, "secretary": reporter.secretary.full_name},
    )
    reporter.delete()


@transaction.atomic
def cycle_advance(*, actor, cycle: Cycle) -> Cycle:
    """Move the cycle to its next state. Opening the reports freezes what decides the outcome."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _check_owner(actor, cycle)
    target = rules.NEXT_STATE.get(cycle.status)
    if target is None:
        raise ValidationError(_("该周期已归档，没有下一阶段。"), code="last_state")
    if cycle.status == Cycle.Status.DRAFT:
        _check_ready(cycle)
        cycle.frozen_at = timezone.now()
    if target == Cycle.Status.PUBLISHED:
        raise ValidationError(_("考核结果在“考核结果”页面测算、公布。"), code="publish_from_results")
    if target == Cycle.Status.ARCHIVED:
        for check in hooks.archive_checks():
            check(cycle)
    before = cycle.status
    cycle.status = target
    cycle.save(update_fields=["status", "frozen_at", "updated_at"])
    extra: dict[str, Any] = {}
    if target == Cycle.Status.REPORTS_OPEN:
        extra = {**hooks.reports_opened(cycle), "reporters": cycle.reporters.count(), "scheme": cycle.scheme,
                 "groups": cycle.groups}  # fmt: skip
    audit_record(
        actor=actor,
        action="cycle.advance",
        target=cycle,
        org_path=cycle.org_path,
        before={"status": before},
        after={"status": target},
        extra=extra,
    )
    return cycle


def _check_ready(cycle: Cycle) -> None:
    problems = []
    reporters = list(cycle.reporters.all())
    if not reporters:
        problems.append(_("述职名单是空的，请先添加述职单位。"))
    stray = sorted({r.group for r in reporters} - set(cycle.groups))
    if stray:
        problems.append(_("分组“%(groups)s”已不在本周期的分组中。") % {"groups": "、".join(stray)})
    problems += rules.scheme_problems(cycle.scheme)
    if cycle.report_due < timezone.localdate():
        problems.append(_("报告截止日期已过，请先修改截止日期。"))
    if problems:
        raise ValidationError([ValidationError(p, code="not_ready") for p in problems])


@transaction.atomic
def cycle_reopen(*, actor, cycle: Cycle, reason: str) -> Cycle:
    """Back to draft so that reporters, groups or scheme may change: audited, with a reason."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _check_owner(actor, cycle)
    reason = reason.strip()
    if cycle.status not in rules.REOPENABLE:
        raise ValidationError(
            _("只有在撰写报告阶段才能重新开放；评议会议开始后不能再修改述职名单和考核方案。"),
            code="not_reopenable",
        )
    if len(reason) < 4:
        raise field_error("reason", _("请写明重新开放的理由（至少 4 个字）。"), "reason_required")
    before = cycle.status
    cycle.status = Cycle.Status.DRAFT
    cycle.frozen_at = None
    cycle.reopen_count += 1
    cycle.save(update_fields=["status", "frozen_at", "reopen_count", "updated_at"])
    audit_record(
        actor=actor,
        action="cycle.reopen",
        target=cycle,
        org_path=cycle.org_path,
        before={"status": before},
        after={"status": cycle.status},
        extra={"reason": reason},
    )
    return cycle


@transaction.atomic
def reporters_remind(*, actor, cycle: Cycle, reporter_id: int | None = None) -> int:
    """Remind the secretaries whose reports are not in yet (in the app, and by e-mail if set up):
    every one of the cycle, or only the reporter `reporter_id`."""
    _check_owner(actor, cycle)
    if not cycle.accepts_reports:
        raise ValidationError(_("当前阶段不接收述职报告，无需提醒。"), code="not_open")
    waiting = cycle.reporters.filter(report__status__in=LATE_STATUSES).select_related(
        "secretary", "organization"
    )
    if reporter_id is not None:
        waiting = waiting.filter(pk=reporter_id)
    waiting = list(waiting.order_by("position", "id"))
    late = timezone.localdate() > cycle.report_due
    text = (
        _("“%(title)s”的述职报告已超过截止日期（%(due)s），请尽快提交。")
        if late
        else _("请于 %(due)s 前提交“%(title)s”的述职报告。")
    ) % {"title": cycle.title, "due": cycle.report_due.isoformat()}
    sent = notify(recipients=[r.secretary for r in waiting], text=text, link=reverse("reports:mine"))
    audit_record(
        actor=actor,
        action="cycle.remind",
        target=cycle,
        org_path=cycle.org_path,
        extra={"units": [r.organization.name for r in waiting]},
    )
    return sent


# --- 联述联评联考: a cycle offered to the organisations below as a template ----------------------


@transaction.atomic
def cycle_offer(*, actor, cycle: Cycle) -> int:
    """Offer the cycle (its scheme, groups and timetable) to the organisations below as a template
    and tell the organisers of those one level below (a city its counties, not their townships).
    Returns how many were told."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _check_owner(actor, cycle)
    if cycle.offered_at is not None:
        raise ValidationError(_("该周期已作为模板下发。"), code="offered")
    if cycle.status == Cycle.Status.ARCHIVED:
        raise ValidationError(_("该周期已归档，不能作为模板下发。"), code="archived")
    cycle.offered_at = timezone.now()
    cycle.save(update_fields=["offered_at", "updated_at"])
    audit_record(actor=actor, action="cycle.offer", target=cycle, org_path=cycle.org_path,
                 after={"offered_at": cycle.offered_at})  # fmt: skip
    below = User.objects.filter(  # one level below: a county offers on to its townships itself
        role=Role.ORGANISER,
        is_active=True,
        organization__path__startswith=cycle.org_path,
        organization__depth=cycle.organization.depth + 1,
    )
    return notify(
        recipients=list(below),
        text=_(
            "%(org)s下发了“%(title)s”的模板，请据此建立本级述职评议周期（报告截止和会议日期不得晚于上级）。"
        )
        % {"org": cycle.organization.name, "title": cycle.title},
        link=reverse("cycles:templates"),
    )


def template_date_problems(template: Cycle, *, report_due: date, meeting_on: date) -> dict[str, str]:
    """The dates of a cycle made from a template must fall on or before the template's own."""
    problems = {}
    if report_due > template.report_due:
        problems["report_due"] = _("报告截止日期（%(d)s）不得晚于上级“%(t)s”的报告截止日期（%(p)s）。") % {
            "d": report_due.isoformat(), "t": template.title, "p": template.report_due.isoformat()}  # fmt: skip
    if meeting_on > template.meeting_on:
        problems["meeting_on"] = _("评议会议日期（%(d)s）不得晚于上级“%(t)s”的评议会议日期（%(p)s）。") % {
            "d": meeting_on.isoformat(), "t": template.title, "p": template.meeting_on.isoformat()}  # fmt: skip
    return problems


@transaction.atomic
def cycle_from_template(*, actor, template: Cycle, title: str, report_due: date, meeting_on: date) -> Cycle:
    """Create the organiser's own cycle for the template's year in one step: the template's groups
    and scheme, the organiser's own dates, no later than the template's."""
    if actor.role != Role.ORGANISER:
        raise ValidationError(_("只有组织部账号可以新建述职评议周期。"), code="not_organiser")
    path = actor.organization.path
    if (
        template.offered_at is None
        or not path.startswith(template.org_path)
        or template.organization_id == actor.organization_id
    ):
        raise ValidationError(_("该模板没有下发给本单位。"), code="not_offered")
    problems = template_date_problems(template, report_due=report_due, meeting_on=meeting_on)
    if problems:
        raise ValidationError(
            {field: ValidationError(text, code="after_parent") for field, text in problems.items()}
        )
    cycle = cycle_create(
        actor=actor, year=template.year, title=title, groups=list(template.groups),
        report_due=report_due, meeting_on=meeting_on, scheme=template.scheme,
    )  # fmt: skip
    cycle.template = template
    cycle.save(update_fields=["template", "updated_at"])
    audit_record(actor=actor, action="cycle.from_template", target=cycle, org_path=cycle.org_path,
                 after={"template": template.pk, "template_title": template.title})  # fmt: skip
    return cycle
