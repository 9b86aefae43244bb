"""In a real browser: the organiser invites the secretary of a unit that has no account, hands over
the one-time password, and the secretary can do nothing with it but choose their own; the organiser
enters another unit's report on its behalf."""

import pytest
from playwright.sync_api import expect

from shuzhi.accounts.models import User
from shuzhi.cycles.services import cycle_advance, reporters_add
from shuzhi.reports.models import Report
from shuzhi.testing.browser import has_horizontal_scroll, login, phone_page
from shuzhi.testing.cycles import county_cycle

pytestmark = pytest.mark.browser

NEW = "Dang-Jian-2025"


def test_an_invited_secretary_chooses_a_password_and_the_organiser_enters_a_report(live_server, page, browser,
                                                                                  cast):  # fmt: skip
    cycle = county_cycle(cast, open_reports=False)
    reporters_add(actor=cast.county_organiser, cycle=cycle, organizations=[cast.village_a, cast.village_a2],
                  group="乡镇街道", mode="written")  # fmt: skip
    cycle = cycle_advance(actor=cast.county_organiser, cycle=cycle)
    login(page, live_server, cast.county_organiser)
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    rows = page.get_by_test_id("reporters")
    expect(rows.get_by_test_id("no-account")).to_have_count(2)
    page.on("dialog", lambda dialog: dialog.accept())
    row = rows.locator("tr", has_text=cast.village_a.name)
    row.get_by_role("button", name="邀请书记").click()
    expect(page.get_by_role("heading", name=f"{cast.village_a.name}书记账号")).to_be_visible()
    username = page.get_by_test_id("invite-username").inner_text()
    password = page.get_by_test_id("initial-password").inner_text()

    # the other unit's report, entered by the organiser
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    expect(rows.locator("tr", has_text=cast.village_a.name).get_by_test_id("invited")).to_be_visible()
    other = rows.locator("tr", has_text=cast.village_a2.name)
    other.get_by_role("link", name="代填").click()
    expect(page.get_by_test_id("entering-on-behalf")).to_be_visible()
    page.get_by_label("履行主体责任情况").fill("由组织部根据书面材料代为录入。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible()
    report = Report.objects.get(reporter__cycle=cycle, reporter__organization=cast.village_a2)
    assert report.entered_by_id == cast.county_organiser.pk
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    expect(
        rows.locator("tr", has_text=cast.village_a2.name).get_by_test_id("entered-by-organiser")
    ).to_be_visible()

    # the secretary, on a phone, with the handed-over password
    with phone_page(browser) as phone:
        phone.goto(f"{live_server.url}/accounts/login/")
        phone.get_by_label("用户名").fill(username)
        phone.get_by_label("密码").fill(password)
        phone.get_by_role("button", name="登录").click()
        expect(phone).to_have_url(f"{live_server.url}/accounts/password/")
        phone.goto(f"{live_server.url}/reports/")
        expect(phone).to_have_url(f"{live_server.url}/accounts/password/")
        assert not has_horizontal_scroll(phone)
        phone.locator("input[name=old_password]").fill(password)
        phone.locator("input[name=new_password]").fill(NEW)
        phone.locator("input[name=new_password_again]").fill(NEW)
        phone.get_by_role("button", name="保存").click()
        expect(phone).to_have_url(f"{live_server.url}/")
        phone.goto(f"{live_server.url}/reports/")
        expect(phone.get_by_text(cycle.title).first).to_be_visible()
    assert User.objects.get(username=username).check_password(NEW)
