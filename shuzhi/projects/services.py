"""Every write of the year's commitments: the round, the declarations and their workflow (the
duty report's statuses and notifications), projects, quarterly progress, ratings, exemplars."""

import hashlib
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.accounts.models import User
from shuzhi.core.access import in_subtree
from shuzhi.core.errors import field_error
from shuzhi.core.roles import Role
from shuzhi.core.services import audit_record, notify
from shuzhi.core.uploads import check_upload, files_removed_on_error
from shuzhi.cycles.models import LATE_STATUSES, Cycle
from shuzhi.orgs.models import Organization
from shuzhi.projects.models import (
    QUARTERS,
    Declaration,
    DeclaredItem,
    Progress,
    Project,
    ProjectFile,
    Rating,
    Round,
)
from shuzhi.rectification.models import Item as RectificationItem

FILE_KINDS = frozenset({"png", "jpeg", "pdf", "docx"})
FILE_MAX_BYTES = 10 * 1024 * 1024
OWN_UNITS_GROUP = "下属单位"


# ---- who may act -------------------------------------------------------------------------------


def is_organiser(actor, round_: Round) -> bool:
    return actor.role == Role.ORGANISER and actor.organization_id == round_.organization_id


def is_writer(actor, declaration: Declaration) -> bool:
    return actor.role == Role.SECRETARY and actor.organization_id == declaration.organization_id


def is_supervisor(actor, declaration: Declaration) -> bool:
    return actor.role == Role.SUPERVISOR and declaration.org_path.startswith(actor.organization.path)


def _check_organiser(actor, round_: Round) -> None:
    if not is_organiser(actor, round_):
        raise ValidationError(_("只有开启本批次的组织部账号可以这样做。"), code="not_organiser")


def _check_writer(actor, declaration: Declaration) -> None:
    if not is_writer(actor, declaration):
        raise ValidationError(_("只有本单位书记可以填写本单位的申报。"), code="not_writer")
    if not declaration.is_editable:
        raise ValidationError(
            _("申报当前为“%(status)s”，不能修改。") % {"status": declaration.get_status_display()},
            code="not_editable",
        )


def _locked(declaration: Declaration) -> Declaration:
    return (
        Declaration.objects.select_for_update()
        .select_related("round", "organization", "secretary")
        .get(pk=declaration.pk)
    )


def _started(declaration: Declaration) -> None:
    if declaration.status == Declaration.Status.NOT_STARTED:
        declaration.status = Declaration.Status.DRAFT
        declaration.save(update_fields=["status", "updated_at"])


# ---- the round ---------------------------------------------------------------------------------


def _units(organization: Organization, year: int) -> list[tuple[Organization, User, str]]:
    """The units that declare: the reporters of the organisation's cycle for the year (grouped
    the same way), or, without a cycle, the organisation's direct children with a secretary."""
    cycle = Cycle.objects.filter(organization=organization, year=year).first()
    if cycle is not None:
        return [
            (r.organization, r.secretary, r.group)
            for r in cycle.reporters.select_related("organization", "secretary").order_by("position", "id")
        ]
    children = list(
        Organization.objects.filter(
            in_subtree("path", organization.path), depth=organization.depth + 1
        ).order_by("path")
    )
    secretaries: dict[int, User] = {}
    for user in User.objects.filter(organization__in=children, role=Role.SECRETARY, is_active=True).order_by(
        "-pk"
    ):
        secretaries[user.organization_id] = user
    return [(org, secretaries[org.pk], OWN_UNITS_GROUP) for org in children if org.pk in secretaries]


