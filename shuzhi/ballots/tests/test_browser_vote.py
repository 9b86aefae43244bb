"""A voter on a phone: opens the code's address, grades every reporter, is stopped by the rules
before sending, submits, sees the thank-you page; the same code again is refused; the big
screen counted the ballot."""

import pytest
from playwright.sync_api import expect

from shuzhi.ballots.models import Ballot
from shuzhi.testing.browser import has_horizontal_scroll, login, phone_page, watch
from shuzhi.testing.meetings import county_meeting, tokens

pytestmark = pytest.mark.browser


def test_a_phone_votes_once_and_the_turnout_counts_it(live_server, browser, page, cast):
    meeting = county_meeting(cast, max_good_count=1)
    url = f"{live_server.url}/v/{tokens(meeting, '党员群众代表')[0]}/"
    with phone_page(browser) as phone:
        seen = watch(phone, live_server)
        phone.goto(url)
        expect(phone.get_by_role("heading", name=meeting.title)).to_be_visible()
        assert not has_horizontal_scroll(phone)
        groups = phone.get_by_role("radiogroup")
        expect(groups).to_have_count(3)
        for i in range(3):
            groups.nth(i).get_by_text("好", exact=True).click()  # three 好, one allowed
        phone.get_by_role("button", name="提交测评票").click()
        expect(phone.locator("#ballot-check")).to_contain_text("“好”最多只能评 1 个，现在评了 3 个")
        assert Ballot.objects.count() == 0  # stopped on the phone
        groups.nth(1).get_by_text("较好", exact=True).click()
        groups.nth(2).get_by_text("一般", exact=True).click()
        expect(phone.locator("#ballot-progress")).to_contain_text("已评 3 / 3，其中“好” 1")
        phone.get_by_role("button", name="提交测评票").click()
        expect(phone.get_by_test_id("thanks")).to_be_visible()
        phone.goto(url)
        expect(phone.get_by_test_id("refusal")).to_have_text("该二维码已经投过票，每个二维码只能投一次。")
        assert all("409" in problem for problem in seen.problems), (
            seen.problems
        )  # only the refused second try
    assert Ballot.objects.count() == 1
    login(page, live_server, cast.county_organiser)
    page.goto(f"{live_server.url}/ballots/meetings/{meeting.pk}/screen/")
    expect(page.get_by_test_id("cast-2")).to_have_text("1")
