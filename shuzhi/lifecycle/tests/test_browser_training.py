"""On two phones, the day the training ends (time-machine): the secretary issues a test code to a
发展对象, the applicant — without an account — opens it on their phone, answers and passes, and
the secretary records the training step, which the test had held back, so the pipeline moves on."""

from datetime import date

import pytest
import time_machine
from playwright.sync_api import expect

from shuzhi.demo.lifecycle import path_plan
from shuzhi.lifecycle import training as training_services
from shuzhi.lifecycle.models import Question, Sitting
from shuzhi.lifecycle.tests.helpers import at, start, walk
from shuzhi.lifecycle.tests.training_helpers import bank_with, exam_for_candidates
from shuzhi.testing.browser import has_horizontal_scroll, login, phone_page, watch

pytestmark = pytest.mark.browser


def test_a_candidate_passes_the_test_on_a_phone_and_the_training_step_is_done(live_server, browser, cast):
    applied = date(2023, 3, 6)
    plan = path_plan(applied)
    secretary = cast.township_secretary
    with time_machine.travel(at(plan["training"].until), tick=True):
        exam_for_candidates(cast.county_organiser, cast.county_a, bank_with(cast.county_a))
        person = start(actor=secretary, org=cast.village_a, applied_on=applied)
        walk(person, actor=secretary, until="vetting")
        person_url = f"{live_server.url}/lifecycle/people/{person.pk}/"

        with phone_page(browser) as page:
            seen = watch(page, live_server)
            login(page, live_server, secretary)
            page.goto(person_url)
            expect(page.get_by_role("heading", name="下一步：短期集中培训")).to_be_visible()
            page.get_by_label("结束日期").fill(f"{plan['training'].until:%Y-%m-%d}")
            page.get_by_label("开始日期").fill(f"{plan['training'].done_on:%Y-%m-%d}")
            page.get_by_label("学时").fill("24")
            page.get_by_role("button", name="记录此步骤").tap()
            expect(page.get_by_test_id("step-error")).to_contain_text("须先通过在线知识测试“入党前知识测试”")
            page.get_by_test_id("issue").tap()
            expect(page.get_by_role("alert")).to_contain_text("已发放第 1 次测试的测试码")
            code = page.get_by_test_id("code").inner_text()
            assert not has_horizontal_scroll(page)

            with phone_page(browser) as phone:  # the applicant's own phone, not logged in
                applicant_seen = watch(phone, live_server)
                phone.goto(f"{live_server.url}/lifecycle/test/")
                phone.get_by_label("测试码").fill(code.lower())
                phone.get_by_role("button", name="开始").tap()
                expect(phone.get_by_test_id("question")).to_have_count(4)
                assert not has_horizontal_scroll(phone)
                sitting = Sitting.objects.get(code_hash=training_services.code_hash(code))
                for question in Question.objects.filter(pk__in=sitting.paper):
                    for letter in question.answer:
                        phone.locator(f"#q{question.pk}{letter}").check()
                phone.get_by_role("button", name="交卷").tap()
                expect(phone.get_by_test_id("verdict")).to_have_text("通过")
                expect(phone.get_by_test_id("result")).to_contain_text("第 1 次（共 3 次）")
                assert not has_horizontal_scroll(phone)
                assert not applicant_seen.problems and not applicant_seen.foreign_requests

            page.goto(person_url)
            expect(page.get_by_test_id("sittings")).to_contain_text("通过")
            page.get_by_label("开始日期").fill(f"{plan['training'].done_on:%Y-%m-%d}")
            page.get_by_label("结束日期").fill(f"{plan['training'].until:%Y-%m-%d}")
            page.get_by_label("学时").fill("24")
            page.get_by_role("button", name="记录此步骤").tap()
            expect(page.get_by_role("alert")).to_contain_text("已记录“短期集中培训”")
            expect(page.get_by_role("heading", name="下一步：支部委员会审查")).to_be_visible()
            assert not has_horizontal_scroll(page)
            assert not seen.problems and not seen.foreign_requests


@pytest.mark.parametrize("width", [390, 1366])
def test_the_training_bank_and_plan_pages_fit_a_phone_and_a_desk(live_server, browser, cast, width):
    bank = bank_with(cast.county_a)
    exam_for_candidates(cast.county_organiser, cast.county_a, bank)
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        seen = watch(page, live_server)
        login(page, live_server, cast.county_organiser)
        for path, check in (
            (f"/lifecycle/orgs/{cast.county_a.pk}/training/", "exams"),
            (f"/lifecycle/banks/{bank.pk}/", "questions"),
            (f"/lifecycle/orgs/{cast.county_a.pk}/plan/", "plan"),
        ):
            page.goto(f"{live_server.url}{path}")
            expect(page.get_by_test_id(check)).to_be_visible()
            assert not has_horizontal_scroll(page), path
        assert not seen.problems and not seen.foreign_requests
    finally:
        context.close()
