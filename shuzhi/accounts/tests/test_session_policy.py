from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from shuzhi.accounts import services
from shuzhi.testing.factories import PASSWORD


def _login(client, username):
    assert (
        client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD}).status_code
        == 302
    )


def test_a_session_idle_for_thirty_minutes_ends(client, cast):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "county_org")
        assert client.get(reverse("orgs:tree")).status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get(reverse("orgs:tree"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_activity_keeps_the_session_alive(client, cast):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "county_org")
        for _ in range(4):
            clock.shift(timedelta(minutes=20))
            assert client.get(reverse("orgs:tree")).status_code == 200


def test_the_security_policy_sets_the_idle_timeout(client, cast):
    services.security_policy_update(actor=cast.secadmin, session_idle_minutes=10)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "county_org")
        client.get(reverse("orgs:tree"))
        clock.shift(timedelta(minutes=11))
        assert client.get(reverse("orgs:tree")).status_code == 302


def test_an_initial_password_must_be_changed_before_anything_else(client, cast):
    user, password = services.user_create(
        actor=cast.sysadmin,
        username="newbie",
        full_name="新同志",
        organization=cast.county_a,
        role="organiser",
    )
    assert (
        client.post(reverse("accounts:login"), {"username": "newbie", "password": password}).status_code
        == 302
    )
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password": "Dang-Jian-2025", "new_password_again": "Dang-Jian-2025"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("orgs:tree")).status_code == 200


def test_the_idle_limit_holds_from_the_sign_in_itself(client, cast):
    """A session that is never used after signing in ends after the idle limit, not hours later."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "county_org")
        clock.shift(timedelta(minutes=31))
        response = client.get(reverse("orgs:tree"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_absolute_limit_ends_even_a_busy_session(client, cast, settings):
    assert settings.SESSION_ABSOLUTE_HOURS == 12
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "county_org")
        for _ in range(12 * 3 - 1):  # a request every 20 minutes for 11 h 40 min
            clock.shift(timedelta(minutes=20))
            assert client.get(reverse("orgs:tree")).status_code == 200
        clock.shift(timedelta(minutes=21))
        response = client.get(reverse("orgs:tree"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        assert "_auth_user_id" not in client.session
        # signing in again starts a new session
        _login(client, "county_org")
        assert client.get(reverse("orgs:tree")).status_code == 200


def test_a_page_polling_by_itself_does_not_keep_the_session_alive(client, cast):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "county_org")
        for _ in range(10):  # 50 minutes of polling every 5 minutes
            clock.shift(timedelta(minutes=5))
            client.get(reverse("orgs:tree"), HTTP_X_SHUZHI_POLL="1", HTTP_HX_REQUEST="true")
        response = client.get(reverse("orgs:tree"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_burst_of_clicks_writes_the_session_once_a_minute_at_most(client, cast):
    """The session row is not rewritten by every request: within a minute of the last renewal
    nothing changes, a minute later the expiry moves on (and the idle limit still holds)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("orgs:tree")).status_code == 200
        return sum(
            1
            for query in queries.captured_queries
            if "django_session" in query["sql"]
            and query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        )

    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(client, "county_org")
        assert [session_writes() for _ in range(5)] == [0] * 5
        clock.shift(timedelta(seconds=61))
        assert session_writes() == 1
        assert session_writes() == 0
        clock.shift(timedelta(minutes=29))
        assert client.get(reverse("orgs:tree")).status_code == 200  # renewed 29 min ago by the 61 s click
        clock.shift(timedelta(minutes=31))
        assert client.get(reverse("orgs:tree")).status_code == 302
