"""A township secretary files a member's scans from the 基层党建 menu, on a 1366 px screen and on
a phone: a bad file is refused in Chinese, a good one fills its entry, and the last required
one makes the file complete on the member's page and on the branch's roll-up; a wrong scan is
removed again after a confirm."""

import re

import pytest
from playwright.sync_api import expect

from shuzhi.dossiers import services
from shuzhi.dossiers.models import ChecklistItem
from shuzhi.dossiers.tests.test_files import FULL, PDF, scan
from shuzhi.testing.browser import has_horizontal_scroll, login, open_area, open_phone_menu, phone_page, watch

pytestmark = pytest.mark.browser


def _journey(page, live_server, cast, *, tap: bool, tmp_path) -> None:
    act = (lambda locator: locator.tap()) if tap else (lambda locator: locator.click())
    seen = watch(page, live_server)
    login(page, live_server, cast.township_secretary)
    if tap:
        open_phone_menu(page)
    open_area(page, "党员档案", tap=tap)
    expect(page.get_by_role("heading", name=cast.township_a.name)).to_be_visible()
    expect(page.get_by_test_id("tally-complete")).to_have_text("0")
    assert not has_horizontal_scroll(page)
    act(page.get_by_test_id("rollup").get_by_role("link", name="王庄村党支部"))
    act(page.get_by_test_id("gaps").get_by_role("link", name="王建国"))
    expect(page.get_by_test_id("file-state")).to_have_text("档案不全")
    assert not has_horizontal_scroll(page)

    bad = tmp_path / "自传.pdf"
    bad.write_bytes(b"MZ\x90\x00 not a pdf")
    page.get_by_label("档案材料").select_option(label="自传")
    page.get_by_label("扫描件（PDF 或图片，可多选）").set_input_files(bad)
    act(page.get_by_role("button", name="上传"))
    expect(page.get_by_test_id("scan-form")).to_contain_text("“自传.pdf”")
    assert not has_horizontal_scroll(page)

    # everything but the 转正 approval filed already; the last one through the page
    for code in FULL[:-1]:
        services.scans_upload(actor=cast.township_secretary, member=cast.member_a,
                              item=ChecklistItem.objects.get(code=code), files=[scan()])  # fmt: skip
    good = tmp_path / "转正审批.pdf"
    good.write_bytes(PDF)
    page.reload()
    expect(page.get_by_test_id("entry-conversion_approval")).to_contain_text("缺")
    page.get_by_label("档案材料").select_option(value=str(ChecklistItem.objects.get(code=FULL[-1]).pk))
    page.get_by_label("扫描件（PDF 或图片，可多选）").set_input_files(good)
    act(page.get_by_role("button", name="上传"))
    expect(page.get_by_role("alert")).to_contain_text("已为王建国上传")
    expect(page.get_by_test_id("file-state")).to_have_text("档案齐全")
    expect(page.get_by_test_id("entry-conversion_approval")).to_contain_text("转正审批.pdf")
    assert not has_horizontal_scroll(page)
    act(page.get_by_role("link", name="王庄村党支部"))
    expect(page.get_by_test_id("tally-complete")).to_have_text("1")
    expect(page.get_by_test_id("tally-share")).to_have_text("50.0%")
    for here, path in (("能人储备库", "/talents/"), ("到社区报到", "/community/")):
        act(page.get_by_role("link", name=here, exact=True))
        expect(page).to_have_url(re.compile(path))
        expect(page.get_by_role("heading", name="王庄村党支部")).to_be_visible()
        assert not has_horizontal_scroll(page), here
    act(page.get_by_role("link", name="档案材料目录", exact=True))
    expect(page.get_by_test_id("checklist-conversion_approval")).to_contain_text("正式党员必备")
    assert not has_horizontal_scroll(page)
    # the last scan was the wrong one: removed from the member's page, after a confirm
    page.goto(f"{live_server.url}/files/members/{cast.member_a.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    act(page.get_by_test_id("entry-conversion_approval").get_by_role("button", name="删除"))
    expect(page.get_by_role("alert")).to_contain_text("已删除王建国的扫描件“转正审批.pdf”")
    expect(page.get_by_test_id("file-state")).to_have_text("档案不全")
    expect(page.get_by_test_id("entry-conversion_approval")).to_contain_text("缺")
    assert not has_horizontal_scroll(page)
    assert not seen.problems, seen.problems


def test_a_secretary_completes_a_file_on_a_wide_screen(live_server, browser, cast, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    try:
        _journey(context.new_page(), live_server, cast, tap=False, tmp_path=tmp_path)
    finally:
        context.close()


def test_a_secretary_completes_a_file_on_a_phone(live_server, browser, cast, tmp_path):
    with phone_page(browser) as page:
        _journey(page, live_server, cast, tap=True, tmp_path=tmp_path)
