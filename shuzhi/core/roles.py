"""Roles and what each may do: the vocabulary `core.access` checks. One role per account (the
account itself is in `accounts`), so the three administrators stay apart."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORGANISER = "organiser", _("组织部")  # runs the cycle for their organisation and below
    SECRETARY = "secretary", _("书记")  # reports for their unit; sees their subtree
    REVIEWER = "reviewer", _("评议人")  # committee member or delegate who comments and reviews
    MEMBER = "member", _("党员")  # sees only their own record
    SUPERVISOR = "supervisor", _("督查办")  # follows and checks rectification across the subtree
    CLERK = "clerk", _("记录员")  # keeps the organisational-life records of their branches (组织委员)
    SYSTEM_ADMIN = "sysadmin", _("系统管理员")  # users and roles, nothing else
    SECURITY_ADMIN = "secadmin", _("安全管理员")  # security settings, nothing else
    AUDITOR = "auditor", _("安全审计员")  # reads the audit log, nothing else


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})


class Capability(StrEnum):
    VIEW_ORGS = "view_orgs"
    MANAGE_ORGS = "manage_orgs"
    VIEW_MEMBERS = "view_members"
    MANAGE_MEMBERS = "manage_members"
    REVEAL_PERSONAL_DATA = "reveal_personal_data"
    EXPORT_DATA = "export_data"
    MANAGE_USERS = "manage_users"
    MANAGE_SECURITY = "manage_security"
    READ_AUDIT = "read_audit"
    MANAGE_CYCLES = "manage_cycles"  # set up and run their organisation's cycle, review reports
    VIEW_CYCLES = "view_cycles"  # see cycles in the subtree and their progress
    WRITE_REPORT = "write_report"  # write the duty report they are named reporter for
    COMMENT = "comment"  # 点评 the reporters at a review meeting
    VIEW_RECTIFICATION = "view_rectification"  # the subtree's rectification items and board
    MANAGE_RECTIFICATION = "manage_rectification"  # generate items, sign off, record 问责
    WORK_RECTIFICATION = "work_rectification"  # their own unit's items: plan, milestones, ask sign-off
    SUPERVISE = "supervise"  # quarterly checks and reports
    VIEW_RECORDS = "view_records"  # the subtree's organisational-life records and their completion
    KEEP_RECORDS = "keep_records"  # enter the organisational life of the branches in their subtree


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ORGANISER: frozenset(
        {
            Capability.VIEW_ORGS,
            Capability.MANAGE_ORGS,
            Capability.VIEW_MEMBERS,
            Capability.MANAGE_MEMBERS,
            Capability.REVEAL_PERSONAL_DATA,
            Capability.EXPORT_DATA,
            Capability.MANAGE_CYCLES,
            Capability.VIEW_CYCLES,
            Capability.VIEW_RECTIFICATION,
            Capability.MANAGE_RECTIFICATION,
            Capability.VIEW_RECORDS,
        }
    ),
    # a secretary's exports have ID numbers and phones masked
    Role.SECRETARY: frozenset(
        {
            Capability.VIEW_ORGS,
            Capability.VIEW_MEMBERS,
            Capability.EXPORT_DATA,
            Capability.WRITE_REPORT,
            Capability.WORK_RECTIFICATION,
            Capability.VIEW_RECORDS,
            Capability.KEEP_RECORDS,
        }
    ),
    Role.REVIEWER: frozenset({Capability.VIEW_ORGS, Capability.VIEW_CYCLES, Capability.COMMENT}),
    # a member's member list holds only themself (members.selectors.members_visible_to)
    Role.MEMBER: frozenset({Capability.VIEW_MEMBERS}),
    Role.SUPERVISOR: frozenset({Capability.VIEW_ORGS, Capability.VIEW_RECTIFICATION, Capability.SUPERVISE}),
    # a branch's 组织委员 or whoever keeps its records: the records, nothing else
    Role.CLERK: frozenset({Capability.VIEW_ORGS, Capability.VIEW_RECORDS, Capability.KEEP_RECORDS}),
    Role.SYSTEM_ADMIN: frozenset({Capability.MANAGE_USERS, Capability.VIEW_ORGS}),
    Role.SECURITY_ADMIN: frozenset({Capability.MANAGE_SECURITY}),
    Role.AUDITOR: frozenset({Capability.READ_AUDIT}),
}


def capabilities_of(role: str) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(role, frozenset())
