"""The system administrator manages ordinary accounts in their subtree, and nothing else."""

from html import escape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuzhi.accounts import services
from shuzhi.accounts.models import User
from shuzhi.core.models import AuditEvent
from shuzhi.core.roles import Role
from shuzhi.testing.factories import UserFactory


def _form(**overrides):
    data = {
        "username": "li_si",
        "full_name": "李四",
        "organization_code": "C01001",
        "role": "secretary",
        "member_id_number": "",
    }
    data.update(overrides)
    return data


def test_the_system_administrator_creates_an_account_and_sees_its_password_once(client, cast):
    client.force_login(cast.sysadmin)
    response = client.post(reverse("accounts:user_create"), _form(member_id_number=cast.member_a2.id_number))
    assert response.status_code == 200
    password = response.context["password"]
    assert escape(password) in response.content.decode()
    user = User.objects.get(username="li_si")
    assert (user.role, user.organization, user.member) == (Role.SECRETARY, cast.township_a, cast.member_a2)
    assert user.must_change_password and user.check_password(password)
    event = AuditEvent.objects.get(action="user.create")
    assert event.actor == cast.sysadmin and password not in str(event.changes)


def test_an_administrator_role_cannot_be_given_through_the_page(client, cast):
    client.force_login(cast.sysadmin)
    for role in ("auditor", "sysadmin", "secadmin"):
        response = client.post(reverse("accounts:user_create"), _form(role=role))
        assert response.status_code == 200
        assert "role" in response.context["form"].errors
    with pytest.raises(ValidationError, match="部署人员"):
        services.user_create(
            actor=cast.sysadmin, username="x1", full_name="x", organization=cast.city, role=Role.AUDITOR
        )
    assert not User.objects.filter(username__in=["li_si", "x1"]).exists()


def test_an_account_cannot_be_placed_outside_the_administrators_subtree(client, cast):
    county_admin = UserFactory(username="county_admin", role=Role.SYSTEM_ADMIN, organization=cast.county_a)
    client.force_login(county_admin)
    response = client.post(reverse("accounts:user_create"), _form(organization_code="C02001"))
    assert "没有编码为“C02001”的组织" in response.content.decode()
    assert not User.objects.filter(username="li_si").exists()


def test_a_member_outside_the_accounts_organisation_cannot_be_linked(client, cast):
    client.force_login(cast.sysadmin)
    response = client.post(reverse("accounts:user_create"), _form(member_id_number=cast.member_b.id_number))
    assert response.status_code == 200
    assert "对应党员应在该账号所属组织" in response.content.decode()


def test_a_member_already_linked_to_an_account_cannot_be_linked_again(client, cast):
    client.force_login(cast.sysadmin)
    response = client.post(
        reverse("accounts:user_create"), _form(member_id_number=cast.secretary_a.id_number)
    )
    assert response.context["form"].errors["member_id_number"] == ["该党员已关联了另一个账号。"]
    assert not User.objects.filter(username="li_si").exists()


def test_a_duplicate_username_is_refused(client, cast):
    client.force_login(cast.sysadmin)
    response = client.post(reverse("accounts:user_create"), _form(username="COUNTY_ORG"))
    assert "已被使用" in response.content.decode()


def test_the_user_list_is_scoped_to_the_subtree(client, cast):
    county_admin = UserFactory(username="county_admin", role=Role.SYSTEM_ADMIN, organization=cast.county_a)
    client.force_login(county_admin)
    names = {u.username for u in client.get(reverse("accounts:user_list")).context["page"]}
    assert names == {"county_org", "township_sec", "member", "county_admin"}
    assert client.get(reverse("accounts:user_edit", args=[cast.outsider.pk])).status_code == 404


def test_the_edit_page_never_shows_a_linked_members_whole_id_number(client, cast):
    client.force_login(cast.sysadmin)
    content = client.get(reverse("accounts:user_edit", args=[cast.member_user.pk])).content.decode()
    assert cast.member_a.id_number not in content
    assert cast.member_a.id_number_masked in content


def test_editing_an_account_is_audited_with_what_changed(client, cast):
    client.force_login(cast.sysadmin)
    response = client.post(
        reverse("accounts:user_edit", args=[cast.reviewer.pk]),
        {
            "full_name": "评议代表甲",
            "organization_code": "C01",
            "role": "reviewer",
            "member_id_number": "",
            "is_active": "",
        },
    )
    assert response.status_code == 302
    cast.reviewer.refresh_from_db()
    assert (cast.reviewer.full_name, cast.reviewer.organization, cast.reviewer.is_active) == (
        "评议代表甲",
        cast.county_a,
        False,
    )
    event = AuditEvent.objects.get(action="user.update")
    assert event.changes["before"]["is_active"] is True and event.changes["after"]["is_active"] is False
    assert "role" not in event.changes["after"]


def test_administrator_accounts_and_ones_own_are_off_limits(client, cast):
    client.force_login(cast.sysadmin)
    for target in (cast.auditor, cast.secadmin, cast.sysadmin):
        response = client.post(reverse("accounts:user_reset_password", args=[target.pk]))
        assert response.status_code == 302
        with pytest.raises(PermissionDenied):
            services.user_reset_password(actor=cast.sysadmin, user=target)
    assert not AuditEvent.objects.filter(action="user.reset_password").exists()


def test_a_reset_password_is_shown_once_and_must_be_changed(client, cast):
    client.force_login(cast.sysadmin)
    response = client.post(reverse("accounts:user_reset_password", args=[cast.reviewer.pk]))
    password = response.context["password"]
    cast.reviewer.refresh_from_db()
    assert cast.reviewer.check_password(password) and cast.reviewer.must_change_password
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_nobody_but_the_system_administrator_manages_accounts(cast):
    for actor in (cast.city_organiser, cast.secadmin, cast.auditor):
        with pytest.raises(PermissionDenied):
            services.user_create(
                actor=actor, username="x", full_name="x", organization=cast.city, role=Role.REVIEWER
            )


def test_the_database_refuses_a_django_superuser(cast):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=cast.sysadmin.pk).update(is_superuser=True)
