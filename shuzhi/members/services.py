from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from shuzhi.core.services import audit_diff, audit_record
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.orgs.services import organization_totals_refresh

PLAIN_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "joined_on",
    "full_member_on",
    "status",
    "category",
)


def member_snapshot(member: Member) -> dict[str, Any]:
    """What the audit log keeps of a member: personal data masked, never in full."""
    data: dict[str, Any] = {field: getattr(member, field) for field in PLAIN_FIELDS}
    data["id_number"] = member.id_number_masked
    data["phone"] = member.phone_masked
    data["organization"] = member.organization.name if member.organization_id else None
    data["organization_id"] = member.organization_id
    return data


def members_recount(org_ids: Iterable[int]) -> None:
    """Refresh the member counters of these organisations from the member table, and the
    subtree totals of everything above them."""
    ids = sorted(set(org_ids))
    if not ids:
        return

    def count(condition: Q) -> Coalesce:
        sub = (
            Member.objects.filter(condition, organization=OuterRef("pk"))
            .order_by()
            .values("organization")
            .annotate(n=Count("id"))
            .values("n")
        )
        return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))

    for start in range(0, len(ids), 500):
        Organization.objects.filter(pk__in=ids[start : start + 500]).update(
            member_count=count(Q()),
            probationary_count=count(Q(status=Member.Status.PROBATIONARY)),
        )
    organization_totals_refresh(paths=Organization.objects.filter(pk__in=ids).values_list("path", flat=True))


def _apply(
    member: Member, organization: Organization, id_number: str, phone: str, fields: dict[str, Any]
) -> None:
    unknown = set(fields) - set(PLAIN_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(member, name, value)
    member.organization = organization
    member.org_path = organization.path
    member.set_id_number(id_number)
    member.set_phone(phone)


@transaction.atomic
def member_create(
    *, actor, organization: Organization, id_number: str, phone: str = "", **fields: Any
) -> Member:
    member = Member()
    _apply(member, organization, id_number, phone, fields)
    member.full_clean()
    member.save()
    members_recount([organization.pk])
    audit_record(
        actor=actor,
        action="member.create",
        target=member,
        org_path=member.org_path,
        after=member_snapshot(member),
    )
    return member


@transaction.atomic
def member_update(
    *, actor, member: Member, organization: Organization, id_number: str, phone: str = "", **fields: Any
) -> Member:
    before = member_snapshot(member)
    old_org_id = member.organization_id
    _apply(member, organization, id_number, phone, fields)
    member.full_clean()
    member.save()
    members_recount([old_org_id, organization.pk])
    old, new = audit_diff(before, member_snapshot(member))
    if new:
        audit_record(
            actor=actor,
            action="member.update",
            target=member,
            org_path=member.org_path,
            before=old,
            after=new,
        )
    return member


@transaction.atomic
def member_reveal(*, actor, member: Member) -> dict[str, str]:
    """Return the whole ID number and phone, leaving a trace of who looked."""
    audit_record(
        actor=actor,
        action="member.reveal",
        target=member,
        org_path=member.org_path,
        extra={"fields": ["id_number", "phone"]},
    )
    return {"id_number": member.id_number, "phone": member.phone}
