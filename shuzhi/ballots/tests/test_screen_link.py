"""The big screen runs on its own read-only display link, so it keeps nobody's session alive."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.models import AuditEvent
from shuzhi.testing.factories import PASSWORD
from shuzhi.testing.meetings import county_meeting


def _make_link(client, cast, meeting) -> str:
    client.force_login(cast.county_organiser)
    assert client.post(reverse("ballots:screen_link", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.screen_token
    page = client.get(reverse("ballots:meeting", args=[meeting.pk])).content.decode()
    url = reverse("ballots:display", args=[meeting.screen_token])
    assert url in page
    return url


def test_the_display_link_shows_the_big_screen_without_signing_in(client, cast):
    meeting = county_meeting(cast)
    url = _make_link(client, cast, meeting)
    client.logout()
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert meeting.title in content and 'data-testid="screen-status"' in content
    assert "navbar" not in content  # the screen only, no menu
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    assert AuditEvent.objects.filter(action="meeting.screen_link", actor=cast.county_organiser).exists()


def test_a_revoked_or_renewed_link_stops_working(client, cast):
    meeting = county_meeting(cast)
    old = _make_link(client, cast, meeting)
    new = _make_link(client, cast, meeting)
    assert old != new
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    client.post(reverse("ballots:screen_link", args=[meeting.pk]), {"action": "revoke"})
    assert client.get(new).status_code == 404
    assert AuditEvent.objects.filter(action="meeting.screen_link_revoke").exists()
    assert client.get("/s/x/").status_code == 404 and client.get("/s/%20/").status_code == 404


def test_only_the_meetings_organiser_makes_the_link(client, cast):
    meeting = county_meeting(cast)
    for user in (cast.outsider, cast.reviewer, cast.township_secretary, cast.sysadmin):
        client.force_login(user)
        assert client.post(reverse("ballots:screen_link", args=[meeting.pk])).status_code in (403, 404)
    meeting.refresh_from_db()
    assert meeting.screen_token == ""
    client.force_login(cast.county_organiser)
    assert client.get(reverse("ballots:screen_link", args=[meeting.pk])).status_code == 405


def test_the_display_link_polling_in_a_signed_in_browser_does_not_keep_the_session_alive(client, cast):
    meeting = county_meeting(cast)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        url = _make_link(client, cast, meeting)
        client.logout()
        client.post(reverse("accounts:login"), {"username": "county_org", "password": PASSWORD})
        for _ in range(40):  # 40 minutes of the screen refreshing
            clock.shift(timedelta(minutes=1))
            assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
        response = client.get(reverse("ballots:meeting", args=[meeting.pk]))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_display_is_a_full_screen_page_with_its_script_from_a_static_file(client, cast):
    meeting = county_meeting(cast)
    url = _make_link(client, cast, meeting)
    client.logout()
    content = client.get(url).content.decode()
    assert 'class="screen-display"' in content and "data-fullscreen" in content and "全屏" in content
    assert "js/screen." in content
    assert "<script>" not in content  # the CSP allows no inline script
    assert "<nav" not in content and "navbar" not in content
