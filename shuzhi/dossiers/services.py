"""Writes of members' files, the talent reserve and 到社区报到: atomic, checked and audited."""

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import IO

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core.access import holds_at_top, in_subtree
from shuzhi.core.errors import field_error
from shuzhi.core.roles import Capability, Role
from shuzhi.core.services import audit_record, notify
from shuzhi.core.uploads import check_upload, files_removed_on_error
from shuzhi.dossiers import rules
from shuzhi.dossiers.models import (
    ChecklistItem,
    CommunityRegistration,
    FileState,
    ReserveCadre,
    Scan,
    ServiceActivity,
    Talent,
)
from shuzhi.lifecycle.models import Applicant
from shuzhi.members import rules as member_rules
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization

SCAN_KINDS = frozenset({"png", "jpeg", "pdf"})
SCAN_MAX_BYTES = 10 * 1024 * 1024
SCANS_MAX = 10


def may_work(user, org: Organization) -> bool:
    """Who keeps files, talents and community records: an organiser, or a secretary of the subtree."""
    allowed = user.is_authenticated and (
        user.can(Capability.MANAGE_MEMBERS)
        or (user.can(Capability.KEEP_RECORDS) and user.can(Capability.VIEW_MEMBERS))
    )
    return bool(allowed) and org.path.startswith(user.organization.path)


def _require_work(user, org: Organization) -> None:
    if not may_work(user, org):
        raise PermissionDenied


def _store(
    member: Member, item: ChecklistItem, upload: IO[bytes], name: str, size: int, actor, stored: list
) -> Scan:
    kind = check_upload(upload, size, allowed=SCAN_KINDS, max_bytes=SCAN_MAX_BYTES)
    upload.seek(0)
    data = upload.read(SCAN_MAX_BYTES + 1)
    digest = hashlib.sha256(data).hexdigest()
    scan = Scan(member=member, item=item, original_name=name[-200:], kind=kind, size=len(data), sha256=digest,
                uploaded_by=actor)  # fmt: skip
    scan.file.save(f"{digest[:16]}.{'jpg' if kind == 'jpeg' else kind}", ContentFile(data), save=False)
    stored.append(scan.file)
    scan.save()
    return scan


@transaction.atomic
def scans_upload(*, actor, member: Member, item: ChecklistItem, files: Sequence) -> list[Scan]:
    """File scans of one checklist entry. Every file is checked before any is stored: one bad
    file refuses them all."""
    _require_work(actor, member.organization)
    if not files:
        raise field_error("files", _("请选择要上传的扫描件。"), "required")
    if len(files) > SCANS_MAX:
        raise field_error("files", _("一次最多上传 %(n)d 个文件。") % {"n": SCANS_MAX}, "too_many")
    for upload in files:
        try:
            check_upload(upload, upload.size, allowed=SCAN_KINDS, max_bytes=SCAN_MAX_BYTES)
        except ValidationError as error:
            raise field_error("files", _("“%(name)s”：%(why)s") % {
                "name": upload.name, "why": "".join(error.messages)}, error.code or "invalid") from None  # fmt: skip
    # a refusal after the first file is written (the database, the audit) leaves no file behind
    with files_removed_on_error() as written:
        stored = [_store(member, item, f, f.name, f.size, actor, written) for f in files]
        file_states_refresh(member_ids=[member.pk])
        audit_record(actor=actor, action="dossiers.scan_upload", target=member, org_path=member.org_path,
                     after={"item": item.name, "files": [s.original_name for s in stored],
                            "sha256": [s.sha256 for s in stored]})  # fmt: skip
    return stored


@transaction.atomic
def scan_remove(*, actor, scan: Scan) -> None:
    """Take a wrongly uploaded scan out of a member's file (who may upload may remove), audited;
    the completeness is counted again and the stored file deleted once the removal is committed."""
    member = scan.member
    _require_work(actor, member.organization)
    audit_record(actor=actor, action="dossiers.scan_remove", target=member, org_path=member.org_path,
                 before={"item": scan.item.name, "file": scan.original_name, "sha256": scan.sha256})  # fmt: skip
    stored = scan.file
    scan.delete()
    file_states_refresh(member_ids=[member.pk])
    transaction.on_commit(lambda: stored.storage.delete(stored.name))


