"""软弱涣散 in a real browser: the county organiser runs the flags and confirms a flagged branch
onto the list with a reason; its secretary, on a phone, writes the plan and records progress with
a photo and asks for acceptance; the county refuses once with a reason, then accepts and 销号."""

from datetime import date

import pytest
from playwright.sync_api import expect

from shuzhi.testing.browser import has_horizontal_scroll, login, open_area, open_phone_menu, phone_page, watch
from shuzhi.testing.records import branch_secretary
from shuzhi.weakorgs.models import Entry, ProgressFile

pytestmark = pytest.mark.browser

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def test_flag_confirm_plan_progress_acceptance_and_closing(live_server, browser, cast, tmp_path):
    year = date.today().year
    secretary = branch_secretary(cast.village_a)
    county = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    seen = [watch(county, live_server)]
    login(county, live_server, cast.county_organiser)
    open_area(county, "软弱涣散")
    county.get_by_test_id("compute").click()
    expect(county.get_by_role("alert")).to_contain_text("已研判")
    row = county.get_by_test_id(f"flagged-{cast.village_a.code}")
    expect(row).to_contain_text("组织生活未达到频次要求")
    row.get_by_placeholder("列入理由").fill("全年未召开组织生活会，组织生活不正常")
    row.get_by_role("button", name="列入台账").click()
    expect(county.get_by_test_id("entry-status")).to_have_text("整顿中")

    with phone_page(browser) as town:
        seen.append(watch(town, live_server))
        login(town, live_server, secretary)
        open_phone_menu(town)
        open_area(town, "软弱涣散", tap=True)
        town.get_by_role("link", name="软弱涣散台账").tap()
        town.get_by_role("link", name="王庄村党支部").tap()
        town.get_by_label("存在问题").fill("组织生活不正常，支部书记履职不到位")
        town.get_by_label("整顿措施").fill("每月开展主题党日；年底召开组织生活会")
        town.get_by_label("整顿时限").fill(f"{year}-12-31")
        town.get_by_label("责任领导").fill("镇党委书记 刘强")
        town.get_by_label("联系领导").fill("区委常委 陈明")
        town.get_by_role("button", name="保存方案").tap()
        expect(town.get_by_role("alert")).to_contain_text("已保存整顿方案")
        assert not has_horizontal_scroll(town)
        town.get_by_label("日期").fill(date.today().isoformat())
        town.get_by_label("进展情况").fill("召开组织生活会，开展批评与自我批评")
        photo = tmp_path / "组织生活会.jpg"
        photo.write_bytes(JPEG)
        town.get_by_label("佐证材料").set_input_files(photo)
        town.get_by_role("button", name="记录进展").tap()
        expect(town.get_by_role("link", name="组织生活会.jpg")).to_be_visible()
        town.get_by_test_id("request").tap()
        expect(town.get_by_test_id("entry-status")).to_have_text("待验收")
        expect(town.get_by_test_id("decide-form")).to_have_count(0)  # never by the unit itself

        county.reload()
        county.get_by_label("验收不通过，退回整顿").check()
        county.get_by_label("验收意见").fill("缺少群众测评材料")
        county.get_by_role("button", name="提交验收结论").click()
        expect(county.get_by_test_id("entry-status")).to_have_text("验收未通过")

        town.reload()
        expect(town.get_by_test_id("events")).to_contain_text("缺少群众测评材料")
        town.get_by_label("日期").fill(date.today().isoformat())
        town.get_by_label("进展情况").fill("补充群众测评，满意率 92%")
        town.get_by_role("button", name="记录进展").tap()
        town.get_by_test_id("request").tap()
        expect(town.get_by_test_id("entry-status")).to_have_text("待验收")

    county.reload()
    county.get_by_label("验收通过").check()
    county.get_by_label("验收意见").fill("组织生活正常，同意验收")
    county.get_by_role("button", name="提交验收结论").click()
    expect(county.get_by_test_id("entry-status")).to_have_text("已验收")
    county.get_by_test_id("close").click()
    expect(county.get_by_test_id("entry-status")).to_have_text("已销号")
    assert Entry.objects.get(organization=cast.village_a, year=year).status == Entry.Status.CLOSED
    assert ProgressFile.objects.count() == 1
    assert [p for w in seen for p in w.problems] == []


def test_the_flags_page_with_its_forms_stays_within_a_phones_width(live_server, browser, cast):
    """A wide table scrolls in its own box: the hidden label of each row's reason field (absolutely
    positioned) once escaped the box and made the whole page wider than the phone."""
    with phone_page(browser) as page:
        login(page, live_server, cast.county_organiser)
        open_phone_menu(page)
        open_area(page, "软弱涣散", tap=True)
        page.get_by_test_id("compute").tap()
        expect(
            page.get_by_test_id(f"flagged-{cast.village_a.code}").get_by_placeholder("列入理由")
        ).to_be_attached()
        assert not has_horizontal_scroll(page)