@transaction.atomic
def round_open(
    *,
    actor,
    year: int,
    title: str,
    declare_due: date,
    quarter_dues: list[date],
    scheme: list[dict[str, Any]],
) -> Round:
    """Open the year's declarations for the organisation's reporting units and tell each secretary."""
    if actor.role != Role.ORGANISER:
        raise ValidationError(_("只有组织部账号可以开启申报。"), code="not_organiser")
    round_ = Round(
        organization=actor.organization,
        org_path=actor.organization.path,
        year=year,
        title=title.strip(),
        declare_due=declare_due,
        rating_scheme=scheme,
        created_by=actor,
        **{f"q{q}_due": quarter_dues[q - 1] for q in QUARTERS},
    )
    round_.full_clean()
    units = _units(actor.organization, year)
    if not units:
        raise ValidationError(
            _("没有可申报的单位：请先在本年度述职评议周期中确定述职单位，或为下属党组织建立书记账号。"),
            code="no_units",
        )
    round_.save()
    Declaration.objects.bulk_create(
        Declaration(
            round=round_, organization=org, org_path=org.path, secretary=secretary, group=group, position=n
        )
        for n, (org, secretary, group) in enumerate(units)
    )
    audit_record(
        actor=actor,
        action="projects.round_open",
        target=round_,
        org_path=round_.org_path,
        after={"year": year, "declare_due": declare_due.isoformat(), "units": len(units)},
    )
    notify(
        recipients=[secretary for _org, secretary, _group in units],
        text=_("请于 %(due)s 前申报“%(title)s”的问题清单、责任清单和书记领办项目。")
        % {"due": declare_due.isoformat(), "title": round_.title},
        link=reverse("projects:mine"),
    )
    return round_


# ---- the declaration's lists -------------------------------------------------------------------


@transaction.atomic
def item_add(
    *,
    actor,
    declaration: Declaration,
    kind: str,
    text: str,
    category: str = "",
    evidence: str = "",
    target: str = "",
    owner: str = "",
    due: date | None = None,
    carried_from: RectificationItem | None = None,
    found_by=None,
) -> DeclaredItem:
    declaration = _locked(declaration)
    _check_writer(actor, declaration)
    item = DeclaredItem(
        declaration=declaration,
        kind=kind,
        text=text.strip(),
        category=category.strip(),
        evidence=evidence.strip(),
        target=target.strip(),
        owner=owner.strip(),
        due=due,
        carried_from=carried_from,
        found_by=found_by,
        position=declaration.items.filter(kind=kind).count() + 1,
    )
    item.full_clean()
    item.save()
    _started(declaration)
    audit_record(
        actor=actor,
        action="projects.item_add",
        target=declaration,
        org_path=declaration.org_path,
        after={
            "kind": kind,
            "text": item.text,
            "carried_from": carried_from.pk if carried_from else None,
            **({"found_by": found_by.pk} if found_by else {}),
        },
    )
    return item


@transaction.atomic
def items_carry(*, actor, declaration: Declaration, items: list[RectificationItem]) -> int:
    """Take last year's open rectification items into the problem list, once each."""
    declaration = _locked(declaration)
    _check_writer(actor, declaration)
    taken = set(declaration.items.exclude(carried_from=None).values_list("carried_from_id", flat=True))
    added = 0
    for source in items:
        if source.organization_id != declaration.organization_id or source.pk in taken:
            continue
        item_add(
            actor=actor,
            declaration=declaration,
            kind=DeclaredItem.Kind.PROBLEM,
            text=source.title[:300],
            category=_("上年整改"),
            evidence=_("上年整改事项（%(status)s）") % {"status": source.get_status_display()},
            carried_from=source,
        )
        added += 1
    return added


@transaction.atomic
def item_remove(*, actor, item: DeclaredItem) -> None:
    declaration = _locked(item.declaration)
    _check_writer(actor, declaration)
    if item.projects.exists():
        raise ValidationError(
            _("问题“%(text)s”是领办项目“%(project)s”针对的问题，请先修改或删除该项目。")
            % {"text": item.text[:30], "project": item.projects.first().title},
            code="used_by_project",
        )
    audit_record(
        actor=actor,
        action="projects.item_remove",
        target=declaration,
        org_path=declaration.org_path,
        before={"kind": item.kind, "text": item.text},
    )
    item.delete()


def _read(upload: IO[bytes]) -> bytes:
    upload.seek(0)
    return upload.read(FILE_MAX_BYTES + 1)


def _store_files(*, project: Project, progress: Progress | None, files, kinds, actor, stored: list) -> None:
    for upload, kind in zip(files, kinds, strict=True):
        data = _read(upload)
        digest = hashlib.sha256(data).hexdigest()
        row = ProjectFile(
            project=project,
            progress=progress,
            original_name=upload.name[-200:],
            kind=kind,
            size=len(data),
            sha256=digest,
            uploaded_by=actor,
        )
        row.file.save(f"{digest[:16]}.{'jpg' if kind == 'jpeg' else kind}", ContentFile(data), save=False)
        stored.append(row.file)
        row.save()


