"""The chart pages of the statistics in a browser: the trends beside their table at 1366 px, a bar
clicked through to its members; the organisations below compared on a phone, the wide table
scrolling in its box, a figure tapped through to its list."""

import re

import pytest
from playwright.sync_api import expect

from shuzhi.testing.browser import has_horizontal_scroll, login, phone_page, squeezed_cells, watch

pytestmark = pytest.mark.browser


def _names(page):
    return sorted(page.get_by_test_id("drill-table").locator("tbody tr td:first-child").all_inner_texts())


def test_the_trends_chart_stands_beside_its_table_and_a_bar_lists_its_members(
    live_server, browser, cast, town
):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    seen = watch(page, live_server)
    login(page, live_server, cast.county_organiser)
    page.goto(f"{live_server.url}/stats/?org={town.town.pk}&day=2025-12-31")
    page.get_by_test_id("stats-trends").click()
    expect(page).to_have_url(re.compile(r"/stats/trends/\?"))
    chart = page.get_by_test_id("chart-trends")
    expect(chart.locator("canvas").first).to_be_attached()
    table = page.get_by_test_id("stats-table-trends")
    expect(table).to_be_visible()
    chart_box, table_box = chart.bounding_box(), table.bounding_box()
    assert table_box["x"] >= chart_box["x"] + chart_box["width"] - 1  # beside it, not below
    assert abs(table_box["y"] - chart_box["y"]) < chart_box["height"]
    # the 正式党员 bar of 2024 (the fourth year): 甲 乙 丁; click inside it, halfway up
    x, y = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById("chart-trends")).convertToPixel({seriesIndex: 0}, [3, 1.5])"""
    )
    page.mouse.click(chart_box["x"] + x, chart_box["y"] + y)
    expect(page).to_have_url(re.compile(r"/stats/members/\?.*day=2024-12-31.*status=full"))
    expect(page.get_by_test_id("drill-count")).to_contain_text("共 3 人")
    assert _names(page) == sorted(["甲", "乙", "丁"])
    assert seen.problems == [] and seen.foreign_requests == []
    context.close()


def test_on_a_phone_the_comparison_scrolls_in_its_box_and_a_figure_opens_its_list(
    live_server, browser, cast, town
):
    with phone_page(browser) as phone:
        seen = watch(phone, live_server)
        login(phone, live_server, cast.county_organiser)
        phone.goto(f"{live_server.url}/stats/?day=2025-12-31")
        phone.get_by_test_id("stats-compare").tap()
        expect(phone).to_have_url(re.compile(r"/stats/compare/\?"))
        expect(phone.get_by_test_id("chart-compare-members").locator("canvas").first).to_be_attached()
        expect(phone.get_by_test_id("chart-compare-shares").locator("canvas").first).to_be_attached()
        assert not has_horizontal_scroll(phone)
        assert squeezed_cells(phone) == []
        phone.goto(f"{live_server.url}/stats/trends/?org={town.town.pk}&day=2025-12-31")
        expect(phone.get_by_test_id("chart-trends").locator("canvas").first).to_be_attached()
        assert not has_horizontal_scroll(phone) and squeezed_cells(phone) == []
        phone.goto(f"{live_server.url}/stats/compare/?day=2025-12-31")
        # 柳林镇's 女党员: 甲 and 丙
        row = phone.get_by_test_id("stats-table-compare").locator("tbody tr", has_text="柳林镇党委")
        row.get_by_role("link").nth(1).tap()
        expect(phone).to_have_url(re.compile(r"/stats/members/\?.*gender=F"))
        expect(phone.get_by_test_id("drill-title")).to_contain_text("柳林镇党委")
        assert _names(phone) == sorted(["甲", "丙"])
        assert not has_horizontal_scroll(phone)
        assert seen.problems == []
