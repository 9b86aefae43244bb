"""A branch fills its checklist on a phone and proposes its level; the township changes one item
with a reason and confirms the level; the county sees the distribution."""

from datetime import date

import pytest
from playwright.sync_api import expect

from shuzhi.standards.models import Rating
from shuzhi.testing.browser import has_horizontal_scroll, login, open_area, open_phone_menu, phone_page, watch
from shuzhi.testing.records import branch_secretary, year_of_records

pytestmark = pytest.mark.browser

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
CLAIMS = [
    "支部书记在岗在位，支委会配备齐全、分工明确",
    "支部书记年度述职、接受党员评议",
    "会议记录规范，照片、签到表等佐证齐全",
    "活动阵地规范：场所、标识、制度上墙",
    "发展党员程序规范、材料完整",
    "带领群众发展村级集体经济、推进乡村振兴",
    "党员承诺践诺、志愿服务常态开展",
]


def files_complete(branch, *, actor) -> None:
    """Every present member of the branch with a scan of each required entry of their file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shuzhi.dossiers.models import ChecklistItem
    from shuzhi.dossiers.services import scans_upload
    from shuzhi.members.models import Member

    for member in Member.objects.filter(organization=branch).select_related("organization"):
        for entry in ChecklistItem.objects.filter(required=True):
            scans_upload(actor=actor, member=member, item=entry,
                         files=[SimpleUploadedFile("扫描件.pdf", b"%PDF-1.4\n%%EOF\n")])  # fmt: skip


def item(page, title):
    return page.get_by_test_id("item").filter(has_text=title)


def test_a_branch_proposes_the_township_changes_an_item_and_confirms_the_county_sees_it(
    live_server, browser, cast, tmp_path
):
    year = date.today().year - 1
    year_of_records(cast.village_a, year)  # organisational life met: 20 points from the facts
    files_complete(cast.village_a, actor=cast.township_secretary)  # members' files: 5 points from the facts
    secretary = branch_secretary(cast.village_a)
    photo = tmp_path / "阵地.jpg"
    photo.write_bytes(JPEG)

    with phone_page(browser) as page:
        seen = watch(page, live_server)
        login(page, live_server, secretary)
        open_phone_menu(page)
        open_area(page, "星级评定", tap=True)
        page.get_by_label("年度").select_option(str(year))
        page.get_by_role("button", name="开始评定").tap()
        expect(page.get_by_test_id("score")).to_have_text("25")
        expect(page.get_by_test_id("gaps")).to_contain_text(
            "党费按月足额交纳（交纳率不低于 95%）（10 分）：无数据"
        )
        for title in CLAIMS:
            row = item(page, title)
            row.get_by_text("填写自评").tap()
            row.get_by_label("本项自评达标").check()
            row.get_by_label("做法和说明").fill(f"{title[:6]}：已落实")
            if title.startswith("活动阵地"):
                row.get_by_label("照片或材料（可选）").set_input_files(photo)
            row.get_by_role("button", name="保存").tap()
            expect(page.get_by_role("alert")).to_contain_text("已保存自评")
        expect(page.get_by_test_id("score")).to_have_text("75")
        expect(page.get_by_test_id("proposed")).to_have_text("三星")
        assert not has_horizontal_scroll(page)
        page.get_by_role("button", name="提交自评").tap()
        expect(page.get_by_test_id("status")).to_have_text("待上级确认")
        assert not seen.problems and not seen.foreign_requests

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    seen = watch(page, live_server)
    login(page, live_server, cast.township_secretary)
    page.goto(f"{live_server.url}/standards/branches/{cast.village_a.pk}/?year={year}")
    row = item(page, "活动阵地规范")
    expect(row.get_by_role("link", name="阵地.jpg")).to_be_visible()
    row.get_by_text("上级认定（附理由）").click()
    row.get_by_label("上级认定").select_option(label="未达标")
    row.get_by_label("认定理由").fill("现场检查：制度未上墙")
    row.get_by_role("button", name="保存认定").click()
    expect(page.get_by_role("alert")).to_contain_text("已记录上级认定")
    expect(page.get_by_test_id("score")).to_have_text("65")
    expect(page.get_by_test_id("gaps")).to_contain_text("上级认定未达标：现场检查：制度未上墙")
    confirm = page.get_by_test_id("confirm")
    expect(confirm.get_by_label("确认等次")).to_have_value("2")
    confirm.get_by_label("确认等次").select_option(label="三星")
    confirm.get_by_role("button", name="确认").click()
    expect(page.get_by_test_id("confirm")).to_contain_text("请写明理由")
    expect(page.get_by_test_id("confirm").get_by_label("确认等次")).to_have_value("3")  # kept
    page.get_by_test_id("confirm").get_by_label("理由").fill("阵地已于检查当日整改到位")
    page.get_by_test_id("confirm").get_by_role("button", name="确认").click()
    expect(page.get_by_test_id("final")).to_have_text("三星")
    assert not seen.problems
    page.close()

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    login(page, live_server, cast.county_organiser)
    # the menu, one entry longer, still stays on one line at desk width
    tops = page.locator("#mainnav .nav-link").evaluate_all(
        "links => links.map(a => a.getBoundingClientRect().top)"
    )
    assert len(set(tops)) == 1, tops
    open_area(page, "星级评定")
    page.get_by_label("年度").select_option(str(year))
    table = page.get_by_test_id("distribution")
    township = table.get_by_role("row").filter(has_text=cast.township_a.name)
    expect(township).to_contain_text("2")  # two branches
    expect(table.get_by_role("columnheader", name="三星")).to_be_visible()
    expect(township).to_contain_text("50.0%")  # one of two at 三星, one not yet rated
    page.get_by_role("button", name="公布已确认的评定").click()
    expect(page.get_by_test_id("published")).to_contain_text(cast.village_a.name)
    page.close()
    rating = Rating.objects.get(organization=cast.village_a, year=year)
    assert (rating.status, rating.final_rank, rating.rank) == (Rating.Status.PUBLISHED, 3, 2)
