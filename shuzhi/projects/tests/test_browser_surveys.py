"""问卷调查 in a real browser: the township's secretary builds a questionnaire on the page and
publishes it with codes; five members answer on their phones (390 px, no sideways scroll); a used
code is refused; the secretary closes it, reads the charts and the tables, and puts a finding into
the declaration's problem list."""

import pytest
from playwright.sync_api import expect

from shuzhi.projects.models import DeclaredItem, Questionnaire, QuestionnaireCode
from shuzhi.testing.browser import has_horizontal_scroll, login, open_area, phone_page, watch
from shuzhi.testing.projects import county_round, township_declaration

pytestmark = pytest.mark.browser


def test_build_publish_answer_on_phones_close_and_turn_a_finding_into_a_problem(live_server, browser, cast):
    declaration = township_declaration(county_round(cast), cast)
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = desk.new_page()
    seen = watch(page, live_server)
    login(page, live_server, cast.township_secretary)
    open_area(page, "问卷调查")
    form = page.get_by_test_id("survey-form")
    form.get_by_label("问卷名称").fill("述职前党员满意度调查")
    form.get_by_role("button", name="创建问卷").click()
    form = page.get_by_test_id("question-form")
    form.get_by_label("题型").select_option("single")
    form.get_by_label("题目").fill("您对支部组织生活的评价")
    form.get_by_label("选项").fill("满意\n基本满意\n不满意")
    form.get_by_role("button", name="添加题目").click()
    form = page.get_by_test_id("question-form")
    form.get_by_label("题型").select_option("rating")
    form.get_by_label("题目").fill("党员服务群众情况")
    form.get_by_role("button", name="添加题目").click()
    expect(page.get_by_test_id("questions")).to_contain_text("党员服务群众情况")
    page.get_by_test_id("publish-form").get_by_label("答题码数量").fill("6")
    page.get_by_role("button", name="发布问卷").click()
    expect(page.get_by_test_id("status")).to_have_text("收集中")
    page.get_by_test_id("slips-link").click()
    expect(page.get_by_test_id("slips").locator("svg")).to_have_count(6)
    assert not seen.problems

    q = Questionnaire.objects.get(title="述职前党员满意度调查")
    slips = [c.token for c in QuestionnaireCode.objects.filter(questionnaire=q).order_by("serial")]
    choices = ["满意", "满意", "基本满意", "不满意", "满意"]
    with phone_page(browser) as phone:
        seen = watch(phone, live_server)
        for token, choice, score in zip(slips, choices, ["5", "4", "3", "2", "4"], strict=False):
            phone.goto(f"{live_server.url}/projects/surveys/v/{token}/")
            phone.get_by_label(choice, exact=True).tap()
            phone.get_by_test_id("question-2").get_by_text(score, exact=True).tap()
            assert not has_horizontal_scroll(phone)
            phone.get_by_role("button", name="提交问卷").tap()
            expect(phone.get_by_test_id("done")).to_be_visible()
        assert not seen.problems and not seen.foreign_requests
        phone.goto(f"{live_server.url}/projects/surveys/v/{slips[0]}/")  # used: refused
        expect(phone.get_by_test_id("error")).to_contain_text("已经用过")
        phone.goto(f"{live_server.url}/projects/surveys/v/{slips[5]}/")
        phone.get_by_role("button", name="提交问卷").tap()  # nothing chosen: refused, said where
        expect(phone.get_by_test_id("question-1").get_by_test_id("fault")).to_have_text("请选择一项。")
        assert not has_horizontal_scroll(phone)

    page.goto(f"{live_server.url}{q.get_absolute_url()}")
    seen = watch(page, live_server)
    page.get_by_role("button", name="结束并统计").click()
    expect(page.get_by_test_id("responses")).to_have_text("共收回 5 份。")
    summary = page.get_by_test_id("summary-1")
    expect(summary.get_by_test_id("rows")).to_contain_text("60.0%")
    expect(summary.locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("summary-2").get_by_test_id("mean")).to_have_text("3.60")
    summary.locator("summary").click()
    finding = page.get_by_test_id("finding-form-1")
    finding.get_by_label("发现的问题").fill("支部组织生活质量不高")
    finding.get_by_label("类别").select_option("制度落实")
    finding.get_by_role("button", name="列入问题清单").click()
    expect(page.get_by_test_id("problems")).to_contain_text("支部组织生活质量不高")
    assert not seen.problems
    desk.close()
    item = DeclaredItem.objects.get(declaration=declaration)
    assert item.found_by.questionnaire == q and "5 人作答" in item.evidence

    with phone_page(browser) as phone:
        seen = watch(phone, live_server)
        login(phone, live_server, cast.township_secretary)
        phone.goto(f"{live_server.url}{q.get_absolute_url()}")
        expect(phone.get_by_test_id("summary-1").locator("canvas")).to_have_count(1)
        assert not has_horizontal_scroll(phone)
        assert not seen.problems


def test_the_list_the_builder_and_the_slips_fit_a_phone(live_server, browser, cast):
    from shuzhi.projects import surveys

    q = surveys.survey_create(
        actor=cast.township_secretary, organization=cast.township_a, title="手机上建问卷"
    )
    surveys.question_add(actor=cast.township_secretary, questionnaire=q, kind="single", text="您对班子的评价",
                         options="满意\n基本满意\n不满意")  # fmt: skip
    with phone_page(browser) as phone:
        seen = watch(phone, live_server)
        login(phone, live_server, cast.township_secretary)
        phone.goto(f"{live_server.url}/projects/surveys/")
        expect(phone.get_by_test_id("surveys")).to_contain_text("手机上建问卷")
        assert not has_horizontal_scroll(phone)
        phone.get_by_role("link", name="手机上建问卷").tap()
        expect(phone.get_by_test_id("question-form")).to_be_visible()
        assert not has_horizontal_scroll(phone)
        phone.get_by_test_id("publish-form").get_by_label("答题码数量").fill("3")
        phone.get_by_role("button", name="发布问卷").tap()
        phone.get_by_test_id("slips-link").tap()
        expect(phone.get_by_test_id("slips").locator("svg")).to_have_count(3)
        assert not has_horizontal_scroll(phone)
        assert not seen.problems
