"""On a phone, over two and a half years moved through with time-machine: a township secretary
registers an application, records every step of 发展党员 on the day it happens (the training
first refused as too short), and the person ends as a 正式党员 on the branch's roster."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from shuzhi.demo.lifecycle import path_plan
from shuzhi.lifecycle import rules
from shuzhi.lifecycle.models import Applicant, Step
from shuzhi.lifecycle.tests.helpers import at
from shuzhi.members.models import Member
from shuzhi.testing.browser import has_horizontal_scroll, login, open_area, open_phone_menu, phone_page, watch
from shuzhi.testing.factories import PASSWORD, make_id_number

pytestmark = pytest.mark.browser


def test_a_secretary_takes_an_applicant_from_application_to_conversion(live_server, browser, cast):
    applied = date(2023, 3, 6)
    plan = path_plan(applied)
    secretary = cast.township_secretary
    steps = list(Step.objects.exclude(code="apply").order_by("order"))

    with time_machine.travel(at(applied), tick=True) as clock, phone_page(browser) as page:
        seen = watch(page, live_server)

        def open_logged_in(url: str) -> None:
            page.goto(url)
            if "/accounts/login/" in page.url:
                page.get_by_label("用户名").fill(secretary.username)
                page.get_by_label("密码").fill(PASSWORD)
                page.get_by_role("button", name="登录").tap()
                page.wait_for_url(url)  # the login goes on to the page asked for

        login(page, live_server, secretary)
        open_phone_menu(page)
        open_area(page, "发展党员", tap=True)
        expect(page.get_by_role("heading", name=cast.township_a.name)).to_be_visible()
        page.get_by_text("下级组织").tap()
        page.get_by_role("link", name="王庄村党支部").tap()
        page.get_by_test_id("applicant-new").tap()
        expect(page.get_by_role("heading", name="登记入党申请人")).to_be_visible()
        assert not has_horizontal_scroll(page)
        page.get_by_label("姓名").fill("孙立新")
        page.get_by_label("身份证号").fill(make_id_number(date(1998, 5, 20), "M"))
        page.get_by_label("学历").select_option(label="大学本科")
        page.get_by_label("人员类别").select_option(label="在职")
        page.get_by_label("递交入党申请书日期").fill(f"{applied:%Y-%m-%d}")
        page.get_by_role("button", name="登记").tap()
        expect(page.get_by_role("alert")).to_contain_text("已登记入党申请人孙立新")
        expect(page.get_by_test_id("stage")).to_have_text("入党申请人")
        person_url = page.url

        for step in steps:
            entry = plan[step.code]
            clock.move_to(at(entry.done_on))
            open_logged_in(person_url)
            expect(page.get_by_role("heading", name=f"下一步：{step.name}")).to_be_visible()
            label = "开始日期" if entry.until else "日期"
            page.get_by_label(re.compile(rf"^\s*{label}")).fill(f"{entry.done_on:%Y-%m-%d}")
            if entry.until:
                page.get_by_label("结束日期").fill(f"{entry.until:%Y-%m-%d}")
            if entry.hours:
                page.get_by_label("结束日期").fill(f"{entry.done_on + timedelta(days=1):%Y-%m-%d}")
                page.get_by_label("学时").fill("16")
                page.get_by_role("button", name="记录此步骤").tap()  # two days of 16 学时: too short
                expect(page.locator(".invalid-feedback")).to_contain_text("须不少于 3 天或 24 学时")
                expect(page.get_by_label("学时")).to_have_value("16")
                page.get_by_label("结束日期").fill(f"{entry.until:%Y-%m-%d}")
                page.get_by_label("学时").fill(str(entry.hours))
            if entry.people:
                page.get_by_label(f"{step.people_label}（一）").fill(entry.people[0])
                page.get_by_label(f"{step.people_label}（二）").fill(entry.people[1])
            page.get_by_role("button", name="记录此步骤").tap()
            expect(page.get_by_role("alert")).to_contain_text(f"已记录“{step.name}”")
            if step.code == "approval":
                expect(page.get_by_test_id("stage")).to_have_text("预备党员")

        expect(page.get_by_test_id("stage")).to_have_text("正式党员")
        expect(page.get_by_test_id("state")).to_have_text("已转为正式党员")
        expect(page.get_by_test_id("steps").locator("li")).to_have_count(len(steps) + 1)
        assert not has_horizontal_scroll(page)
        assert not seen.problems and not seen.foreign_requests

    person = Applicant.objects.select_related("member").get(name="孙立新")
    assert person.member.status == Member.Status.FULL and person.member.organization == cast.village_a
    assert person.member.joined_on == plan["admission"].done_on
    assert person.member.full_member_on == rules.add_months(plan["admission"].done_on, 12)


@pytest.mark.parametrize("who", ["city_organiser", "township_secretary"])
def test_the_menu_with_its_new_entry_stays_on_one_line_at_a_desk(live_server, browser, cast, who):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        login(page, live_server, getattr(cast, who))
        expect(page.locator("#mainnav").get_by_test_id("facts-menu")).to_be_visible()
        tops = page.eval_on_selector_all(
            "#mainnav .nav-link", "links => links.map(l => l.getBoundingClientRect().top)"
        )
        assert max(tops) - min(tops) < 5, tops
        assert not has_horizontal_scroll(page)
        open_area(page, "发展党员")
        expect(page).to_have_url(re.compile(r"/lifecycle/"))
    finally:
        context.close()