def may_set_checklist(actor) -> bool:
    """The checklist holds for the whole tree: only an organiser of its top organisation sets it."""
    return holds_at_top(actor, Capability.MANAGE_ORGS)


@transaction.atomic
def checklist_item_set(*, actor, item: ChecklistItem, required: bool, full_only: bool) -> int:
    """Make an entry of the checklist required or optional (and required of 正式党员 only or of
    everyone), audited, then count every member's file again by the new checklist (the kept
    states and so every roll-up and the fact source). Returns the states written."""
    if not may_set_checklist(actor):
        raise PermissionDenied
    if full_only and not required:
        raise field_error("full_only", _("“仅正式党员必备”只适用于必备材料，请同时勾选“必备”。"), "full_only")
    before = {"required": item.required, "full_only": item.full_only}
    item.required, item.full_only = required, full_only
    item.save(update_fields=["required", "full_only", "updated_at"])
    audit_record(actor=actor, action="dossiers.checklist_item_set", target=item, target_repr=item.name,
                 before=before, after={"required": required, "full_only": full_only})  # fmt: skip
    return file_states_refresh(within_path="")


def file_states_refresh(*, within_path: str = "", member_ids: Sequence[int] | None = None) -> int:
    """Recompute whether members' own scans hold every required entry (the members given, or
    every member of a subtree with scans), and drop the states of those who hold no scan any
    more (a scan removed); returns how many states were written."""
    entries = [
        rules.Entry(id=i.id, required=i.required, full_only=i.full_only) for i in ChecklistItem.objects.all()
    ]
    need_full = {e.id for e in rules.required_of(entries, probationary=False)}
    need_probationary = {e.id for e in rules.required_of(entries, probationary=True)}
    scans, kept = Scan.objects.all(), FileState.objects.all()
    if member_ids is not None:
        scans = scans.filter(member_id__in=list(member_ids))
        kept = kept.filter(member_id__in=list(member_ids))
    else:
        scans = scans.filter(in_subtree("member__org_path", within_path))
        kept = kept.filter(in_subtree("member__org_path", within_path))
    kept.exclude(Exists(Scan.objects.filter(member_id=OuterRef("member_id")))).delete()
    counted = (
        scans.order_by()
        .values_list("member_id")
        .annotate(
            full=Count("item_id", distinct=True, filter=Q(item_id__in=need_full)),
            probationary=Count("item_id", distinct=True, filter=Q(item_id__in=need_probationary)),
        )
    )
    states = [
        FileState(member_id=member_id, full_ok=full >= len(need_full),
                  probationary_ok=probationary >= len(need_probationary))
        for member_id, full, probationary in counted.iterator(chunk_size=5000)
    ]  # fmt: skip
    FileState.objects.bulk_create(states, batch_size=5000, update_conflicts=True, unique_fields=["member"],
                                  update_fields=["full_ok", "probationary_ok", "updated_at"])  # fmt: skip
    return len(states)


def _village(org: Organization) -> None:
    if org.level != Organization.Level.VILLAGE or org.field != Organization.Field.RURAL:
        raise field_error(
            "village", _("“%(org)s”不是村党组织，能人储备库按村建立。") % {"org": org.name}, "kind"
        )


@transaction.atomic
def talent_add(*, actor, village: Organization, name: str, category: str, contact: str = "",
               member: Member | None = None, applicant: Applicant | None = None, note: str = "") -> Talent:  # fmt: skip
    """Put a capable person into the village's reserve."""
    _require_work(actor, village)
    _village(village)
    phone = member_rules.normalise_phone(contact) if contact.strip() else ""
    if phone:
        problem = member_rules.phone_problem(phone)
        if problem:
            raise field_error("contact", problem, "invalid")
    if member is not None and not member.org_path.startswith(village.path):
        raise field_error("member", _("只能关联本村的党员。"), "outside")
    if applicant is not None and not applicant.org_path.startswith(village.path):
        raise field_error("applicant", _("只能关联本村的发展党员记录。"), "outside")
    talent = Talent(village=village, org_path=village.path, name=name.strip(), category=category, contact=phone,
                    member=member or (applicant.member if applicant else None), applicant=applicant,
                    note=note.strip(), added_by=actor)  # fmt: skip
    talent.full_clean()
    talent.save()
    audit_record(actor=actor, action="dossiers.talent_add", target=talent, org_path=village.path,
                 after={"name": talent.name, "category": talent.get_category_display(),
                        "member": bool(talent.member_id), "applicant": bool(applicant)})  # fmt: skip
    return talent


