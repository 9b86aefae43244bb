"""The big screen on its display link, in a browser: no menu, large type, 全屏 through the
Fullscreen API, the turnout refreshing by itself, and nothing wider than a phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from shuzhi.ballots.services import screen_link_set
from shuzhi.testing.browser import has_horizontal_scroll, phone_page, watch
from shuzhi.testing.meetings import county_meeting

pytestmark = pytest.mark.browser


def test_the_big_screen_goes_full_screen_and_keeps_polling(live_server, browser, page, cast):
    meeting = county_meeting(cast)
    screen_link_set(actor=cast.county_organiser, meeting=meeting, active=True)
    meeting.refresh_from_db()
    url = live_server.url + reverse("ballots:display", args=[meeting.screen_token])
    seen = watch(page, live_server)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(url)

    expect(page.get_by_role("heading", name=meeting.title)).to_be_visible()
    assert page.locator("nav").count() == 0
    title_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert title_size >= 40  # read from the back of the room
    button = page.get_by_role("button", name="全屏")
    expect(button).to_be_visible()
    button.click()
    page.wait_for_function("document.fullscreenElement !== null")
    expect(page.get_by_role("button", name="退出全屏")).to_be_visible()
    page.get_by_role("button", name="退出全屏").click()
    page.wait_for_function("document.fullscreenElement === null")
    with page.expect_response(
        lambda r: meeting.screen_token in r.url and r.request.headers.get("hx-request")
    ):
        pass  # the turnout refreshes by itself (every 3 s)
    assert not seen.problems and not seen.foreign_requests

    with phone_page(browser) as phone:
        phone.goto(url)
        expect(phone.get_by_role("heading", name=meeting.title)).to_be_visible()
        assert not has_horizontal_scroll(phone)
