from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from shuzhi.core.access import in_subtree
from shuzhi.core.dates import MonthDate, shown
from shuzhi.core.paths import subtree_bounds
from shuzhi.core.services import audit_diff, audit_record
from shuzhi.members import rules
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization
from shuzhi.orgs.services import ancestor_paths, organization_totals_refresh

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
    # a date known to its month is kept as such (1975-03), not as the 1st it is stored as
    for field, known in (("joined_on", member.joined), ("full_member_on", member.full_member)):
        if isinstance(known, MonthDate):
            data[field] = shown(known)
    data["id_number"] = member.id_number_masked
    data["phone"] = member.phone_masked
    data["organization"] = member.organization.name if member.organization_id else None
    data["organization_id"] = member.organization_id
    return data


def members_recount(org_ids: Iterable[int]) -> None:
    """Refresh the member counters of these organisations from the member table, and the
    subtree totals of everything above them. Members who have left (`left_on`) are not counted."""
    ids = sorted(set(org_ids))
    if not ids:
        return

    def count(condition: Q) -> Coalesce:
        # by org_path, which the member_scope_order index serves (organization_id has no index)
        sub = (
            Member.objects.filter(condition, org_path=OuterRef("path"), left_on__isnull=True)
            .order_by()
            .values("org_path")
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
    fields = dict(fields)
    if "name" in fields:
        fields["name"] = rules.normalise_name(fields["name"] or "")
    joined = fields.pop("joined_on", member.joined)
    full_member = fields.pop("full_member_on", member.full_member)
    for name, value in fields.items():
        setattr(member, name, value)
    member.set_dates(joined=joined, full_member=full_member)
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


def org_counters_rebuild(*, root: Organization) -> int:
    """Recompute every counter of the subtree of `root` (direct member counts, numchild and the
    subtree totals) in one pass, then the totals of the organisations above it.

    For imports and repairs: one aggregate over the members and one read of the organisations,
    instead of a correlated update per organisation. Returns how many organisations changed.
    """
    low, high = subtree_bounds(root.path)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT organization_id, COUNT(*), SUM(CASE WHEN status = %s THEN 1 ELSE 0 END) "  # noqa: S608
            f"FROM {Member._meta.db_table} WHERE org_path >= %s AND org_path <= %s AND left_on IS NULL "
            f"GROUP BY organization_id",
            [Member.Status.PROBATIONARY, low, high],
        )
        direct = {org_id: (count, probationary) for org_id, count, probationary in cursor.fetchall()}
    fields = (
        "member_count",
        "probationary_count",
        "numchild",
        "total_members",
        "total_probationary",
        "total_organizations",
    )
    rows = (
        Organization.objects.filter(in_subtree("path", root.path))
        .order_by("-path")  # a child's path sorts after its parent's: children come first
        .values_list("id", "path", *fields)
    )
    below: dict[str, list[int]] = {}  # parent path → [members, probationary, organisations, children]
    changed = []
    for org_id, path, *current in rows:
        count, probationary = direct.get(org_id, (0, 0))
        sub = below.pop(path, [0, 0, 0, 0])
        fresh = (count, probationary, sub[3], sub[0] + count, sub[1] + probationary, sub[2] + 1)
        if fresh != tuple(current):
            changed.append((org_id, *fresh))
        if path != root.path:
            parent = below.setdefault(path[: -Organization.steplen], [0, 0, 0, 0])
            parent[0] += fresh[3]
            parent[1] += fresh[4]
            parent[2] += fresh[5]
            parent[3] += 1
    _update_rows(Organization._meta.db_table, fields, changed)
    if root.depth > 1:
        organization_totals_refresh(paths=[root.path[: -Organization.steplen]])
    return len(changed)


def org_counters_add(*, root: Organization, added: Mapping[int, tuple[int, int]]) -> int:
    """Count members just added to organisations of the subtree of `root`: `added` maps an
    organisation's id to how many it gained and how many of them are probationary.

    For an import that only added members: it knows what it wrote, so instead of recounting the
    subtree (org_counters_rebuild) each organisation's own counts and the totals of it and of
    everything above it go up by what was added, in one UPDATE. Returns how many organisations
    changed."""
    ids = dict(Organization.objects.filter(in_subtree("path", root.path)).values_list("id", "path"))
    gained: dict[str, list[int]] = {}  # path → [members, probationary, total, total probationary]
    for org_id, (count, probationary) in added.items():
        path = ids[org_id]
        own = gained.setdefault(path, [0, 0, 0, 0])
        own[0] += count
        own[1] += probationary
        for ancestor in ancestor_paths([path]):  # itself included
            total = gained.setdefault(ancestor, [0, 0, 0, 0])
            total[2] += count
            total[3] += probationary
    above = [path for path in gained if len(path) < len(root.path)]
    by_path = {path: org_id for org_id, path in ids.items()}
    by_path.update(Organization.objects.filter(path__in=above).values_list("path", "id"))
    rows = [(by_path[path], *counts) for path, counts in gained.items() if any(counts)]
    _update_rows(
        Organization._meta.db_table,
        ("member_count", "probationary_count", "total_members", "total_probationary"),
        rows,
        add=True,
    )
    return len(rows)


def _update_rows(table: str, fields: tuple[str, ...], rows: list[tuple], *, add: bool = False) -> None:
    """UPDATE table SET fields… WHERE id = … for many rows at once (rows are (id, *values));
    `add`: the values are added to what the fields hold."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(fields)
            cursor.execute(
                f"CREATE TEMP TABLE counter_update ON COMMIT DROP AS SELECT id, {columns} FROM {table} WITH NO DATA"  # noqa: S608
            )
            with cursor.cursor.copy(f"COPY counter_update (id, {columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(f"{name} = {f't.{name} + ' if add else ''}u.{name}" for name in fields)
            cursor.execute(f"UPDATE {table} t SET {assignments} FROM counter_update u WHERE t.id = u.id")  # noqa: S608
            cursor.execute("DROP TABLE counter_update")
        else:
            assignments = ", ".join(f"{name} = {f'{name} + ' if add else ''}%s" for name in fields)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                [(*values, org_id) for org_id, *values in rows],
            )
