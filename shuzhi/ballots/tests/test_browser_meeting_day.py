"""The meeting day in a browser: the organiser rehearses (a phone of 390 px votes with a typed test
code, the big screen counts it) and clears the rehearsal, and the real vote starts from zero; a
phone votes with a typed short code; a lost slip is voided and the old slip is refused with a
clear message; after closing, the scrutineer signs the count sheet from their own session."""

import pytest
from playwright.sync_api import expect

from shuzhi.ballots.models import Ballot, BallotCode, RehearsalBallot, Scrutineer
from shuzhi.core.roles import Role
from shuzhi.testing.browser import has_horizontal_scroll, login, phone_page, watch
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.meetings import county_meeting

pytestmark = pytest.mark.browser


def _vote_with_typed_code(phone, live_server, short_code: str, grade: str = "较好") -> None:
    phone.goto(f"{live_server.url}/v/")
    assert not has_horizontal_scroll(phone)
    phone.get_by_label("票码").fill(short_code.lower().replace("-", " "))  # as a person types it
    phone.get_by_role("button", name="打开测评票").click()
    groups = phone.get_by_role("radiogroup")
    expect(groups).to_have_count(3)
    assert not has_horizontal_scroll(phone)
    for i in range(3):
        groups.nth(i).get_by_text(grade, exact=True).click()
    phone.get_by_role("button", name="提交测评票").click()
    expect(phone.get_by_test_id("thanks")).to_be_visible()


def test_rehearsal_typed_codes_a_voided_slip_and_the_scrutineers_own_signature(
    live_server, browser, page, cast
):
    meeting = county_meeting(cast, open_voting=False)
    meeting_url = f"{live_server.url}/ballots/meetings/{meeting.pk}/"
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, cast.county_organiser)
    page.goto(meeting_url)

    # the rehearsal: test slips, a test vote typed on a phone, the big screen, then cleared
    page.get_by_role("button", name="彩排", exact=True).click()
    expect(page.get_by_test_id("rehearsal-banner")).to_contain_text("彩排中")
    test_code = BallotCode.objects.filter(
        meeting=meeting, rehearsal=True, voter_class__name="党员群众代表"
    ).first()
    with phone_page(browser) as phone:
        seen = watch(phone, live_server)
        phone.goto(f"{live_server.url}/v/")
        phone.get_by_label("票码").fill(test_code.short_code)
        phone.get_by_role("button", name="打开测评票").click()
        expect(phone.get_by_test_id("rehearsal-ballot")).to_contain_text("不计入正式结果")
        groups = phone.get_by_role("radiogroup")
        for i in range(3):
            groups.nth(i).get_by_text("差", exact=True).click()
        phone.get_by_role("button", name="提交测评票").click()
        expect(phone.get_by_test_id("thanks")).to_be_visible()
        assert seen.problems == [], seen.problems
    page.goto(f"{meeting_url}screen/")
    expect(page.get_by_test_id("screen-status")).to_contain_text("彩排")
    expect(page.get_by_test_id("cast-2")).to_have_text("1")
    page.goto(meeting_url)
    page.get_by_role("button", name="结束彩排投票").click()
    expect(page.get_by_test_id("rehearsal-results")).to_be_visible()
    page.get_by_role("button", name="清除彩排数据").click()
    expect(page.get_by_role("alert").filter(has_text="彩排数据已全部清除")).to_be_visible()
    expect(page.get_by_test_id("rehearsal-banner")).to_have_count(0)
    assert not RehearsalBallot.objects.exists() and not BallotCode.objects.filter(rehearsal=True).exists()

    # the real vote starts from zero
    page.get_by_role("button", name="开始投票").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text("投票中")
    expect(page.locator('[data-cast="党员群众代表"]')).to_have_text("0")
    expect(page.locator('[data-cast="区委常委"]')).to_have_text("0")
    codes = list(
        BallotCode.objects.filter(meeting=meeting, voter_class__name="党员群众代表").order_by("serial")
    )
    with phone_page(browser) as phone:
        _vote_with_typed_code(phone, live_server, codes[0].short_code)
    page.reload()
    expect(page.locator('[data-cast="党员群众代表"]')).to_have_text("1")
    assert Ballot.objects.count() == 1

    # a slip reported lost: voided by its stub number, a new one printed; the old one is refused
    lost = codes[1]
    page.get_by_text("票签遗失或损坏：作废并补发").click()
    page.get_by_label("存根编号").fill(str(lost.serial))
    page.get_by_role("button", name="作废并补发").click()
    expect(page.get_by_role("heading", name="补发票签")).to_be_visible()
    expect(page.get_by_test_id("slip")).to_have_count(1)
    with phone_page(browser) as phone:
        phone.goto(f"{live_server.url}/v/")
        phone.get_by_label("票码").fill(lost.short_code)
        phone.get_by_role("button", name="打开测评票").click()
        expect(phone.get_by_test_id("refusal")).to_have_text(
            "这张票签已作废（挂失补发），不能投票。请使用会务人员补发的新票签。"
        )
        assert not has_horizontal_scroll(phone)
    page.goto(meeting_url)
    expect(page.get_by_test_id("voided")).to_contain_text("已作废并补发票签 1 张")
    page.get_by_role("button", name="结束投票").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text("投票已结束")

    # the scrutineer, named with their own account, signs from their own session
    scrutineer_user = UserFactory(role=Role.REVIEWER, organization=cast.county_a, full_name="赵监票")
    page.get_by_label("监票人姓名").fill("赵监票")
    page.get_by_label("监票人账号（选填）").fill(scrutineer_user.username)
    page.get_by_role("button", name="添加监票人").click()
    expect(page.get_by_test_id("scrutineers")).to_contain_text("待本人登录签字")
    expect(page.get_by_test_id("scrutineers").get_by_role("button")).to_have_count(
        0
    )  # nothing to click for them
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        own = context.new_page()
        own.on("dialog", lambda dialog: dialog.accept())
        login(own, live_server, scrutineer_user)
        own.goto(f"{meeting_url}count-sheet/")
        expect(own.get_by_test_id("count-sheet")).to_contain_text("计票单")
        own.get_by_role("button", name="本人核对无误，签字确认").click()
        expect(own.get_by_test_id("signatures")).to_contain_text("已签字（本人账号")
    finally:
        context.close()
    signed = Scrutineer.objects.get(meeting=meeting)
    assert signed.signed_by == scrutineer_user and signed.signed_via == "account"
    page.reload()
    page.get_by_role("button", name="确认计票").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text("已计票")