def _check_files(files) -> list[str]:
    """Every file judged before any is stored."""
    kinds = []
    for upload in files:
        try:
            kinds.append(check_upload(upload, upload.size, allowed=FILE_KINDS, max_bytes=FILE_MAX_BYTES))
        except ValidationError as error:
            raise field_error(
                "files",
                _("附件“%(name)s”：%(why)s") % {"name": upload.name, "why": " ".join(error.messages)},
                "file",
            ) from None
    return kinds


@transaction.atomic
def project_save(
    *,
    actor,
    declaration: Declaration,
    project: Project | None = None,
    title: str,
    problem: DeclaredItem,
    goals: list[dict[str, str]],
    milestones: list[str],
    team: str = "",
    budget: Decimal | None = None,
    files=(),
) -> Project:
    """Add a 书记领办项目 to the declaration, or change one, with its attachments."""
    declaration = _locked(declaration)
    _check_writer(actor, declaration)
    kinds = _check_files(files)
    project = project or Project(declaration=declaration)
    before = {"title": project.title, "problem": project.problem_id} if project.pk else None
    project.title, project.problem, project.goals = title.strip(), problem, goals
    project.milestones = [m.strip() for m in milestones]
    project.team, project.budget = team.strip(), budget
    project.full_clean()
    with files_removed_on_error() as stored:
        project.save()
        _store_files(project=project, progress=None, files=files, kinds=kinds, actor=actor, stored=stored)
        _started(declaration)
        audit_record(
            actor=actor,
            action="projects.project_save",
            target=project,
            org_path=declaration.org_path,
            before=before,
            after={"title": project.title, "problem": problem.pk, "files": len(kinds)},
        )
    return project


# ---- the workflow: the duty report's statuses and notifications ---------------------------------


def _organisers(round_: Round) -> list[User]:
    return list(
        User.objects.filter(organization_id=round_.organization_id, role=Role.ORGANISER, is_active=True)
    )


def _incomplete(declaration: Declaration) -> list[str]:
    kinds = set(declaration.items.values_list("kind", flat=True))
    problems = []
    if DeclaredItem.Kind.PROBLEM not in kinds:
        problems.append(_("问题清单至少要有一项。"))
    if DeclaredItem.Kind.DUTY not in kinds:
        problems.append(_("责任清单至少要有一项。"))
    if not declaration.projects.exists():
        problems.append(_("至少申报一个书记领办项目。"))
    return problems


@transaction.atomic
def declaration_submit(*, actor, declaration: Declaration) -> Declaration:
    declaration = _locked(declaration)
    _check_writer(actor, declaration)
    problems = _incomplete(declaration)
    if problems:
        raise ValidationError([ValidationError(p, code="incomplete") for p in problems])
    before = declaration.status
    declaration.status, declaration.submitted_at = Declaration.Status.SUBMITTED, timezone.now()
    declaration.save(update_fields=["status", "submitted_at", "updated_at"])
    late = timezone.localdate() > declaration.round.declare_due
    audit_record(
        actor=actor,
        action="projects.declaration_submit",
        target=declaration,
        org_path=declaration.org_path,
        before={"status": before},
        after={"status": declaration.status},
        extra={"late": late},
    )
    notify(
        recipients=_organisers(declaration.round),
        text=_("%(unit)s 提交了年度申报（问题清单、责任清单、领办项目）。")
        % {"unit": declaration.organization.name},
        link=declaration.get_absolute_url(),
    )
    return declaration


def _check_reviewer(actor, declaration: Declaration) -> None:
    _check_organiser(actor, declaration.round)
    if not declaration.is_reviewable:
        raise ValidationError(
            _("申报当前为“%(status)s”，只有已提交的申报可以审核。")
            % {"status": declaration.get_status_display()},
            code="not_submitted",
        )


