"""The year's commitments in a real browser: on a phone the township's secretary declares one
problem, one duty and one 书记领办项目 and submits; the county organiser accepts; the secretary
reports two quarters; 督查办 rates them; the organiser downloads the ranking bulletin (parsed) and
finds the project in the township's duty report."""

import io

import docx
import pytest
from playwright.sync_api import expect

from shuzhi.projects.models import Declaration, Progress, Rating
from shuzhi.testing.browser import has_horizontal_scroll, login, open_area, open_phone_menu, phone_page, watch
from shuzhi.testing.cycles import county_cycle, township_report
from shuzhi.testing.projects import county_round, supervisor, township_declaration

pytestmark = pytest.mark.browser


def test_declare_accept_report_two_quarters_rate_and_rank(live_server, browser, cast):
    cycle = county_cycle(cast)  # reports open: the township's duty report exists
    round_ = county_round(cast, year=cycle.year)
    declaration = township_declaration(round_, cast)
    year = round_.year
    office = supervisor(cast.county_a)

    with phone_page(browser) as page:
        seen = watch(page, live_server)
        login(page, live_server, cast.township_secretary)
        open_phone_menu(page)
        open_area(page, "领办项目", tap=True)
        page.get_by_test_id("mine").get_by_role("link").first.tap()
        form = page.get_by_test_id("problem-form")
        form.get_by_label("问题").fill("村级后备干部储备不足")
        form.get_by_label("类别").select_option("党员队伍")
        form.get_by_label("查找依据").fill("谈心谈话 32 人次")
        form.get_by_role("button", name="添加问题").tap()
        expect(page.get_by_test_id("problems")).to_contain_text("村级后备干部储备不足")
        form = page.get_by_test_id("duty-form")
        form.get_by_label("责任事项").fill("落实村党组织书记星级评定")
        form.get_by_label("量化目标").fill("评定覆盖率100%")
        form.get_by_label("责任人").fill("组织委员")
        form.get_by_label("完成时限").fill(f"{year}-12-31")
        form.get_by_role("button", name="添加责任").tap()
        expect(page.get_by_test_id("duties")).to_contain_text("评定覆盖率100%")
        page.get_by_role("link", name="添加领办项目").tap()
        form = page.get_by_test_id("project-form")
        form.get_by_label("项目名称").fill("村级后备干部育苗工程")
        form.get_by_label("针对的问题").select_option(label="村级后备干部储备不足")
        form.get_by_label("目标").fill(f"储备后备干部｜每村2名｜{year}-12-31")
        for number, text in enumerate(["摸排人选", "集中培训", "岗位锻炼", "考察入库"], start=1):
            form.get_by_label(f"{'一二三四'[number - 1]}季度节点").fill(text)
        form.get_by_role("button", name="保存").tap()
        expect(page.get_by_test_id("projects")).to_contain_text("村级后备干部育苗工程")
        assert not has_horizontal_scroll(page)
        page.get_by_role("button", name="提交申报").tap()
        expect(page.get_by_test_id("status")).to_have_text("已提交")
        assert not seen.problems and not seen.foreign_requests

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    review = desk.new_page()
    seen = watch(review, live_server)
    login(review, live_server, cast.county_organiser)
    review.goto(f"{live_server.url}{declaration.get_absolute_url()}")
    review.get_by_role("button", name="审核通过").click()
    expect(review.get_by_test_id("status")).to_have_text("已通过")
    desk.close()
    assert Declaration.objects.get(pk=declaration.pk).status == Declaration.Status.ACCEPTED

    with phone_page(browser) as page:
        seen = watch(page, live_server)
        login(page, live_server, cast.township_secretary)
        page.goto(f"{live_server.url}{declaration.get_absolute_url()}")
        page.get_by_role("link", name="村级后备干部育苗工程").first.tap()
        for quarter, done in ((1, "摸排后备人选24名，建立名册"), (2, "集中培训一期，结对帮带24对")):
            form = page.get_by_test_id("progress-form")
            form.get_by_label("季度").select_option(str(quarter))
            form.get_by_label("对照节点完成情况").fill(done)
            form.get_by_label("数据指标").fill("24名")
            form.get_by_role("button", name="报送").tap()
            expect(page.get_by_test_id(f"quarter-{quarter}")).to_contain_text(done)
        assert not has_horizontal_scroll(page)
        assert not seen.problems
    assert Progress.objects.filter(project__declaration=declaration).count() == 2

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = desk.new_page()
    seen = watch(page, live_server)
    login(page, live_server, office)
    open_area(page, "领办项目")
    page.get_by_role("link", name=round_.title).click()
    page.get_by_test_id("board").get_by_role("link", name="村级后备干部育苗工程").click()
    for quarter, label, comment in ((1, "较好", "摸排扎实"), (2, "好", "培训成效明显")):
        form = page.get_by_test_id(f"rating-form-{quarter}")
        form.get_by_label("评价").select_option(label)
        form.get_by_label("督查意见").fill(comment)
        form.get_by_label("实地查看情况").fill("到村查看名册和培训记录")
        form.get_by_role("button", name="评价").click()
        expect(page.get_by_test_id(f"rating-{quarter}")).to_contain_text(comment)
    assert not seen.problems
    desk.close()
    assert Rating.objects.count() == 2

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = desk.new_page()
    seen = watch(page, live_server)
    login(page, live_server, cast.county_organiser)
    page.goto(f"{live_server.url}{round_.get_absolute_url()}")
    page.get_by_role("link", name="进展排名").click()
    page.get_by_role("link", name="Q2").click()
    expect(page.get_by_test_id("ranking")).to_contain_text(cast.township_a.name)
    with page.expect_download() as download:
        page.get_by_test_id("ranking-docx").click()
    bulletin = docx.Document(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.text for p in bulletin.paragraphs)
    assert "第二季度推进情况通报" in text and "乡镇街道" in text
    assert [c.text for c in bulletin.tables[0].rows[1].cells] == [
        "1",
        cast.township_a.name,
        "1",
        "1",
        "好",
        "100",
    ]
    report = township_report(cycle, cast)
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    section = page.get_by_test_id("extra-section")
    expect(section).to_contain_text("村级后备干部育苗工程")
    expect(section).to_contain_text("较好（85）")
    expect(section).to_contain_text("好（100）")
    assert not seen.problems
    desk.close()
