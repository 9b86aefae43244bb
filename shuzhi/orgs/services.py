from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from shuzhi.core.errors import field_error
from shuzhi.core.paths import PATH_LAST_CHARACTER, PATH_MAX_LENGTH
from shuzhi.core.services import audit_diff, audit_record
from shuzhi.orgs.models import Organization

EDITABLE_FIELDS = ("name", "code", "kind", "level", "field", "secretary_since")


def organization_snapshot(org: Organization) -> dict[str, Any]:
    return {
        "name": org.name,
        "code": org.code,
        "kind": org.kind,
        "level": org.level,
        "field": org.field,
        "secretary": org.secretary.name if org.secretary_id else None,
        "secretary_id": org.secretary_id,
        "secretary_since": org.secretary_since,
    }


@transaction.atomic
def organization_create(
    *,
    actor,
    parent: Organization | None,
    name: str,
    code: str,
    kind: str,
    level: str,
    field: str,
) -> Organization:
    org = Organization(name=name, code=code, kind=kind, level=level, field=field)
    org.validate_placement(parent)
    org.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        org = Organization.objects.add_root(instance=org)
    else:
        # re-read the parent under lock: numchild and the last child's path decide the new path
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
        org = Organization.objects.add_child(parent, instance=org)
    organization_totals_refresh(paths=[org.path])
    audit_record(
        actor=actor, action="org.create", target=org, org_path=org.path, after=organization_snapshot(org)
    )
    return org


@transaction.atomic
def organization_update(
    *, actor, org: Organization, secretary=None, clear_secretary=False, **fields: Any
) -> Organization:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    before = organization_snapshot(org)
    for name, value in fields.items():
        setattr(org, name, value)
    if secretary is not None:
        if not secretary.org_path.startswith(org.path):
            raise field_error("secretary", _("书记应为本组织或其下级组织的党员。"), "secretary_outside")
        org.secretary = secretary
    elif clear_secretary:
        org.secretary = None
        org.secretary_since = None
    parent = Organization.objects.get_parent(org) if org.depth > 1 else None
    org.validate_placement(parent)
    if org.numchild and org.kind == Organization.Kind.BRANCH:
        raise field_error("kind", _("该组织下设有党组织，不能改为党支部。"), "branch_has_children")
    if org.numchild and org.level != before["level"]:
        raise field_error("level", _("该组织下设有党组织，不能修改层级。"), "level_has_children")
    org.full_clean()
    org.save()
    old, new = audit_diff(before, organization_snapshot(org))
    if new:
        audit_record(actor=actor, action="org.update", target=org, org_path=org.path, before=old, after=new)
    return org


def ancestor_paths(paths: Iterable[str]) -> set[str]:
    """Every path that is a path given or above one, by the tree's fixed step length."""
    steplen = Organization.steplen
    return {path[:end] for path in paths for end in range(steplen, len(path) + 1, steplen)}


def organization_totals_refresh(*, paths: Iterable[str]) -> None:
    """Recompute the subtree totals of these organisations and of all above them.

    Call after anything that changes members' counters or adds organisations. One UPDATE per
    500 organisations, each summing its subtree through the path index.
    """
    targets = sorted(ancestor_paths(paths))
    if not targets:
        return
    table = Organization._meta.db_table
    tail = PATH_LAST_CHARACTER * PATH_MAX_LENGTH
    subtree = f"FROM {table} AS sub WHERE sub.path >= {table}.path AND sub.path <= {table}.path || %s"
    with connection.cursor() as cursor:
        for start in range(0, len(targets), 500):
            chunk = targets[start : start + 500]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET "  # noqa: S608 (table and column names are ours; values are parameters)
                f"total_members = (SELECT COALESCE(SUM(sub.member_count), 0) {subtree}), "
                f"total_probationary = (SELECT COALESCE(SUM(sub.probationary_count), 0) {subtree}), "
                f"total_organizations = (SELECT COUNT(*) {subtree}) "
                f"WHERE path IN ({placeholders})",
                [tail, tail, tail, *chunk],
            )
