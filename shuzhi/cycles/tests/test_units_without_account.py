"""A reporting unit whose secretary has no account does not block the cycle: the organiser invites
the secretary (a one-time password under the account rules) or enters the report on its behalf."""

import io

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuzhi.accounts.models import User
from shuzhi.core.models import AuditEvent
from shuzhi.cycles.models import Cycle
from shuzhi.cycles.services import cycle_advance, reporters_add
from shuzhi.reports.models import Report
from shuzhi.reports.services import report_submit
from shuzhi.testing.cycles import SECTION_TEXT, county_cycle

NEW = "Dang-Jian-2025"


def _cycle_with_a_unit_without_account(cast, *, open_reports=True) -> Cycle:
    cycle = county_cycle(cast, open_reports=False)
    reporters_add(actor=cast.county_organiser, cycle=cycle, organizations=[cast.village_a], group="乡镇街道",
                  mode="written")  # fmt: skip
    if open_reports:
        cycle = cycle_advance(actor=cast.county_organiser, cycle=cycle)
    return cycle


def _reporter(cycle, cast):
    return cycle.reporters.select_related("secretary").get(organization=cast.village_a)


def test_a_unit_without_a_secretary_account_is_added_and_the_cycle_opens(client, cast):
    cycle = _cycle_with_a_unit_without_account(cast)
    assert cycle.status == Cycle.Status.REPORTS_OPEN
    holder = _reporter(cycle, cast).secretary
    assert holder.role == "secretary" and holder.organization == cast.village_a
    assert not holder.has_usable_password() and holder.is_unclaimed
    assert AuditEvent.objects.filter(action="user.create_placeholder", actor=cast.county_organiser).exists()
    client.force_login(cast.county_organiser)
    page = client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert 'data-testid="no-account"' in page and "邀请书记" in page and "代填" in page


def test_the_organiser_invites_the_secretary_who_must_choose_a_password(client, cast):
    cycle = _cycle_with_a_unit_without_account(cast)
    reporter = _reporter(cycle, cast)
    client.force_login(cast.county_organiser)
    response = client.post(reverse("cycles:reporter_invite", args=[cycle.pk, reporter.pk]))
    assert response.status_code == 200 and "只显示这一次" in response.content.decode()
    password, username = response.context["password"], response.context["account"].username
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="user.invite")
    assert event.actor == cast.county_organiser and password not in str(event.changes)
    client.logout()
    assert (
        client.post(reverse("accounts:login"), {"username": username, "password": password}).status_code
        == 302
    )
    # the one-time password does nothing but let its holder choose their own
    assert client.get(reverse("reports:mine"))["Location"] == reverse("accounts:password_change")
    client.post(reverse("accounts:password_change"),
                {"old_password": password, "new_password": NEW, "new_password_again": NEW})  # fmt: skip
    assert client.get(reverse("reports:mine")).status_code == 200
    # once the holder has signed in, the organiser can neither invite again nor enter the report
    client.force_login(cast.county_organiser)
    client.post(reverse("cycles:reporter_invite", args=[cycle.pk, reporter.pk]), follow=True)
    assert User.objects.get(username=username).check_password(NEW)
    report = Report.objects.get(reporter=reporter)
    assert client.get(reverse("reports:edit", args=[report.pk])).status_code == 403


def test_only_the_cycles_organiser_invites_and_only_unclaimed_accounts(client, cast):
    cycle = _cycle_with_a_unit_without_account(cast)
    reporter = _reporter(cycle, cast)
    township = cycle.reporters.get(organization=cast.township_a)
    for user in (cast.outsider, cast.township_secretary, cast.sysadmin, cast.reviewer, cast.city_organiser):
        client.force_login(user)
        response = client.post(reverse("cycles:reporter_invite", args=[cycle.pk, reporter.pk]))
        assert response.status_code in (403, 404)
    assert not AuditEvent.objects.filter(action="user.invite").exists()
    client.force_login(cast.county_organiser)
    # the township's secretary holds their account: no password can be issued for it here
    response = client.post(reverse("cycles:reporter_invite", args=[cycle.pk, township.pk]), follow=True)
    assert (
        "已由本人登录使用" in response.content.decode() or "不能再发放初始密码" in response.content.decode()
    )
    assert not AuditEvent.objects.filter(action="user.invite").exists()
    assert client.get(reverse("cycles:reporter_invite", args=[cycle.pk, reporter.pk])).status_code == 405


def test_the_organiser_enters_a_report_on_behalf_marked_and_audited(client, cast):
    cycle = _cycle_with_a_unit_without_account(cast)
    report = Report.objects.get(reporter=_reporter(cycle, cast))
    client.force_login(cast.county_organiser)
    edit = client.get(reverse("reports:edit", args=[report.pk]))
    assert edit.status_code == 200 and 'data-testid="entering-on-behalf"' in edit.content.decode()
    data = dict(SECTION_TEXT)
    response = client.post(reverse("reports:edit", args=[report.pk]), data)
    assert response.status_code in (200, 302)
    report.refresh_from_db()
    assert report.entered_by == cast.county_organiser
    assert report.sections.get("duty") == SECTION_TEXT["duty"]
    assert (
        AuditEvent.objects.filter(action="report.enter_on_behalf", actor=cast.county_organiser).count() == 1
    )
    detail = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'data-testid="entered-by-organiser"' in detail and "组织部代填" in detail
    page = client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert 'data-testid="entered-by-organiser"' in page


def test_no_one_else_enters_the_report_of_a_unit_without_account(client, cast):
    cycle = _cycle_with_a_unit_without_account(cast)
    report = Report.objects.get(reporter=_reporter(cycle, cast))
    own = Report.objects.get(reporter__organization=cast.township_a, reporter__cycle=cycle)
    client.force_login(cast.county_organiser)
    # a unit whose secretary holds an account is never entered by the organiser
    assert client.get(reverse("reports:edit", args=[own.pk])).status_code == 403
    for user in (cast.township_secretary, cast.city_organiser, cast.reviewer):
        client.force_login(user)
        assert client.get(reverse("reports:edit", args=[report.pk])).status_code in (403, 404)
        client.post(reverse("reports:edit", args=[report.pk]), {"duty": "篡改"})
    report.refresh_from_db()
    assert report.entered_by is None and report.sections.get("duty", "") == ""


def test_the_organiser_uploads_a_word_report_on_behalf_and_submits_it(client, cast):
    document = docx.Document()
    for heading, text in (("一、履行党建工作第一责任人职责情况", SECTION_TEXT["duty"]),):
        document.add_paragraph(heading)
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    cycle = _cycle_with_a_unit_without_account(cast)
    report = Report.objects.get(reporter=_reporter(cycle, cast))
    client.force_login(cast.county_organiser)
    upload = SimpleUploadedFile("王庄村述职报告.docx", buffer.getvalue())
    page = client.post(reverse("reports:import", args=[report.pk]), {"file": upload})
    assert page.status_code == 200
    client.post(reverse("reports:import_apply", args=[report.pk]),
                {**SECTION_TEXT, "problems": "村级后备干部储备不足。"})  # fmt: skip
    report.refresh_from_db()
    assert report.entered_by == cast.county_organiser and report.sections["duty"] == SECTION_TEXT["duty"]
    report_submit(actor=cast.county_organiser, report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    submitted = AuditEvent.objects.filter(target_id=str(report.pk), actor=cast.county_organiser)
    assert submitted.filter(action="report.enter_on_behalf").count() == 1