@transaction.atomic
def reserve_name(*, actor, talent: Talent, post: str, named_on: date) -> ReserveCadre:
    """Name a talent as 后备干部 for a post of the village."""
    _require_work(actor, talent.village)
    if post not in ReserveCadre.Post.values:
        raise field_error("post", _("请选择后备岗位。"), "invalid")
    if named_on > timezone.localdate():
        raise field_error("named_on", _("确定日期不能晚于今天。"), "future")
    if ReserveCadre.objects.filter(talent=talent, post=post).exists():
        raise field_error("post", _("%(name)s已是该岗位的后备干部。") % {"name": talent.name}, "unique")
    cadre = ReserveCadre(talent=talent, post=post, named_on=named_on)
    cadre.full_clean()
    cadre.save()
    audit_record(actor=actor, action="dossiers.reserve_name", target=talent, org_path=talent.org_path,
                 after={"name": talent.name, "post": cadre.get_post_display()})  # fmt: skip
    return cadre


def _community(org: Organization) -> None:
    if org.field != Organization.Field.COMMUNITY:
        raise field_error("community", _("“%(org)s”不是社区党组织，请填写居住地社区的组织编码。") % {"org": org.name},
                          "kind")  # fmt: skip


@transaction.atomic
def community_register(
    *, actor, member: Member, community: Organization, registered_on: date
) -> CommunityRegistration:
    """到社区报到: the member (or their branch) registers them with the community they live in."""
    themself = actor.role == Role.MEMBER and actor.member_id == member.pk
    if not themself:
        _require_work(actor, member.organization)
    _community(community)
    if member.category != Member.Category.EMPLOYED:
        raise field_error(
            "member", _("到社区报到面向在职党员：%(name)s不是在职党员。") % {"name": member.name}, "category"
        )
    if registered_on > timezone.localdate():
        raise field_error("registered_on", _("报到日期不能晚于今天。"), "future")
    if CommunityRegistration.objects.filter(member=member).exists():
        raise field_error("member", _("%(name)s已向社区报到。") % {"name": member.name}, "unique")
    registration = CommunityRegistration(member=member, community=community, community_path=community.path,
                                         registered_on=registered_on, registered_by=actor)  # fmt: skip
    registration.save()
    audit_record(actor=actor, action="dossiers.community_register", target=member, org_path=member.org_path,
                 after={"community": community.name, "registered_on": f"{registered_on:%Y-%m-%d}"})  # fmt: skip
    keepers = get_user_model().objects.filter(
        organization=community, role__in=[Role.SECRETARY, Role.CLERK], is_active=True
    )
    notify(recipients=list(keepers), link=reverse("dossiers:community", args=[community.pk]),
           text=_("在职党员%(name)s已到社区报到。") % {"name": member.name})  # fmt: skip
    return registration


@transaction.atomic
def activity_record(*, actor, community: Organization, held_on: date, title: str,
                    members: Sequence[Member]) -> ServiceActivity:  # fmt: skip
    """A service activity of the community and the registered members who joined it."""
    _require_work(actor, community)
    _community(community)
    errors: dict[str, list[str]] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = [_("活动日期不能晚于今天。")]
    if not title.strip():
        errors["title"] = [_("请填写活动内容。")]
    if not members:
        errors["members"] = [_("请至少选择一名参加的党员。")]
    registered = set(
        CommunityRegistration.objects.filter(community=community).values_list("member_id", flat=True)
    )
    strangers = [m.name for m in members if m.pk not in registered]
    if strangers:
        errors["members"] = [_("%(names)s没有向本社区报到。") % {"names": "、".join(strangers)}]
    if errors:
        raise ValidationError(errors)
    activity = ServiceActivity(community=community, community_path=community.path, held_on=held_on,
                               title=title.strip(), recorded_by=actor)  # fmt: skip
    activity.full_clean()
    activity.save()
    activity.members.set(members)
    audit_record(actor=actor, action="dossiers.activity_record", target=activity, org_path=community.path,
                 after={"title": activity.title, "held_on": f"{held_on:%Y-%m-%d}", "members": len(members)})  # fmt: skip
    return activity
