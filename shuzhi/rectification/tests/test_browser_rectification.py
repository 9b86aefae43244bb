"""Rectification in a real browser: the county organiser generates the items of a published
cycle; the township secretary records a milestone with a photo and asks for sign-off; the county
refuses once with a reason, then signs off."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shuzhi.rectification.models import Evidence, Item
from shuzhi.testing.browser import login, watch
from shuzhi.testing.rectification import PROBLEMS, published_cycle

pytestmark = pytest.mark.browser

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def test_an_item_is_generated_worked_on_refused_and_signed_off(live_server, browser, cast, tmp_path):
    cycle = published_cycle(cast)
    county = browser.new_context(locale="zh-CN").new_page()
    town = browser.new_context(locale="zh-CN").new_page()
    seen = [watch(county, live_server), watch(town, live_server)]
    login(county, live_server, cast.county_organiser)
    county.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    county.get_by_role("button", name="生成整改事项").click()
    expect(county.get_by_role("alert")).to_contain_text("已生成 3 项整改事项")

    login(town, live_server, cast.township_secretary)
    town.locator("#mainnav").get_by_role("link", name="我的整改").click()
    town.get_by_role("link", name=PROBLEMS[0]).click()
    town.get_by_label("日期").fill(timezone.localdate().isoformat())
    town.get_by_label("进展情况").fill("已建立村级后备干部库，入库 36 人")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(JPEG)
    town.get_by_label("佐证材料（照片、文件，可多选）").set_input_files(photo)
    town.get_by_role("button", name="保存进展").click()
    expect(town.get_by_test_id("milestones")).to_contain_text("现场照片.jpg")
    expect(town.get_by_test_id("item-status")).to_have_text("整改中")
    town.get_by_role("button", name="申请销号").click()
    expect(town.get_by_test_id("item-status")).to_have_text("已完成待审核")
    item = Item.objects.get(title=PROBLEMS[0])

    county.goto(f"{live_server.url}/rectification/items/{item.pk}/")
    county.get_by_label("理由").fill("佐证材料缺少入库名单")
    county.get_by_role("button", name="退回").click()
    expect(county.get_by_test_id("item-status")).to_have_text("退回")

    town.reload()
    expect(town.get_by_test_id("history")).to_contain_text("佐证材料缺少入库名单")
    town.get_by_label("日期").fill(timezone.localdate().isoformat())
    town.get_by_label("进展情况").fill("补充入库名单")
    town.get_by_role("button", name="保存进展").click()
    town.get_by_role("button", name="申请销号").click()
    expect(town.get_by_test_id("item-status")).to_have_text("已完成待审核")
    expect(town.get_by_role("button", name="同意销号")).to_have_count(0)  # never by the unit itself

    county.reload()
    county.get_by_role("button", name="同意销号").click()
    expect(county.get_by_test_id("item-status")).to_have_text("已销号")
    expect(county.get_by_test_id("item-progress")).to_have_text("100%")
    assert Evidence.objects.count() == 1
    assert all(not w.problems for w in seen)
