"""Signing in and out in a real browser: the login form, the lockout, the logout on a phone, and the
Content-Security-Policy holding on every page of a session."""

import pytest
from axes.models import AccessAttempt
from playwright.sync_api import expect

from shuzhi.core.models import AuditEvent
from shuzhi.testing.browser import login, open_phone_menu, phone_page, watch
from shuzhi.testing.factories import PASSWORD

pytestmark = pytest.mark.browser


def _submit_login(page, username: str, password: str) -> None:
    """Fill and send the login form, and wait for the answer to replace the page."""
    password_field = page.get_by_label("密码")
    page.get_by_label("用户名").fill(username)
    password_field.fill(password)
    page.get_by_role("button", name="登录").click()
    # the form never echoes a password, so an empty field means the answer has arrived
    expect(password_field).to_have_value("")


def test_a_user_logs_in_and_lands_on_the_home_page_with_their_name_and_role(live_server, page, cast):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("county_org")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="您好，区委组织部")).to_be_visible()
    expect(page.get_by_text("中共云州市东湖区委员会 · 组织部 · 工作台", exact=True)).to_be_visible()
    expect(page.get_by_test_id("whoami")).to_have_text("区委组织部 · 组织部 · 中共云州市东湖区委员会")
    assert AuditEvent.objects.filter(action="auth.login", actor=cast.county_organiser).count() == 1


def test_a_wrong_password_shows_a_chinese_error_and_stays_on_the_login_page(live_server, page, cast):
    page.goto(f"{live_server.url}/accounts/login/")
    _submit_login(page, "county_org", "not-the-password")

    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_test_id("whoami")).to_have_count(0)
    assert AccessAttempt.objects.get(username="county_org").failures_since_start == 1
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_logging_out_from_the_collapsed_menu_on_a_phone_returns_to_the_login_page(live_server, browser, cast):
    with phone_page(browser) as page:
        login(page, live_server, cast.county_organiser)
        logout = page.get_by_role("button", name="退出")
        expect(logout).to_be_hidden()

        open_phone_menu(page)
        logout.tap()

        expect(page).to_have_url(f"{live_server.url}/accounts/login/")
        expect(page.get_by_role("button", name="登录")).to_be_visible()
        # the session is gone: a page that needs it sends the visitor back to the login form
        page.goto(f"{live_server.url}/orgs/")
        expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/orgs/")
    assert AuditEvent.objects.filter(action="auth.logout", actor=cast.county_organiser).count() == 1


def test_after_five_wrong_passwords_the_account_is_locked_even_for_the_right_password(
    live_server, page, cast
):
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(4):
        _submit_login(page, "county_org", "not-the-password")
        expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    _submit_login(page, "county_org", "not-the-password")
    expect(page.get_by_test_id("lockout")).to_contain_text("账号已锁定")

    _submit_login(page, "county_org", PASSWORD)

    expect(page.get_by_test_id("lockout")).to_contain_text("账号已锁定")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_test_id("whoami")).to_have_count(0)
    assert AccessAttempt.objects.get(username="county_org").failures_since_start >= 5
    assert AuditEvent.objects.filter(
        action="auth.locked_out", target_id=str(cast.county_organiser.pk)
    ).exists()
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_every_page_of_a_session_keeps_to_its_own_origin_without_csp_errors(live_server, page, cast):
    seen = watch(page, live_server)

    login(page, live_server, cast.county_organiser)
    page.get_by_role("link", name="党组织", exact=True).click()
    page.get_by_role("button", name="展开 中共东湖区柳泉镇委员会").click()  # htmx GET
    page.get_by_role("link", name="王庄村党支部").click()
    page.get_by_role("link", name="查看党员").click()
    page.get_by_role("link", name="王建国").click()
    page.get_by_role("button", name="查看完整信息").click()  # htmx POST
    expect(page.get_by_test_id("id-number")).to_have_text(cast.member_a.id_number)

    # the vendored scripts ran under the policy
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("typeof bootstrap") == "object"
    # the policy is really there, and strict, on every page the test looked at
    documents = [response for response in seen.responses if response.request.resource_type == "document"]
    assert len(documents) >= 6
    for response in documents:
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, response.url
    assert not [problem for problem in seen.problems if "Content Security Policy" in problem]
    assert seen.problems == []
    assert seen.foreign_requests == []
    assert len(seen.requests) > len(documents)  # stylesheets and scripts were asked for too
