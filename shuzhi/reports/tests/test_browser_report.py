"""A duty report's journey in a real browser: the secretary writes, attaches the signed .docx and
submits; the county organiser returns it with a reason; the secretary fixes and resubmits; the
organiser accepts, and the meeting book downloads and opens."""

import io

import docx
import pytest
from playwright.sync_api import expect

from shuzhi.reports.models import Attachment, Report
from shuzhi.testing.browser import login, watch
from shuzhi.testing.cycles import SECTION_TEXT, county_cycle, township_report

pytestmark = pytest.mark.browser


def _signed_docx(tmp_path):
    document = docx.Document()
    document.add_paragraph("柳泉镇党委书记抓基层党建工作述职报告（签字版）")
    document.add_paragraph("一、履行主体责任情况")
    document.add_paragraph(SECTION_TEXT["duty"])
    path = tmp_path / "签字版述职报告.docx"
    document.save(path)
    return path


def test_a_report_goes_from_draft_to_accepted_and_into_the_meeting_book(live_server, browser, cast, tmp_path):
    cycle = county_cycle(cast)
    report = township_report(cycle, cast)
    secretary = browser.new_context(locale="zh-CN")
    organiser = browser.new_context(locale="zh-CN")
    page = secretary.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    seen = watch(page, live_server)
    login(page, live_server, cast.township_secretary)

    page.locator("#mainnav").get_by_role("link", name="我的述职").click()
    page.get_by_test_id("my-reports").get_by_role("link").first.click()
    for key, text in SECTION_TEXT.items():
        if key != "last_year":
            page.locator(f'textarea[name="{key}"]').fill(text)
    expect(page.locator("#save-status")).to_contain_text("已自动保存", timeout=10_000)
    page.get_by_label("清单").select_option("problem")
    page.get_by_label("内容").fill("村级后备干部储备不足")
    page.get_by_label("严重程度（问题必填）").select_option("moderate")
    page.get_by_role("button", name="加入清单").click()
    expect(page.get_by_test_id("problems")).to_contain_text("村级后备干部储备不足")
    page.get_by_label("签字版报告（.docx 或 .pdf）").set_input_files(_signed_docx(tmp_path))
    page.get_by_role("button", name="上传附件").click()
    expect(page.get_by_test_id("attachments")).to_contain_text("签字版述职报告.docx")
    page.get_by_role("button", name="提交报告").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已提交")

    review = organiser.new_page()
    review.on("dialog", lambda dialog: dialog.accept())
    login(review, live_server, cast.county_organiser)
    review.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    review.get_by_test_id("reporters").get_by_role("link", name=cast.township_a.name).click()
    review.get_by_label("退回理由").fill("成绩部分缺少具体案例，请补充")
    review.get_by_role("button", name="退回修改").click()
    expect(review.get_by_test_id("report-status")).to_have_text("已退回")

    page.goto(f"{live_server.url}/reports/")
    page.get_by_test_id("my-reports").get_by_role("link").first.click()
    expect(page.get_by_test_id("return-reason")).to_contain_text("成绩部分缺少具体案例，请补充")
    page.locator('textarea[name="achievements"]').fill(
        SECTION_TEXT["achievements"] + "典型案例：王庄村党建引领合作社。"
    )
    page.get_by_role("button", name="提交报告").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已提交")

    review.reload()
    review.get_by_role("button", name="审核通过").click()
    expect(review.get_by_test_id("report-status")).to_have_text("已通过")
    expect(review.get_by_test_id("versions").locator("li")).to_have_count(4)

    review.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    with review.expect_download() as download:
        review.get_by_role("link", name="下载述职报告汇编（.docx）").click()
    book = docx.Document(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.text for p in book.paragraphs)
    assert "典型案例：王庄村党建引领合作社。" in text
    assert cast.township_a.name in book.tables[0].rows[1].cells[1].text

    report.refresh_from_db()
    assert report.status == Report.Status.ACCEPTED and report.version == 4
    assert Attachment.objects.filter(report=report).count() == 1
    assert seen.problems == []
    secretary.close()
    organiser.close()
