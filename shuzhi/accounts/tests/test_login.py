from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from shuzhi.accounts import services
from shuzhi.core.models import AuditEvent
from shuzhi.testing.factories import PASSWORD

LOGIN = "accounts:login"


def _login(client, username, password):
    return client.post(reverse(LOGIN), {"username": username, "password": password})


def test_a_user_logs_in_and_the_login_is_audited(client, cast):
    response = _login(client, "county_org", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == cast.county_organiser
    assert event.org_path == cast.county_a.path
    assert event.ip == "127.0.0.1"


def test_a_wrong_password_is_refused_in_chinese_and_audited(client, cast):
    response = _login(client, "county_org", "Wrong-Pass-1")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session
    failure = AuditEvent.objects.get(action="auth.login_failed")
    assert failure.target_repr == "county_org" and failure.actor is None


def test_the_login_page_is_in_chinese(client, db):
    content = client.get(reverse(LOGIN)).content.decode()
    assert "用户名" in content and "密码" in content and 'lang="zh-Hans"' in content


def test_five_failures_lock_the_account_even_against_the_right_password(client, cast):
    for _ in range(4):
        assert _login(client, "county_org", "Wrong-Pass-1").status_code == 200
    fifth = _login(client, "county_org", "Wrong-Pass-1")
    assert fifth.status_code == 403
    assert "账号已锁定 30 分钟" in fifth.content.decode()
    right = _login(client, "county_org", PASSWORD)
    assert right.status_code == 403
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out", target_repr="county_org").exists()


def test_the_lock_lifts_after_thirty_minutes(client, cast):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            _login(client, "county_org", "Wrong-Pass-1")
        clock.shift(timedelta(minutes=29))
        assert _login(client, "county_org", PASSWORD).status_code == 403
        clock.shift(timedelta(minutes=2))
        assert _login(client, "county_org", PASSWORD).status_code == 302


def test_locking_one_account_does_not_lock_another(client, cast):
    for _ in range(5):
        _login(client, "county_org", "Wrong-Pass-1")
    assert _login(client, "city_org", PASSWORD).status_code == 302


def test_an_unknown_username_is_locked_too_so_names_cannot_be_probed(client, db):
    for _ in range(5):
        _login(client, "nobody", "Wrong-Pass-1")
    assert "账号已锁定" in _login(client, "nobody", "Wrong-Pass-1").content.decode()


def test_the_system_administrator_unlocks_an_account(client, cast):
    for _ in range(5):
        _login(client, "county_org", "Wrong-Pass-1")
    services.user_unlock(actor=cast.sysadmin, user=cast.county_organiser)
    assert _login(client, "county_org", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="user.unlock", actor=cast.sysadmin).exists()


def test_a_deactivated_account_cannot_log_in(client, cast):
    cast.reviewer.is_active = False
    cast.reviewer.save()
    assert _login(client, "reviewer", PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_is_audited(client, cast):
    _login(client, "county_org", PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=cast.county_organiser).exists()


@pytest.mark.parametrize("threshold", [3])
def test_the_security_policy_sets_the_threshold(client, cast, threshold):
    services.security_policy_update(actor=cast.secadmin, lockout_threshold=threshold)
    for _ in range(threshold - 1):
        assert _login(client, "county_org", "Wrong-Pass-1").status_code == 200
    assert _login(client, "county_org", "Wrong-Pass-1").status_code == 403
