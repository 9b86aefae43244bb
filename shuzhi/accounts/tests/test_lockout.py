"""Lockout cannot be used to lock others out: per account and address, a wider per-address limit
checked before any password is hashed, and the security administrator unlocks anyone."""

from datetime import timedelta
from unittest import mock

import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.hashers import get_hasher
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.models import AuditEvent
from shuzhi.testing.factories import PASSWORD

A = "10.1.1.1"
B = "10.2.2.2"


def _login(client, username, password, address):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_an_attacker_failing_from_one_address_does_not_lock_the_holder_out_elsewhere(client, cast):
    for _ in range(5):
        _login(client, "county_org", "Wrong-Pass-1", A)
    assert _login(client, "county_org", PASSWORD, A).status_code == 403
    assert _login(client, "county_org", PASSWORD, B).status_code == 302
    assert client.session["_auth_user_id"] == str(cast.county_organiser.pk)


def _counting_hasher():
    hasher = type(get_hasher())
    return (
        mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode),
        mock.patch.object(hasher, "verify", autospec=True, side_effect=hasher.verify),
    )


def test_the_per_address_limit_refuses_before_any_password_is_hashed(client, cast, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    encode_patch, verify_patch = _counting_hasher()
    with encode_patch as encode, verify_patch as verify:
        # different names each time, so no account lockout is reached: only the address limit
        for n in range(6):
            assert _login(client, f"guess{n}", "Wrong-Pass-1", A).status_code == 200
        assert encode.call_count + verify.call_count >= 6  # each try below the limit costs a hash
        encode.reset_mock()
        verify.reset_mock()
        events, attempts = AuditEvent.objects.count(), AccessAttempt.objects.count()
        for name in ("guess9", "county_org"):
            response = _login(client, name, PASSWORD if name == "county_org" else "x", A)
            assert response.status_code == 429
            assert "此地址登录失败次数过多" in response.content.decode()
        assert encode.call_count == 0 and verify.call_count == 0
    assert (AuditEvent.objects.count(), AccessAttempt.objects.count()) == (events, attempts)
    assert "_auth_user_id" not in client.session
    # the limit is audited once, when reached; another address is not affected
    assert AuditEvent.objects.filter(action="auth.address_limited", target_repr=A).count() == 1
    assert _login(client, "county_org", PASSWORD, B).status_code == 302


def test_the_per_address_limit_lapses_after_its_window(client, cast, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(5):
            _login(client, f"guess{n}", "Wrong-Pass-1", A)
        assert _login(client, "county_org", PASSWORD, A).status_code == 429
        clock.shift(timedelta(minutes=django_settings.LOGIN_ADDRESS_WINDOW_MINUTES + 1))
        assert _login(client, "county_org", PASSWORD, A).status_code == 302


def test_the_security_administrator_unlocks_an_administrator_from_the_web(client, cast):
    for _ in range(5):
        _login(client, "sysadmin", "Wrong-Pass-1", A)
    assert _login(client, "sysadmin", PASSWORD, A).status_code == 403
    client.force_login(cast.secadmin)
    page = client.get(reverse("accounts:locked_list"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "sysadmin" in content and A in content and "系统管理员" in content
    response = client.post(reverse("accounts:locked_unlock"), {"username": "sysadmin"})
    assert response.status_code == 302
    assert "目前没有被锁定的账号" in client.get(reverse("accounts:locked_list")).content.decode()
    event = AuditEvent.objects.get(action="user.unlock")
    assert event.actor == cast.secadmin and event.target_repr.startswith("系统管理员")
    client.post(reverse("accounts:logout"))
    assert _login(client, "sysadmin", PASSWORD, A).status_code == 302


def test_only_the_security_administrator_may_unlock_here(client, cast):
    for _ in range(5):
        _login(client, "county_org", "Wrong-Pass-1", A)
    for user in (cast.sysadmin, cast.auditor, cast.city_organiser):
        client.force_login(user)
        assert client.get(reverse("accounts:locked_list")).status_code == 403
        assert client.post(reverse("accounts:locked_unlock"), {"username": "county_org"}).status_code == 403
    assert AccessAttempt.objects.filter(username="county_org").exists()
    assert not AuditEvent.objects.filter(action="user.unlock").exists()
    client.force_login(cast.secadmin)
    assert client.get(reverse("accounts:locked_unlock")).status_code == 405
    assert client.post(reverse("accounts:locked_list")).status_code == 405
