"""On a phone: a branch secretary records a 支部党员大会 with attendance and a photo; the member
sees it on their record; the branch's completion changes."""

from datetime import date

import pytest
from playwright.sync_api import expect

from shuzhi.records.models import Attachment, Meeting
from shuzhi.records.services import completion_refresh
from shuzhi.testing.browser import has_horizontal_scroll, login, open_area, open_phone_menu, phone_page, watch
from shuzhi.testing.factories import PASSWORD
from shuzhi.testing.records import branch_secretary, year_of_records

pytestmark = pytest.mark.browser

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def test_a_secretary_records_a_meeting_on_a_phone_and_the_member_sees_it(
    live_server, browser, cast, tmp_path
):
    year = date.today().year - 1
    year_of_records(cast.village_a, year)
    Meeting.objects.filter(organization=cast.village_a, kind="congress", held_on__month=6).delete()
    completion_refresh(organization=cast.village_a, year=year)  # the second quarter lacks its 支部党员大会
    secretary = branch_secretary(cast.village_a)

    with phone_page(browser) as page:
        seen = watch(page, live_server)
        login(page, live_server, secretary)
        open_phone_menu(page)
        open_area(page, "组织生活", tap=True)
        page.get_by_label("年度").select_option(str(year))
        expect(page.get_by_test_id("quarters")).to_contain_text("第2季度 未达标")
        page.get_by_test_id("record-new").tap()
        expect(page.get_by_role("heading", name="记录组织生活")).to_be_visible()
        assert not has_horizontal_scroll(page)
        page.get_by_label("类型").select_option(label="支部党员大会")
        page.get_by_label("日期").fill(f"{year}-05-20")
        page.get_by_label("主题").fill("学习贯彻全会精神")
        page.get_by_label("主持人").fill("李秀英")
        page.get_by_label("李秀英", exact=True).select_option(label="病假")
        photo = tmp_path / "会议照片.jpg"
        photo.write_bytes(JPEG)
        page.get_by_label("照片、签到表（可多选）").set_input_files(photo)
        page.get_by_role("button", name="保存记录").tap()
        expect(page.get_by_role("alert")).to_contain_text("已记录支部党员大会“学习贯彻全会精神”")
        page.get_by_label("年度").select_option(str(year))
        expect(page.get_by_test_id("quarters")).to_contain_text("第2季度 达标")
        expect(page.get_by_test_id("year-status")).to_contain_text("全年各项频次要求均已达到")
        page.get_by_role("link", name="学习贯彻全会精神").tap()
        expect(page.get_by_test_id("counts")).to_have_text("出席 1 人，缺席 1 人")
        expect(page.get_by_test_id("attendance")).to_contain_text("李秀英（病假）")
        expect(page.get_by_test_id("attachments").get_by_role("img")).to_have_count(1)
        assert not seen.problems and not seen.foreign_requests
    meeting = Meeting.objects.get(topic="学习贯彻全会精神")
    assert Attachment.objects.get(meeting=meeting).kind == "jpeg"

    with phone_page(browser) as page:
        seen = watch(page, live_server)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名").fill(cast.member_user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").tap()
        expect(
            page.get_by_role("heading", name="王建国")
        ).to_be_visible()  # a member lands on their own record
        open_phone_menu(page)
        page.locator("#mainnav").get_by_role("link", name="我的组织生活").tap()
        page.get_by_label("年度").select_option(str(year))
        expect(page.get_by_test_id("my-meetings")).to_contain_text("学习贯彻全会精神")
        expect(page.get_by_test_id("attended")).to_contain_text("本人出席")
        page.wait_for_load_state("networkidle")
        assert not has_horizontal_scroll(page)
        assert not seen.problems