@transaction.atomic
def declaration_return(*, actor, declaration: Declaration, reason: str) -> Declaration:
    declaration = _locked(declaration)
    _check_reviewer(actor, declaration)
    reason = reason.strip()
    if len(reason) < 4:
        raise field_error("reason", _("请写明退回理由（至少 4 个字），书记将看到这段话。"), "reason_required")
    declaration.status, declaration.return_reason = Declaration.Status.RETURNED, reason
    declaration.save(update_fields=["status", "return_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="projects.declaration_return",
        target=declaration,
        org_path=declaration.org_path,
        before={"status": Declaration.Status.SUBMITTED},
        after={"status": declaration.status},
        extra={"reason": reason},
    )
    notify(
        recipients=[declaration.secretary],
        text=_("您的年度申报被退回：%(reason)s") % {"reason": reason[:200]},
        link=declaration.get_absolute_url(),
    )
    return declaration


@transaction.atomic
def declaration_accept(*, actor, declaration: Declaration) -> Declaration:
    declaration = _locked(declaration)
    _check_reviewer(actor, declaration)
    declaration.status = Declaration.Status.ACCEPTED
    declaration.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="projects.declaration_accept",
        target=declaration,
        org_path=declaration.org_path,
        before={"status": Declaration.Status.SUBMITTED},
        after={"status": declaration.status},
    )
    notify(
        recipients=[declaration.secretary],
        text=_("您的年度申报已审核通过，请按季度报送领办项目进展。"),
        link=declaration.get_absolute_url(),
    )
    return declaration


@transaction.atomic
def declarations_remind(*, actor, round_: Round) -> int:
    """Remind the secretaries whose declarations are not in yet."""
    _check_organiser(actor, round_)
    waiting = list(
        round_.declarations.filter(status__in=LATE_STATUSES).select_related("secretary", "organization")
    )
    late = timezone.localdate() > round_.declare_due
    text = (
        _("“%(title)s”的年度申报已超过截止日期（%(due)s），请尽快提交。")
        if late
        else _("请于 %(due)s 前提交“%(title)s”的年度申报。")
    ) % {"title": round_.title, "due": round_.declare_due.isoformat()}
    sent = notify(recipients=[d.secretary for d in waiting], text=text, link=reverse("projects:mine"))
    audit_record(
        actor=actor,
        action="projects.declarations_remind",
        target=round_,
        org_path=round_.org_path,
        extra={"units": [d.organization.name for d in waiting]},
    )
    return sent


# ---- quarterly progress, supervision, exemplars ------------------------------------------------


@transaction.atomic
def progress_submit(
    *, actor, project: Project, quarter: int, done: str, figures: str = "", files=()
) -> Progress:
    """The unit reports one quarter of a project; after the round's due date it is marked late."""
    declaration = _locked(project.declaration)
    if not is_writer(actor, declaration):
        raise ValidationError(_("只有本单位书记可以报送项目进展。"), code="not_writer")
    if declaration.status != Declaration.Status.ACCEPTED:
        raise ValidationError(_("年度申报审核通过后才能报送项目进展。"), code="not_accepted")
    if quarter not in QUARTERS:
        raise field_error("quarter", _("季度应为 1–4。"), "quarter")
    if Progress.objects.filter(project=project, quarter=quarter).exists():
        raise field_error("quarter", _("第 %(q)d 季度的进展已经报送。") % {"q": quarter}, "quarter_done")
    kinds = _check_files(files)
    due = declaration.round.quarter_due(quarter)
    progress = Progress(
        project=project,
        quarter=quarter,
        done=done.strip(),
        figures=figures.strip(),
        late=timezone.localdate() > due,
        submitted_by=actor,
    )
    progress.full_clean()
    with files_removed_on_error() as stored:
        progress.save()
        _store_files(project=project, progress=progress, files=files, kinds=kinds, actor=actor, stored=stored)
        audit_record(
            actor=actor,
            action="projects.progress_submit",
            target=project,
            org_path=declaration.org_path,
            after={"quarter": quarter, "late": progress.late, "files": len(kinds)},
        )
    supervisors = User.objects.filter(
        role=Role.SUPERVISOR, is_active=True, organization_id=declaration.round.organization_id
    )
    notify(
        recipients=list(supervisors),
        text=_("%(unit)s 报送了“%(title)s”第 %(q)d 季度进展，待督查评价。")
        % {"unit": declaration.organization.name, "title": project.title, "q": quarter},
        link=project.get_absolute_url(),
    )
    return progress


