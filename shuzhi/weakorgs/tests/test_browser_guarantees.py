"""基本保障 in a real browser: the county organiser enters a village's figures at 1366 px and sees
the shortfall on the village's page and in the compliance table beside its chart; on a phone
(390 px) the same table, chart and the shortfall list stay within the screen."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from shuzhi.testing.browser import has_horizontal_scroll, login, open_area, open_phone_menu, phone_page, watch
from shuzhi.weakorgs import guarantee_services
from shuzhi.weakorgs.models import GuaranteeFigure

pytestmark = pytest.mark.browser


def test_entering_figures_shows_the_shortfall_on_desktop_and_phone(live_server, browser, cast):
    year = date.today().year
    guarantee_services.floor_set(actor=cast.city_organiser, year=year, rural_income=Decimal(20000),
                                 secretary_ratio=Decimal(2), office_funds=Decimal(2), operating_total=Decimal(10))  # fmt: skip
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    seen = [watch(desk, live_server)]
    login(desk, live_server, cast.county_organiser)
    open_area(desk, "软弱涣散")
    desk.get_by_role("link", name="基本保障").click()
    expect(desk.get_by_test_id("totals")).to_contain_text("已填报 0 个")
    desk.goto(live_server.url + reverse("weakorgs:figure", args=[cast.village_a.pk]) + f"?year={year}")
    desk.get_by_label("村级组织运转经费合计（万元）").fill("12")
    desk.get_by_label("书记（主职）基本报酬（元/年）").fill("38000")
    desk.get_by_label("办公经费（万元）").fill("1.5")
    desk.get_by_label("服务群众专项经费（万元）").fill("5")
    desk.get_by_label("党员教育培训经费（元）").fill("1000")
    desk.get_by_label("党员数").fill("10")
    desk.get_by_role("button", name="保存").click()
    expect(desk.get_by_role("alert")).to_contain_text("已保存")
    shortfalls = desk.get_by_test_id("figure-shortfalls")
    expect(shortfalls).to_contain_text("书记（主职）基本报酬：应不低于 40000.00 元/年，实际 38000.00 元/年")
    expect(shortfalls).to_contain_text("办公经费：应不低于 2.00 万元，实际 1.50 万元")
    assert GuaranteeFigure.objects.get(organization=cast.village_a, year=year).office_funds == Decimal("1.5")
    desk.get_by_role("link", name="基本保障落实情况").click()
    expect(desk.get_by_test_id("compliance")).to_contain_text("中共东湖区柳泉镇委员会")
    expect(desk.get_by_test_id("shortfalls")).to_contain_text("王庄村党支部")
    expect(desk.locator("#guarantee-chart canvas")).to_be_attached()
    assert not has_horizontal_scroll(desk)

    with phone_page(browser) as phone:
        seen.append(watch(phone, live_server))
        login(phone, live_server, cast.county_organiser)
        open_phone_menu(phone)
        open_area(phone, "软弱涣散", tap=True)
        phone.get_by_role("link", name="基本保障").tap()
        expect(phone.get_by_test_id("shortfalls")).to_contain_text("办公经费")
        expect(phone.locator("#guarantee-chart canvas")).to_be_attached()
        assert not has_horizontal_scroll(phone)
        phone.get_by_role("link", name="王庄村党支部").tap()
        expect(phone.get_by_test_id("figure-shortfalls")).to_be_visible()
        assert not has_horizontal_scroll(phone)
    assert [p for w in seen for p in w.problems] == []
