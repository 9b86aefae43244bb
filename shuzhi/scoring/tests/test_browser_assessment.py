"""The assessment in a real browser: the organiser imports 日常考核 scores from .xlsx (a bad row
refuses the file with a clear message), adds a deduction, computes, sees the grades within the
quota, opens one reporter's explanation, publishes, and downloads the bulletin."""

import io

import docx
import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from shuzhi.cycles.models import Cycle
from shuzhi.scoring.models import Result
from shuzhi.testing.browser import login, watch
from shuzhi.testing.meetings import tallied_cycle

pytestmark = pytest.mark.browser


def _sheet(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_the_organiser_assesses_publishes_and_downloads_the_bulletin(live_server, page, cast, tmp_path):
    cycle, _meeting = tallied_cycle(cast)
    # a quota of 34%: of three reporters one may be 好 (3 × 34 // 100)
    Cycle.objects.filter(pk=cycle.pk).update(scheme={**cycle.scheme, "good_quota_percent": 34})
    names = list(cycle.reporters.order_by("mode", "position").values_list("organization__name", flat=True))
    seen = watch(page, live_server)
    login(page, live_server, cast.county_organiser)
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    page.get_by_role("link", name="考核评定").click()

    bad = _sheet(
        tmp_path / "日常考核-有误.xlsx",
        [
            ["述职单位", "日常考核", "重点任务"],
            [names[0], 98, 96],
            [names[1], "九十", 95],
            [names[2], 97, 96],
        ],
    )
    page.get_by_label("得分表（.xlsx）").set_input_files(bad)
    page.get_by_role("button", name="导入得分").click()
    expect(
        page.get_by_role("alert").filter(has_text="第 3 行 B 列（日常考核）“九十”：应为 0 到 100 的数字。")
    ).to_be_visible()
    good = _sheet(
        tmp_path / "日常考核.xlsx",
        [["述职单位", "日常考核", "重点任务"], [names[0], 98, 96], [names[1], 99, 97], [names[2], 100, 100]],
    )
    page.get_by_label("得分表（.xlsx）").set_input_files(good)
    page.get_by_role("button", name="导入得分").click()
    expect(page.get_by_role("alert").filter(has_text="已导入 6 个得分")).to_be_visible()

    page.get_by_test_id("entry").get_by_role("row", name=names[1]).get_by_role("link").click()
    page.get_by_label("分值（加分为正，减分为负）").fill("-2")
    page.get_by_label("理由").fill("党费收缴台账不规范")
    page.get_by_role("button", name="添加加减分").click()
    expect(page.get_by_test_id("adjustments")).to_contain_text("党费收缴台账不规范")
    page.get_by_role("link", name="考核评定").click()
    page.get_by_role("button", name="测算结果").click()
    results = page.get_by_test_id("results")
    expect(results).to_be_visible()
    grades = [results.locator(f'[data-grade="{name}"]').inner_text() for name in names]
    assert grades.count("好") == 1  # within the quota
    expect(results).to_contain_text("受比例限制")

    results.get_by_role("link", name=names[1]).click()
    expect(page.get_by_test_id("arithmetic")).to_contain_text("党费收缴台账不规范")
    result = Result.objects.get(reporter__organization__name=names[1])
    expect(page.get_by_test_id("score")).to_have_text(str(result.score))

    page.get_by_role("link", name="考核评定").click()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("公示期（天，0 表示不公示直接确定）").fill("0")
    page.get_by_role("button", name="公布结果").click()
    expect(page.get_by_test_id("assessment-status")).to_have_text("已确定")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载通报（.docx）").click()
    bulletin = docx.Document(io.BytesIO(download.value.path().read_bytes()))
    cells = [cell.text for table in bulletin.tables for row in table.rows for cell in row.cells]
    text = "\n".join(p.text for p in bulletin.paragraphs) + "\n".join(cells)
    assert cycle.title in text and all(name in text for name in names)
    # a download ends its navigation as "aborted": that is the only thing the page may report
    assert all("ERR_ABORTED" in p and p.endswith("/bulletin.docx") for p in seen.problems), seen.problems