@transaction.atomic
def progress_remind(*, actor, round_: Round, quarter: int) -> int:
    """Remind the units of accepted declarations whose projects lack the quarter's progress."""
    _check_organiser(actor, round_)
    if quarter not in QUARTERS:
        raise ValidationError(_("季度应为 1–4。"), code="quarter")
    missing = Project.objects.filter(declaration__round=round_).exclude(progress__quarter=quarter)
    waiting = list(
        round_.declarations.filter(status=Declaration.Status.ACCEPTED, projects__in=missing)
        .select_related("secretary", "organization")
        .distinct()
    )
    due = round_.quarter_due(quarter)
    text = _("请报送“%(title)s”领办项目第 %(q)d 季度进展（截止 %(due)s）。") % {
        "title": round_.title,
        "q": quarter,
        "due": due.isoformat(),
    }
    sent = notify(recipients=[d.secretary for d in waiting], text=text, link=reverse("projects:mine"))
    audit_record(
        actor=actor,
        action="projects.progress_remind",
        target=round_,
        org_path=round_.org_path,
        extra={"quarter": quarter, "units": [d.organization.name for d in waiting]},
    )
    return sent


@transaction.atomic
def rating_record(*, actor, progress: Progress, label: str, comment: str, onsite: str = "") -> Rating:
    """督查办 rates a quarter by the round's scheme; a second rating replaces the first."""
    progress = (
        Progress.objects.select_for_update().select_related("project__declaration__round").get(pk=progress.pk)
    )
    declaration = progress.project.declaration
    if not is_supervisor(actor, declaration):
        raise ValidationError(_("只有督查办账号可以评价项目进展。"), code="not_supervisor")
    scheme = {str(s["label"]): Decimal(str(s["score"])) for s in declaration.round.rating_scheme}
    if label not in scheme:
        raise field_error(
            "label",
            _("评价“%(l)s”不在本批次的评价等次（%(all)s）中。") % {"l": label, "all": "、".join(scheme)},
            "label",
        )
    rating = Rating.objects.filter(progress=progress).first() or Rating(progress=progress)
    before = {"label": rating.label, "score": str(rating.score)} if rating.pk else None
    rating.label, rating.score = label, scheme[label]
    rating.comment, rating.onsite, rating.rated_by = comment.strip(), onsite.strip(), actor
    rating.full_clean()
    rating.save()
    audit_record(
        actor=actor,
        action="projects.rating_record",
        target=progress.project,
        org_path=declaration.org_path,
        before=before,
        after={"quarter": progress.quarter, "label": label, "score": str(rating.score)},
    )
    notify(
        recipients=[declaration.secretary],
        text=_("督查办对“%(title)s”第 %(q)d 季度进展的评价：%(l)s。")
        % {"title": progress.project.title, "q": progress.quarter, "l": label},
        link=progress.project.get_absolute_url(),
    )
    return rating


@transaction.atomic
def project_mark_exemplary(*, actor, project: Project, exemplary: bool, note: str = "") -> Project:
    """The organiser names a project 可复制可推广 (or takes it back); the list is kept across years."""
    project = Project.objects.select_for_update().select_related("declaration__round").get(pk=project.pk)
    _check_organiser(actor, project.declaration.round)
    if exemplary and len(note.strip()) < 4:
        raise field_error("note", _("请写明推广理由（至少 4 个字）。"), "note_required")
    before = {"exemplary": project.exemplary}
    project.exemplary, project.exemplary_note = exemplary, note.strip() if exemplary else ""
    project.exemplary_at = timezone.now() if exemplary else None
    project.full_clean()
    project.save(update_fields=["exemplary", "exemplary_note", "exemplary_at", "updated_at"])
    audit_record(
        actor=actor,
        action="projects.exemplary",
        target=project,
        org_path=project.declaration.org_path,
        before=before,
        after={"exemplary": exemplary, "note": project.exemplary_note},
    )
    return project
