"""An organiser imports a roster in a real browser: a bad row is refused with a report that marks
the cell, the corrected file goes in, and the job page follows the worker without a reload."""

import re
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from shuzhi.exchange.models import ExchangeJob
from shuzhi.members.models import Member
from shuzhi.testing.browser import login, watch
from shuzhi.testing.factories import make_id_number
from shuzhi.testing.jobs import run_queued_jobs
from shuzhi.testing.sheets import MEMBER_HEADERS, member_row, xlsx

pytestmark = pytest.mark.browser

NEWCOMERS = ("陈红", "刘洋", "黄磊")
BAD_ROW = 3  # the header is row 1; 刘洋 is the second person


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads and reports go to a folder of the test's own (the live server reads the same settings)."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _masked(number: str) -> str:
    return number[:3] + "*" * 11 + number[-4:]


def _wrong_check_character(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def _roster(tmp_path, name: str, numbers: list[str]):
    rows = [
        member_row("陈红", numbers[0], "C01001001", phone="13600001111"),
        member_row("刘洋", numbers[1], "C01001001", joined=date(2016, 7, 1), full=date(2017, 7, 1)),
        member_row("黄磊", numbers[2], "C01001002", status="预备党员", full=None, joined=date(2025, 7, 1)),
    ]
    path = tmp_path / name
    path.write_bytes(xlsx(rows, headers=MEMBER_HEADERS, title="党员名册"))
    return path


def _navbar(page):
    # the job page has a second navigation, its breadcrumb, with a link to 导入导出 too
    return page.locator("#mainnav")


def _open_exchange_and_upload(page, path) -> None:
    _navbar(page).get_by_role("link", name="导入导出").click()
    expect(page.get_by_role("heading", name="导入导出", exact=True)).to_be_visible()
    form = page.get_by_test_id("upload-members")
    form.locator('input[type="file"]').set_input_files(path)
    form.get_by_role("button", name="上传并导入").click()
    expect(page).to_have_url(re.compile(r"/exchange/jobs/\d+/$"))


def test_an_organiser_corrects_a_refused_roster_from_the_error_report_and_imports_it(
    live_server, page, cast, tmp_path
):
    numbers = [
        make_id_number(date(1988, 4, 12), "F"),
        make_id_number(date(1990, 9, 30), "M"),
        make_id_number(date(2001, 1, 5), "M"),
    ]
    bad = _roster(tmp_path, "名册.xlsx", [numbers[0], _wrong_check_character(numbers[1]), numbers[2]])
    good = _roster(tmp_path, "名册-改正.xlsx", numbers)
    seen = watch(page, live_server)
    status, progress, result = (page.get_by_test_id(t) for t in ("job-status", "job-progress", "job-result"))
    login(page, live_server, cast.county_organiser)

    # 1. the file with a wrong check character: queued, and still queued after a reload
    _open_exchange_and_upload(page, bad)
    job = ExchangeJob.objects.get()
    expect(page).to_have_url(f"{live_server.url}/exchange/jobs/{job.pk}/")
    assert (job.direction, job.kind, job.original_name) == ("import", "members", "名册.xlsx")
    expect(status).to_have_text("排队中")
    expect(progress).to_have_attribute("value", "0")
    page.reload()
    expect(status).to_have_text("排队中")
    expect(page.get_by_role("heading", name="导入党员名册：名册.xlsx")).to_be_visible()
    # a mark that a reload would wipe out: the page must change under it
    page.evaluate("window.stillTheSamePage = true")

    run_queued_jobs()

    expect(status).to_have_text("有错误，未导入")
    expect(result).to_contain_text("发现 1 处错误（涉及 1 行），未导入任何数据。")
    errors = page.get_by_test_id("job-errors").locator("tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td")).to_have_text(
        # the page shows the number masked; the whole one is in the (encrypted) error report
        [str(BAD_ROW), "B 身份证号", _masked(_wrong_check_character(numbers[1])), re.compile("校验位不正确")]
    )
    assert page.evaluate("window.stillTheSamePage") is True
    assert not Member.objects.filter(name__in=NEWCOMERS).exists()

    # 2. the error report marks the cell and says why
    with page.expect_download() as download:
        page.get_by_test_id("report-link").click()
    assert download.value.suggested_filename == "错误报告-名册.xlsx"
    report = tmp_path / "report.xlsx"
    download.value.save_as(report)
    book = load_workbook(report)
    sheet = book["党员名册"]
    marked = sheet[f"B{BAD_ROW}"]
    assert marked.value == _wrong_check_character(numbers[1])
    assert marked.fill.fgColor.rgb == "FFF8D7DA"
    assert sheet[f"B{BAD_ROW - 1}"].fill.fgColor.rgb != "FFF8D7DA"  # a good cell is left plain
    reason_column = len(MEMBER_HEADERS) + 1
    assert sheet.cell(row=1, column=reason_column).value == "错误说明"
    assert "身份证号" in sheet.cell(row=BAD_ROW, column=reason_column).value
    assert "校验位不正确" in sheet.cell(row=BAD_ROW, column=reason_column).value
    listing = list(book["错误清单"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[2]) for row in listing] == [(BAD_ROW, "B", "身份证号")]

    # 3. the corrected file: the progress bar fills and the result appears by itself
    _open_exchange_and_upload(page, good)
    second = ExchangeJob.objects.exclude(pk=job.pk).get()
    expect(page).to_have_url(f"{live_server.url}/exchange/jobs/{second.pk}/")
    expect(status).to_have_text("排队中")
    page.evaluate("window.stillTheSamePage = true")

    run_queued_jobs()

    expect(progress).to_have_attribute("value", "100")
    expect(result).to_contain_text("导入成功：共 3 行，新增 3，更新 0，未变 0。")
    expect(status).to_have_text("已完成")
    assert page.evaluate("window.stillTheSamePage") is True
    second.refresh_from_db()
    assert (second.status, second.created_count) == (ExchangeJob.Status.SUCCEEDED, 3)
    imported = {m.name: m for m in Member.objects.filter(name__in=NEWCOMERS)}
    assert {name: m.id_number for name, m in imported.items()} == dict(zip(NEWCOMERS, numbers, strict=True))
    assert imported["陈红"].gender == Member.Gender.FEMALE  # from the ID number
    assert imported["黄磊"].status == Member.Status.PROBATIONARY
    assert imported["黄磊"].organization == cast.village_a2

    # 4. the members are in the list
    _navbar(page).get_by_role("link", name="党员", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/members/")
    names = page.get_by_test_id("member-table").locator("tbody tr td:first-child")
    expect(names).to_have_count(6)
    assert sorted(names.all_inner_texts()) == sorted(["王建国", "李秀英", "赵晨", *NEWCOMERS])
    polls = [url for url in seen.requests if url.endswith("/progress/")]
    assert len(polls) >= 2  # the page learnt of both outcomes by polling
    # Chromium reports a navigation that turns into a download as aborted; that one is expected
    report_url = f"{live_server.url}/exchange/jobs/{job.pk}/report.xlsx"
    assert [problem for problem in seen.problems if problem != f"net::ERR_ABORTED {report_url}"] == []
    assert seen.foreign_requests == []


def test_clicking_the_roster_forms_file_label_chooses_the_file_for_the_roster(
    live_server, page, cast, tmp_path
):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx([], headers=MEMBER_HEADERS))
    login(page, live_server, cast.county_organiser)
    page.goto(f"{live_server.url}/exchange/")
    roster = page.get_by_test_id("upload-members")

    with page.expect_file_chooser() as chooser:
        roster.locator("label", has_text="Excel 文件（.xlsx）").click()
    chooser.value.set_files(path)

    assert roster.locator('input[type="file"]').evaluate("input => input.files.length") == 1
    assert (
        page.get_by_test_id("upload-orgs")
        .locator('input[type="file"]')
        .evaluate("input => input.files.length")
        == 0
    )
