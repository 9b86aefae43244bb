"""Every form page drawn the same finished way: at desk width (1366 px) and phone width (390 px)
each text box, list and file field fills its column, and nothing runs off a phone's screen."""

import io

import docx
import pytest

from shuzhi.core.roles import Role
from shuzhi.rectification.models import Item
from shuzhi.rectification.services import items_generate
from shuzhi.reports.models import Report
from shuzhi.testing.browser import has_horizontal_scroll, login, narrow_fields
from shuzhi.testing.cycles import SECTION_TEXT, county_cycle, fill, township_report
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.meetings import county_meeting
from shuzhi.testing.rectification import published_cycle

pytestmark = pytest.mark.browser

WIDTHS = ((1366, 900), (390, 844))


def _look_at(browser, live_server, user, paths, *, then=None):
    """Open each path as `user` at both widths; return what is wrong with each page."""
    wrong = []
    for width, height in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        if user is not None:
            login(page, live_server, user)
        pages = [(path, None) for path in paths] + ([("", then)] if then else [])
        for path, action in pages:
            if action:
                path = action(page)
            else:
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, (path, response.status)
            assert page.locator("main form").count(), f"{path}: no form"
            narrow = narrow_fields(page)
            if narrow:
                wrong.append(f"{path} @{width}: narrow {narrow}")
            if width < 500 and has_horizontal_scroll(page):
                wrong.append(f"{path} @{width}: scrolls sideways")
        context.close()
    return wrong


def _word(tmp_path):
    document = docx.Document()
    document.add_paragraph("一、履行主体责任情况")
    document.add_paragraph(SECTION_TEXT["duty"])
    document.add_paragraph("四、存在的问题")
    document.add_paragraph("一是村级后备干部储备不足。")
    path = tmp_path / "述职报告.docx"
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_the_forms_of_accounts_people_and_the_audit_log_fill_their_columns(live_server, browser, cast):
    org, member = cast.township_a, cast.member_a
    wrong = _look_at(browser, live_server, None, ["/accounts/login/"])
    wrong += _look_at(
        browser,
        live_server,
        cast.county_organiser,
        ["/accounts/password/", f"/orgs/{org.pk}/edit/", f"/orgs/{org.pk}/new/", "/members/",
         "/members/new/", f"/members/{member.pk}/edit/", "/exchange/", "/analytics/search/?q=党建", "/stats/"],
    )  # fmt: skip
    wrong += _look_at(
        browser, live_server, cast.sysadmin, ["/accounts/users/new/", f"/accounts/users/{cast.reviewer.pk}/"]
    )
    wrong += _look_at(browser, live_server, cast.secadmin, ["/accounts/security/"])
    wrong += _look_at(browser, live_server, cast.auditor, ["/audit/"])
    assert wrong == []


def test_the_cycle_and_report_forms_fill_their_columns(live_server, browser, cast, tmp_path):
    cycle = county_cycle(cast)
    report = township_report(cycle, cast)
    reporter = report.reporter
    wrong = _look_at(
        browser,
        live_server,
        cast.county_organiser,
        ["/cycles/new/", f"/cycles/{cycle.pk}/edit/", f"/cycles/{cycle.pk}/", f"/cycles/{cycle.pk}/reporters/add/",
         f"/cycles/{cycle.pk}/reporters/{reporter.pk}/"],
    )  # fmt: skip
    word = _word(tmp_path)

    def import_confirm(page):
        page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
        page.get_by_label("Word 文件（.docx）").set_input_files(word)
        page.get_by_role("button", name="从 Word 导入正文").click()
        page.get_by_role("heading", name="确认从 Word 导入的内容").wait_for()
        return "Word 导入确认"

    wrong += _look_at(
        browser, live_server, cast.township_secretary, [f"/reports/{report.pk}/edit/"], then=import_confirm
    )
    fill(report, cast.township_secretary)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    wrong += _look_at(browser, live_server, cast.county_organiser, [f"/reports/{report.pk}/"])
    assert wrong == []


def test_the_meeting_forms_fill_their_columns(live_server, browser, cast):
    meeting = county_meeting(cast, open_voting=False)
    voter_class = meeting.classes.first()
    wrong = _look_at(
        browser,
        live_server,
        cast.county_organiser,
        [f"/ballots/meetings/{meeting.pk}/", f"/ballots/meetings/{meeting.pk}/edit/",
         f"/ballots/meetings/{meeting.pk}/paper/{voter_class.pk}/1/", f"/ballots/meetings/{meeting.pk}/comments/"],
    )  # fmt: skip
    wrong += _look_at(browser, live_server, None, ["/v/", "/ballots/sign/"])  # a phone, no account
    assert wrong == []


def test_the_assessment_and_rectification_forms_fill_their_columns(live_server, browser, cast):
    cycle = published_cycle(cast)
    items_generate(actor=cast.county_organiser, cycle=cycle)
    item = Item.objects.filter(organization=cast.township_a).first()
    reporter = cycle.reporters.get(organization=cast.township_a)
    wrong = _look_at(
        browser,
        live_server,
        cast.county_organiser,
        [f"/assessment/cycles/{cycle.pk}/", f"/assessment/cycles/{cycle.pk}/reporters/{reporter.pk}/",
         f"/assessment/cycles/{cycle.pk}/bulletin/template/", "/rectification/accountability/",
         "/rectification/?year=2026"],
    )  # fmt: skip
    supervisor = UserFactory(role=Role.SUPERVISOR, organization=cast.city)
    wrong += _look_at(browser, live_server, supervisor, ["/rectification/supervision/"])
    wrong += _look_at(browser, live_server, cast.township_secretary, [f"/rectification/items/{item.pk}/"])
    assert wrong == []


def test_the_cycle_template_form_fills_its_columns(live_server, browser, cast):
    from datetime import timedelta

    from django.utils import timezone

    from shuzhi.cycles.services import cycle_create, cycle_offer

    today = timezone.localdate()
    template = cycle_create(actor=cast.city_organiser, year=today.year, title="云州市年度述职评议", groups=["县区"],
                            report_due=today + timedelta(days=30), meeting_on=today + timedelta(days=40))  # fmt: skip
    cycle_offer(actor=cast.city_organiser, cycle=template)
    assert _look_at(browser, live_server, cast.county_organiser, ["/cycles/templates/"]) == []
