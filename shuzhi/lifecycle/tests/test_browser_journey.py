"""One person's whole path in the browser, two and a half years moved through with time-machine
(the live server and the browser run in this process, so the clock moves for both): a township
secretary registers the application, records every step on its day — 入党积极分子, 发展对象, the
training held back until the online test is passed (the code shown once, the test taken on the
applicant's own phone without an account), 预备党员 — and the conversion; the board follows each
stage, and at the end the person is a 正式党员 on the branch's roster with the test on file."""

import re
from datetime import date

import pytest
import time_machine
from playwright.sync_api import Page, expect

from shuzhi.demo.lifecycle import path_plan
from shuzhi.lifecycle import rules
from shuzhi.lifecycle.models import Applicant, Question, Sitting, Step
from shuzhi.lifecycle.tests.helpers import at
from shuzhi.lifecycle.tests.training_helpers import bank_with, exam_for_candidates
from shuzhi.members.models import Member
from shuzhi.testing.browser import has_horizontal_scroll, login, phone_page, watch
from shuzhi.testing.factories import PASSWORD, make_id_number

pytestmark = pytest.mark.browser

STAGE_AFTER = {"activist": "入党积极分子", "candidate": "发展对象", "approval": "预备党员"}


def test_one_person_from_application_to_conversion_with_the_online_test_passed(live_server, browser, cast):
    applied = date(2023, 3, 6)
    plan = path_plan(applied)
    secretary = cast.township_secretary
    steps = list(Step.objects.exclude(code="apply").order_by("order"))
    board_url = f"{live_server.url}/lifecycle/orgs/{cast.village_a.pk}/"

    with time_machine.travel(at(applied), tick=True) as clock, phone_page(browser) as page:
        exam_for_candidates(cast.county_organiser, cast.county_a, bank_with(cast.county_a))
        seen = watch(page, live_server)

        def open_logged_in(url: str) -> None:  # the session lapses while the clock jumps months
            page.goto(url)
            if "/accounts/login/" in page.url:
                page.get_by_label("用户名").fill(secretary.username)
                page.get_by_label("密码").fill(PASSWORD)
                page.get_by_role("button", name="登录").tap()
                page.wait_for_url(url)

        def board_shows(stage: str) -> None:
            open_logged_in(board_url)
            row = page.get_by_test_id("board").get_by_role("row").filter(has_text="孙立新")
            expect(row).to_contain_text(stage)
            assert not has_horizontal_scroll(page)

        login(page, live_server, secretary)
        open_logged_in(f"{board_url}new/")
        page.get_by_label("姓名").fill("孙立新")
        page.get_by_label("身份证号").fill(make_id_number(date(1998, 5, 20), "M"))
        page.get_by_label("学历").select_option(label="大学本科")
        page.get_by_label("人员类别").select_option(label="在职")
        page.get_by_label("递交入党申请书日期").fill(f"{applied:%Y-%m-%d}")
        page.get_by_role("button", name="登记").tap()
        expect(page.get_by_role("alert")).to_contain_text("已登记入党申请人孙立新")
        person_url = page.url
        board_shows("入党申请人")

        for step in steps:
            entry = plan[step.code]
            clock.move_to(at(entry.until or entry.done_on))
            open_logged_in(person_url)
            expect(page.get_by_role("heading", name=f"下一步：{step.name}")).to_be_visible()
            if step.code == "training":
                _fill(page, step, entry)
                page.get_by_role("button", name="记录此步骤").tap()  # not yet: the test comes first
                expect(page.get_by_test_id("step-error")).to_contain_text(
                    "须先通过在线知识测试“入党前知识测试”"
                )
                _pass_the_test(page, browser, live_server)
                open_logged_in(person_url)
                expect(page.get_by_test_id("sittings")).to_contain_text("通过")
            _fill(page, step, entry)
            page.get_by_role("button", name="记录此步骤").tap()
            expect(page.get_by_role("alert")).to_contain_text(f"已记录“{step.name}”")
            if step.code in STAGE_AFTER:
                expect(page.get_by_test_id("stage")).to_have_text(STAGE_AFTER[step.code])
                board_shows(STAGE_AFTER[step.code])

        open_logged_in(person_url)
        expect(page.get_by_test_id("stage")).to_have_text("正式党员")
        expect(page.get_by_test_id("state")).to_have_text("已转为正式党员")
        expect(page.get_by_test_id("steps").locator("li")).to_have_count(len(steps) + 1)
        expect(page.get_by_test_id("sittings")).to_contain_text("通过")

        open_logged_in(board_url)  # off the board: nobody left on the path in the branch
        expect(page.get_by_text("没有正在培养的人员。")).to_be_visible()
        counts = page.get_by_test_id("stage-counts")
        expect(counts).not_to_contain_text(re.compile(r"[1-9]"))

        person = Applicant.objects.select_related("member").get(name="孙立新")
        open_logged_in(f"{live_server.url}/members/{person.member_id}/")
        expect(page.get_by_role("heading", name="孙立新")).to_be_visible()
        expect(page.locator("dt:has-text('党员状态') + dd")).to_have_text("正式党员")
        expect(page.locator("h1 .badge")).to_have_count(0)  # neither 预备党员 nor 已减少
        assert not has_horizontal_scroll(page)
        assert not seen.problems and not seen.foreign_requests

    assert person.state == Applicant.State.MEMBER
    member = person.member
    assert member.status == Member.Status.FULL and member.organization == cast.village_a
    assert member.joined_on == plan["admission"].done_on
    assert member.full_member_on == rules.add_months(plan["admission"].done_on, 12)
    sitting = Sitting.objects.get(applicant=person)
    assert sitting.passed and sitting.number == 1


def _fill(page: Page, step: Step, entry: rules.StepEntry) -> None:
    label = "开始日期" if entry.until else "日期"
    page.get_by_label(re.compile(rf"^\s*{label}")).fill(f"{entry.done_on:%Y-%m-%d}")
    if entry.until:
        page.get_by_label("结束日期").fill(f"{entry.until:%Y-%m-%d}")
    if entry.hours:
        page.get_by_label("学时").fill(str(entry.hours))
    if entry.people:
        page.get_by_label(f"{step.people_label}（一）").fill(entry.people[0])
        page.get_by_label(f"{step.people_label}（二）").fill(entry.people[1])


def _pass_the_test(page: Page, browser, live_server) -> None:
    """The secretary issues a code (shown this once), the applicant answers on their own phone."""
    page.get_by_test_id("issue").tap()
    expect(page.get_by_role("alert")).to_contain_text("已发放第 1 次测试的测试码")
    code = page.get_by_test_id("code").inner_text().strip()
    page.reload()
    expect(page.get_by_test_id("code")).to_have_count(0)  # shown once: the page keeps only its hash
    expect(page.get_by_test_id("sittings")).to_contain_text("待作答")
    with phone_page(browser) as phone:
        seen = watch(phone, live_server)
        phone.goto(f"{live_server.url}/lifecycle/test/")
        phone.get_by_label("测试码").fill(code)
        phone.get_by_role("button", name="开始").tap()
        expect(phone.get_by_test_id("question")).to_have_count(4)
        sitting = Sitting.objects.get(submitted_at__isnull=True)
        for question in Question.objects.filter(pk__in=sitting.paper):
            for letter in question.answer:
                phone.locator(f"#q{question.pk}{letter}").check()
        phone.get_by_role("button", name="交卷").tap()
        expect(phone.get_by_test_id("verdict")).to_have_text("通过")
        assert not has_horizontal_scroll(phone)
        assert not seen.problems and not seen.foreign_requests
