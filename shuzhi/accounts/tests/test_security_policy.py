from django.urls import reverse

from shuzhi.accounts.models import SecurityPolicy
from shuzhi.accounts.selectors import security_policy
from shuzhi.core.models import AuditEvent

URL = "accounts:security_policy"
DEFAULTS = {
    "password_min_length": 8,
    "lockout_threshold": 5,
    "lockout_minutes": 30,
    "session_idle_minutes": 30,
}


def test_the_defaults_are_the_baseline(db):
    policy = security_policy()
    assert {name: getattr(policy, name) for name in DEFAULTS} == DEFAULTS


def test_the_security_administrator_tightens_the_policy_and_it_is_audited(client, cast):
    client.force_login(cast.secadmin)
    response = client.post(reverse(URL), {**DEFAULTS, "password_min_length": 12, "lockout_minutes": 60})
    assert response.status_code == 302
    stored = SecurityPolicy.objects.get(pk=1)
    assert (stored.password_min_length, stored.lockout_minutes) == (12, 60)
    assert security_policy().password_min_length == 12
    event = AuditEvent.objects.get(action="security.update_policy")
    assert event.changes == {"before": {"password_min_length": 8, "lockout_minutes": 30},
                             "after": {"password_min_length": 12, "lockout_minutes": 60}}  # fmt: skip


def test_the_policy_cannot_be_weakened_below_the_baseline(client, cast):
    client.force_login(cast.secadmin)
    response = client.post(
        reverse(URL),
        {**DEFAULTS, "password_min_length": 6, "lockout_threshold": 20, "session_idle_minutes": 600},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"password_min_length", "lockout_threshold", "session_idle_minutes"}
    assert "8" in errors["password_min_length"][0]
    assert not SecurityPolicy.objects.exists()
    assert not AuditEvent.objects.filter(action="security.update_policy").exists()


def test_a_longer_minimum_applies_to_new_passwords(client, cast):
    client.force_login(cast.secadmin)
    client.post(reverse(URL), {**DEFAULTS, "password_min_length": 14})
    client.force_login(cast.reviewer)
    from shuzhi.testing.factories import PASSWORD

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password": "Ping-Yi-2025", "new_password_again": "Ping-Yi-2025"},
    )
    assert "至少需要 14 个字符" in response.content.decode()
