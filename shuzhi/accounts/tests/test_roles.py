import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shuzhi.accounts.models import User
from shuzhi.core.models import AuditEvent
from shuzhi.core.roles import ADMIN_ROLES, ROLE_CAPABILITIES, Capability, Role

ADMIN_CAPABILITIES = {Capability.MANAGE_USERS, Capability.MANAGE_SECURITY, Capability.READ_AUDIT}


def test_each_administrator_capability_belongs_to_exactly_one_role():
    for capability in ADMIN_CAPABILITIES:
        holders = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
        assert len(holders) == 1, capability


def test_no_role_holds_two_administrator_capabilities_or_sees_members_as_an_administrator():
    for role, caps in ROLE_CAPABILITIES.items():
        assert len(caps & ADMIN_CAPABILITIES) <= 1, role
        if role in ADMIN_ROLES:
            assert Capability.VIEW_MEMBERS not in caps and Capability.REVEAL_PERSONAL_DATA not in caps


def test_every_role_has_its_capabilities_listed():
    assert set(ROLE_CAPABILITIES) == set(Role.values)


def test_a_deactivated_account_can_do_nothing(cast):
    cast.city_organiser.is_active = False
    assert cast.city_organiser.capabilities == frozenset()


def test_create_admin_makes_one_administrator_who_must_change_the_password(cast):
    out = io.StringIO()
    call_command("create_admin", role="auditor", username="audit2", org="C01", stdout=out)
    user = User.objects.get(username="audit2")
    assert user.role == Role.AUDITOR and user.organization == cast.county_a and user.must_change_password
    password = out.getvalue().split("初始密码：")[1].split()[0]
    assert user.check_password(password)
    assert AuditEvent.objects.filter(action="user.create_admin", target_id=str(user.pk)).exists()


def test_create_admin_refuses_an_unknown_organisation_and_a_taken_name(cast):
    with pytest.raises(CommandError, match="没有编码"):
        call_command("create_admin", role="auditor", username="audit3", org="NOPE", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_admin", role="auditor", username="auditor", org="C", stdout=io.StringIO())
