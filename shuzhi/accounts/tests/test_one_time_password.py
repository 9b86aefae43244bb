"""A system administrator never learns a working password: new and reset passwords are one-time."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from shuzhi.accounts import services
from shuzhi.accounts.models import User
from shuzhi.core.models import AuditEvent, Notification
from shuzhi.testing.factories import PASSWORD

NEW = "Dang-Jian-2025"


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _create_organiser_through_the_page(client, cast) -> str:
    client.force_login(cast.sysadmin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "org_new",
            "full_name": "新组织员",
            "organization_code": cast.county_a.code,
            "role": "organiser",
            "member_id_number": "",
        },
    )
    password = response.context["password"]
    client.post(reverse("accounts:logout"))
    return password


def test_the_system_administrator_cannot_use_a_new_organisers_password_to_reveal_id_numbers(client, cast):
    password = _create_organiser_through_the_page(client, cast)
    assert _login(client, "org_new", password).status_code == 302
    member = cast.member_a2
    # every page leads to the change form; the reveal, the member list, an export are refused
    response = client.get(reverse("members:detail", args=[member.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    response = client.post(reverse("members:reveal", args=[member.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and "请先修改初始密码" in response.content.decode()
    response = client.post(reverse("members:reveal", args=[member.pk]))
    assert response.status_code == 403
    assert member.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


def test_a_one_time_password_works_for_one_sign_in_only(client, cast):
    """Once used, it lives no longer than that session may idle: it cannot be kept for later."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        password = _create_organiser_through_the_page(client, cast)
        assert _login(client, "org_new", password).status_code == 302
        client.post(reverse("accounts:logout"))
        clock.shift(timedelta(minutes=31))
        response = _login(client, "org_new", password)
        assert response.status_code == 200 and "初始密码已失效" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_an_unused_one_time_password_expires(client, cast, settings):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        password = _create_organiser_through_the_page(client, cast)
        clock.shift(timedelta(hours=settings.ONE_TIME_PASSWORD_HOURS, minutes=1))
        response = _login(client, "org_new", password)
        assert response.status_code == 200 and "初始密码已失效" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_the_holder_chooses_a_password_that_then_keeps_working(client, cast):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        password = _create_organiser_through_the_page(client, cast)
        _login(client, "org_new", password)
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": password, "new_password": NEW, "new_password_again": NEW},
        )
        assert response.status_code == 302
        user = User.objects.get(username="org_new")
        assert not user.must_change_password and user.password_expires_at is None
        client.post(reverse("accounts:logout"))
        clock.shift(timedelta(days=30))
        assert _login(client, "org_new", NEW).status_code == 302


def test_a_reset_tells_the_holder_and_the_old_password_stops_working(client, cast):
    client.force_login(cast.sysadmin)
    response = client.post(reverse("accounts:user_reset_password", args=[cast.county_organiser.pk]))
    password = response.context["password"]
    client.post(reverse("accounts:logout"))
    assert _login(client, "county_org", PASSWORD).status_code == 200
    notice = Notification.objects.get(recipient=cast.county_organiser)
    assert "重置" in notice.text and "安全管理员" in notice.text and password not in notice.text
    cast.county_organiser.refresh_from_db()
    assert cast.county_organiser.unread_notifications == 1
    # the reset password is one-time too
    assert _login(client, "county_org", password).status_code == 302
    assert client.get(reverse("orgs:tree"))["Location"] == reverse("accounts:password_change")


def test_a_reset_through_the_service_is_one_time_as_well(cast):
    password = services.user_reset_password(actor=cast.sysadmin, user=cast.county_organiser)
    user = User.objects.get(pk=cast.county_organiser.pk)
    assert user.check_password(password) and user.must_change_password
    assert user.password_expires_at is not None and not user.one_time_password_expired
