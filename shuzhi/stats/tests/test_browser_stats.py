"""An organiser reads the statistics: from the menu to the page, a click on a chart's bar or a
table's figure to the members behind it, at 1366 px and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from shuzhi.testing.browser import has_horizontal_scroll, login, open_area, open_phone_menu, phone_page, watch

pytestmark = pytest.mark.browser


def _names(page):
    return sorted(page.get_by_test_id("drill-table").locator("tbody tr td:first-child").all_inner_texts())


def test_a_click_on_a_bar_of_the_age_chart_lists_its_members(live_server, browser, cast, town):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    seen = watch(page, live_server)
    login(page, live_server, cast.county_organiser)
    open_area(page, "党内统计")
    expect(page).to_have_url(f"{live_server.url}/stats/")
    expect(
        page.get_by_test_id("chart-status").locator("canvas").first
    ).to_be_attached()  # loaded, not cut off
    page.goto(f"{live_server.url}/stats/?org={town.town.pk}&day=2025-12-31")
    chart = page.get_by_test_id("chart-age")
    expect(chart.locator("canvas").first).to_be_attached()
    chart.scroll_into_view_if_needed()
    # the first bar (30岁及以下: 丙 and 己, 2 people) ends at (2, 0); click just inside it
    x, y = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById("chart-age")).convertToPixel({seriesIndex: 0}, [2, 0])"""
    )
    box = chart.bounding_box()
    page.mouse.click(box["x"] + x - 6, box["y"] + y)
    expect(page).to_have_url(re.compile(r"/stats/members/\?.*band=le30"))
    expect(page.get_by_test_id("drill-count")).to_contain_text("共 2 人")
    assert _names(page) == sorted(["丙", "己"])
    assert seen.problems == [] and seen.foreign_requests == []
    assert not has_horizontal_scroll(page)
    context.close()


def test_on_a_phone_a_figure_of_the_table_opens_its_list_and_nothing_scrolls_sideways(
    live_server, browser, cast, town
):
    with phone_page(browser) as phone:
        seen = watch(phone, live_server)
        login(phone, live_server, cast.county_organiser)
        open_phone_menu(phone)
        open_area(phone, "党内统计", tap=True)
        expect(phone.get_by_test_id("stats-status")).to_be_visible()
        expect(phone.get_by_test_id("chart-status").locator("canvas").first).to_be_attached()
        assert not has_horizontal_scroll(phone)
        phone.goto(f"{live_server.url}/stats/?org={town.town.pk}&day=2025-12-31")
        expect(phone.get_by_test_id("chart-age").locator("canvas").first).to_be_attached()
        assert not has_horizontal_scroll(phone)
        # 31～35岁 × 女: 甲
        row = phone.get_by_test_id("stats-table-age").locator("tbody tr", has_text="31～35岁")
        row.get_by_role("link").nth(1).tap()
        expect(phone).to_have_url(
            re.compile(r"/stats/members/\?.*band=31_35.*gender=F|/stats/members/\?.*gender=F.*band=31_35")
        )
        expect(phone.get_by_test_id("drill-title")).to_contain_text("31～35岁")
        assert _names(phone) == ["甲"]
        assert not has_horizontal_scroll(phone)
        phone.goto(f"{live_server.url}/stats/checks/?org={town.town.pk}")
        expect(phone.get_by_test_id("checks-table")).to_be_visible()
        assert not has_horizontal_scroll(phone)
        assert seen.problems == []
