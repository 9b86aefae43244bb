"""In a real browser: the secretary checks the draft from the editor and sees the copied passage
(advice); the county organiser finds the report on the cycle's list by copied share, opens it and
sees the passage beside its source; the search box finds it in traditional characters."""

import pytest
from playwright.sync_api import expect

from shuzhi.analytics import services
from shuzhi.testing.browser import login

pytestmark = pytest.mark.browser


def test_a_copied_passage_is_seen_by_the_secretary_and_by_the_organiser(live_server, browser, cast, copied):
    services.index_refresh()
    secretary = browser.new_context(locale="zh-CN").new_page()
    login(secretary, live_server, cast.township_secretary)
    secretary.goto(f"{live_server.url}/reports/{copied.report_a.pk}/edit/")
    secretary.get_by_test_id("advice-check").click()
    advice = secretary.get_by_test_id("advice")
    expect(advice).to_contain_text("发现 1 段雷同内容")
    expect(advice.get_by_test_id("passage-text")).to_have_text(copied.copied)
    expect(advice.get_by_test_id("source-hidden")).to_be_visible()
    expect(advice.get_by_test_id("concreteness")).to_contain_text("套话")

    organiser = browser.new_context(locale="zh-CN").new_page()
    login(organiser, live_server, cast.city_organiser)
    organiser.goto(f"{live_server.url}/cycles/{copied.cycle_a.pk}/")
    organiser.get_by_test_id("copies-link").click()
    table = organiser.get_by_test_id("copies-table")
    expect(table).to_contain_text(cast.township_a.name)
    table.get_by_role("link", name=cast.township_a.name).click()
    passage = organiser.get_by_test_id("passage")
    expect(passage.get_by_test_id("passage-text")).to_have_text(copied.copied)
    expect(passage.get_by_test_id("source-text")).to_contain_text("全镇14个村每村储备后备干部不少于3名")
    expect(passage).to_contain_text(cast.township_b.name)

    organiser.get_by_test_id("nav-search").fill("後備幹部 跟班學習")
    organiser.get_by_test_id("nav-search").press("Enter")
    results = organiser.get_by_test_id("search-results")
    expect(results).to_contain_text(cast.township_a.name)
    expect(results).to_contain_text(cast.township_b.name)
    expect(results.locator("mark").first).to_be_visible()
