"""Writes of 基本保障: the floors (by the province or city organiser), the villages' figures
(entered or imported, all or nothing), and the 约谈 drafts the compliance table suggests."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.accounts.models import User
from shuzhi.core.errors import field_error
from shuzhi.core.roles import Capability, Role
from shuzhi.core.services import audit_record, notify
from shuzhi.exchange import rules as cells
from shuzhi.exchange.workbook import check_upload, read_sheet
from shuzhi.orgs.models import Organization
from shuzhi.rectification.models import Accountability
from shuzhi.rectification.services import accountability_record
from shuzhi.weakorgs import guarantee_rules as g
from shuzhi.weakorgs import guarantee_selectors as gs
from shuzhi.weakorgs import guarantee_sheet
from shuzhi.weakorgs.models import GuaranteeFigure, GuaranteeFloor, TalkDraft
from shuzhi.weakorgs.services import check_year, is_above, is_unit, organises

ERRORS_SHOWN = 50
FIGURE_FIELDS = ("operating_total", "secretary_pay", "dual_role", "deputy_pay", "office_funds", "service_funds",
                 "training_funds", "members", "residents", "workers")  # fmt: skip


def may_set_floor(user) -> bool:
    return (
        user.is_authenticated
        and user.can(Capability.MANAGE_RECTIFICATION)
        and user.organization.level in gs.FLOOR_LEVELS
    )


def may_enter(user, org: Organization) -> bool:
    return organises(user, org) or is_unit(user, org)


def _plain(values: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


@transaction.atomic
def floor_set(*, actor, year: int, **norms) -> GuaranteeFloor:
    """The actor's level's floors for a year (created or changed), audited."""
    if not may_set_floor(actor):
        raise ValidationError(_("基本保障标准由省、市党委组织部制定。"), code="not_allowed")
    check_year(year)
    unknown = set(norms) - set(g.FLOOR_FIELDS)
    if unknown:
        raise ValueError(f"unknown norms {unknown}")
    if norms.get("secretary_ratio") is not None and norms.get("rural_income") is None:
        raise field_error(
            "rural_income", _("按倍数确定主职报酬时，应填写当年农村居民人均可支配收入。"), "required"
        )
    org = actor.organization
    floor = GuaranteeFloor.objects.select_for_update().filter(organization=org, year=year).first()
    before = {k: getattr(floor, k) for k in g.FLOOR_FIELDS} if floor else None
    if floor is None:
        floor = GuaranteeFloor(organization=org, org_path=org.path, year=year, updated_by=actor)
    for key, value in norms.items():
        setattr(floor, key, value)
    floor.updated_by = actor
    floor.full_clean()
    floor.save()
    audit_record(actor=actor, action="weakorgs.floor_set", target=floor, org_path=org.path,
                 before=_plain(before) if before else None,
                 after=_plain({"year": year, **{k: getattr(floor, k) for k in g.FLOOR_FIELDS}}))  # fmt: skip
    return floor


def _unit_check(org: Organization) -> None:
    if org.level != Organization.Level.VILLAGE or org.field not in gs.UNIT_FIELDS:
        raise ValidationError(_("只有村、社区党组织填报基本保障落实情况。"), code="not_village")


@transaction.atomic
def figure_set(*, actor, org: Organization, year: int, **values) -> GuaranteeFigure:
    """A village's or community's figures for a year (created or replaced), audited."""
    if not may_enter(actor, org):
        raise ValidationError(_("只有本村（社区）书记或其上级组织部可以填报。"), code="not_allowed")
    check_year(year)
    _unit_check(org)
    if org.field == Organization.Field.COMMUNITY and values.get("residents") is None:
        raise field_error("residents", _("社区应填写常住居民数。"), "required")
    figure = GuaranteeFigure.objects.select_for_update().filter(organization=org, year=year).first()
    before = {k: getattr(figure, k) for k in FIGURE_FIELDS} if figure else None
    if figure is None:
        figure = GuaranteeFigure(organization=org, org_path=org.path, year=year)
    for key in FIGURE_FIELDS:
        setattr(figure, key, values.get(key, getattr(figure, key, None)))
    figure.recorded_by = actor
    figure.full_clean()
    figure.save()
    audit_record(actor=actor, action="weakorgs.figure_set", target=figure, org_path=org.path,
                 before=_plain(before) if before else None,
                 after=_plain({"year": year, **{k: getattr(figure, k) for k in FIGURE_FIELDS}}))  # fmt: skip
    return figure


@transaction.atomic
def figures_import(*, actor, year: int, upload) -> tuple[int, int]:
    """Read the figures of the actor's villages and communities and write them all, or nothing:
    any bad row refuses the sheet with every reason, row by row. Returns (added, replaced)."""
    if not actor.is_authenticated or not actor.can(Capability.MANAGE_RECTIFICATION):
        raise ValidationError(_("只有组织部可以导入基本保障落实情况。"), code="not_allowed")
    check_year(year)
    check_upload(upload, upload.size)
    upload.seek(0)
    sheet = read_sheet(upload, lookup=guarantee_sheet.lookup())
    units = gs.units_under(actor.organization.path)
    codes = dict(
        Organization.objects.filter(pk__in=[u.id for u in units]).values_list("code", "id").order_by()
    )
    counts: dict[str, int] = defaultdict(int)
    for unit in units:
        counts[cells.compact(unit.name)] += 1
    by_name = {cells.compact(u.name): u.id for u in units if counts[cells.compact(u.name)] == 1}
    community = {u.id for u in units if u.field == Organization.Field.COMMUNITY}
    rows, errors = guarantee_sheet.read_rows(sheet, by_code=codes, by_name=by_name, community=community)
    if not rows and not errors:
        errors.append(_("表中没有可导入的行。"))
    if errors:
        shown = errors[:ERRORS_SHOWN]
        if len(errors) > ERRORS_SHOWN:
            shown.append(_("……共 %(n)d 处问题。") % {"n": len(errors)})
        raise ValidationError(shown, code="rows")
    members = {u.id: u.members for u in units}
    paths = {u.id: u.path for u in units}
    existing = {
        f.organization_id: f
        for f in GuaranteeFigure.objects.filter(year=year, organization_id__in=[r.org_id for r in rows])
    }
    added, changed = [], []
    for row in rows:
        values = dict(row.values)
        if values.get("members") is None:
            values["members"] = members[row.org_id]
        figure = existing.get(row.org_id) or GuaranteeFigure(
            organization_id=row.org_id, org_path=paths[row.org_id], year=year
        )
        for key in FIGURE_FIELDS:
            setattr(figure, key, values.get(key))
        figure.recorded_by = actor
        figure.full_clean(exclude=["organization"], validate_unique=False, validate_constraints=False)
        (changed if figure.pk else added).append(figure)
    GuaranteeFigure.objects.bulk_create(added, batch_size=2000)
    GuaranteeFigure.objects.bulk_update(
        changed, [*FIGURE_FIELDS, "recorded_by", "updated_at"], batch_size=2000
    )
    audit_record(actor=actor, action="weakorgs.figures_import", target=actor.organization,
                 org_path=actor.organization.path,
                 extra={"year": year, "added": len(added), "replaced": len(changed), "rows": len(rows)})  # fmt: skip
    return len(added), len(changed)


# ---- 约谈 drafts -------------------------------------------------------------------------------


def _secretary_name(org: Organization) -> str:
    return org.secretary.name if org.secretary_id and org.secretary else ""


@transaction.atomic
def talks_suggest(*, actor, year: int) -> int:
    """A 约谈 draft for each county under the actor whose villages or communities fall short of a
    floor in the year (one per county and year). Returns how many were added."""
    if not actor.is_authenticated or not actor.can(Capability.MANAGE_RECTIFICATION):
        raise ValidationError(_("只有组织部可以生成约谈建议。"), code="not_allowed")
    check_year(year)
    rows, _judged = gs.table(actor.organization, year)
    added = 0
    for row in rows:
        if row.org.level != Organization.Level.COUNTY or not row.short or row.talk is not None:
            continue
        named = "、".join(f"{g.NORMS[k][0]} {n} 个" for k, n in row.by_norm.items() if n)
        reason = _("%(year)d 年度%(county)s有 %(n)d 个村（社区）基本保障未落实到位（%(named)s），"
                   "按规定约谈县区党委书记。") % {"year": year, "county": row.org.name, "n": row.short, "named": named}  # fmt: skip
        TalkDraft.objects.create(organization=row.org, org_path=row.org.path, year=year,
                                 person=_secretary_name(row.org), reason=reason, created_by=actor)  # fmt: skip
        added += 1
    audit_record(actor=actor, action="weakorgs.talks_suggest", target=actor.organization,
                 org_path=actor.organization.path, extra={"year": year, "added": added})  # fmt: skip
    return added


def _open_draft(actor, draft: TalkDraft) -> TalkDraft:
    draft = TalkDraft.objects.select_for_update().select_related("organization").get(pk=draft.pk)
    if not is_above(actor, draft.organization):
        raise ValidationError(_("约谈由县区的上级组织部确认。"), code="not_allowed")
    if draft.status != TalkDraft.Status.DRAFT:
        raise ValidationError(_("该约谈建议已处理。"), code="decided")
    return draft


@transaction.atomic
def talk_confirm(*, actor, draft: TalkDraft, person: str, reason: str, on: date | None = None) -> TalkDraft:
    """Confirm the draft: a 问责 record (约谈) of the rectification area, linked to the draft."""
    draft = _open_draft(actor, draft)
    if not person.strip():
        raise field_error("person", _("请填写被约谈人。"), "required")
    if not reason.strip():
        raise field_error("reason", _("请写明事由。"), "required")
    record = accountability_record(actor=actor, organization=draft.organization, kind=Accountability.Kind.TALK,
                                   person=person, on=on or timezone.localdate(), reason=reason)  # fmt: skip
    draft.status, draft.person, draft.reason = TalkDraft.Status.CONFIRMED, person.strip(), reason.strip()
    draft.accountability, draft.decided_by = record, actor
    draft.save()
    audit_record(actor=actor, action="weakorgs.talk_confirm", target=draft, org_path=draft.org_path,
                 after={"person": draft.person, "year": draft.year, "accountability": record.pk})  # fmt: skip
    notify(recipients=_county_organisers(draft.organization), text=_("%(year)d 年度基本保障未落实到位，上级组织部已确定约谈%(person)s。")
           % {"year": draft.year, "person": draft.person},
           link=reverse("weakorgs:guarantees") + f"?year={draft.year}")  # fmt: skip
    return draft


def _county_organisers(org: Organization) -> list[User]:
    return list(User.objects.filter(organization_id=org.pk, role=Role.ORGANISER, is_active=True))


@transaction.atomic
def talk_dismiss(*, actor, draft: TalkDraft, reason: str) -> TalkDraft:
    draft = _open_draft(actor, draft)
    if not reason.strip():
        raise field_error("reason", _("请写明理由。"), "required")
    draft.status, draft.note, draft.decided_by = TalkDraft.Status.DISMISSED, reason.strip()[:300], actor
    draft.save()
    audit_record(actor=actor, action="weakorgs.talk_dismiss", target=draft, org_path=draft.org_path,
                 after={"note": draft.note, "year": draft.year})  # fmt: skip
    return draft
