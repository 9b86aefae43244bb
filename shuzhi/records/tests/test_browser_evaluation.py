"""民主评议党员 on phones: the secretary opens the round and prints the codes; members evaluate
anonymously by code without logging in; a used code is refused; the secretary closes, sees the
count and decides; the member sees their own outcome."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shuzhi.records.models import EvaluationSheet, EvaluationUse
from shuzhi.testing.browser import has_horizontal_scroll, login, phone_page, watch
from shuzhi.testing.factories import PASSWORD, MemberFactory
from shuzhi.testing.records import branch_secretary

pytestmark = pytest.mark.browser


def test_a_round_on_phones_from_codes_to_the_members_outcome(live_server, browser, cast):
    for i in range(3):
        MemberFactory(name=f"党员{i}", organization=cast.village_a)  # five members, five codes
    secretary = branch_secretary(cast.village_a)
    year = timezone.localdate().year
    with phone_page(browser) as page:
        seen = watch(page, live_server)
        page.on("dialog", lambda dialog: dialog.accept())
        login(page, live_server, secretary)
        page.goto(f"{live_server.url}/records/orgs/{cast.village_a.pk}/evaluation/")
        page.get_by_role("button", name="开始民主评议").tap()
        expect(page.get_by_test_id("round-status")).to_contain_text("已收回 0 / 5 份")
        page.get_by_role("link", name="打印评议码").tap()
        expect(page.get_by_test_id("slips").locator(".font-monospace")).to_have_count(5)
        urls = [u.strip() for u in page.get_by_test_id("slips").locator(".font-monospace").all_inner_texts()]
        assert len(urls) == 5 and all(re.search(r"/records/v/[A-Za-z0-9_-]+/$", u) for u in urls)
        assert not seen.problems

    for i, url in enumerate(urls):
        with phone_page(browser) as voter:
            voter.goto(url)
            expect(voter.get_by_test_id("sheet")).to_be_visible()
            assert not has_horizontal_scroll(voter)
            if i < 3:
                voter.get_by_label("王建国").select_option("不合格")
            voter.get_by_role("button", name="提交评议").tap()
            expect(voter.get_by_test_id("done")).to_be_visible()
            if i == 0:
                voter.goto(url)
                voter.get_by_role("button", name="提交评议").tap()
                expect(voter.get_by_role("alert")).to_contain_text("只能用一次")
    assert EvaluationSheet.objects.count() == 5 and EvaluationUse.objects.count() == 5

    with phone_page(browser) as page:
        page.on("dialog", lambda dialog: dialog.accept())
        login(page, live_server, secretary)
        page.goto(f"{live_server.url}/records/orgs/{cast.village_a.pk}/evaluation/")
        page.get_by_role("button", name="结束评议并统计").tap()
        expect(page.get_by_test_id("round-status")).to_contain_text("共收回 5 份评议表")
        card = page.get_by_test_id("members").locator(".card").filter(has_text="王建国")
        expect(card).to_contain_text("不合格 3")
        card.get_by_label("评定等次").select_option("不合格")
        card.get_by_label("不合格的处置").select_option(label="限期改正")
        card.get_by_label("处置日期").fill(f"{year}-12-01")
        card.get_by_role("button", name="评定").tap()
        expect(page.get_by_test_id("decision-counts")).to_contain_text("不合格：1 人")
    assert not EvaluationUse.objects.exists()

    with phone_page(browser) as page:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名").fill(cast.member_user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").tap()
        expect(page.get_by_role("heading", name="王建国")).to_be_visible()
        page.goto(f"{live_server.url}/records/mine/")
        expect(page.get_by_test_id("my-evaluation")).to_contain_text(
            f"评定等次：不合格（限期改正，{year}-12-01）"
        )
