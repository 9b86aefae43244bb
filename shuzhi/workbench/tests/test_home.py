"""The home page as each role sees it: its counts, the lists they link to, and nothing of another
subtree."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shuzhi.core.roles import Role
from shuzhi.rectification.models import Item
from shuzhi.reports.models import Report
from shuzhi.testing.cycles import county_cycle, fill, township_report
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.rectification import published_cycle
from shuzhi.weakorgs.models import Entry

pytestmark = pytest.mark.django_db


def figure(html: str, testid: str) -> tuple[str, str]:
    """The (link, value) of the figure with this test id."""
    found = re.search(rf'href="([^"]*)" data-testid="{testid}">([^<]*)<', html)
    assert found, f"no figure {testid}"
    return found.group(1).replace("&amp;", "&"), found.group(2).strip()


def test_a_visitor_is_sent_to_sign_in_and_the_page_takes_only_get(client, cast):
    assert client.get("/")["Location"].startswith(reverse("accounts:login"))
    client.force_login(cast.county_organiser)
    assert client.post("/").status_code == 405


def test_the_organiser_sees_the_cycle_with_late_reports_linking_to_the_late_list(client, cast):
    today = timezone.localdate()
    cycle = county_cycle(cast, due=today + timedelta(days=3))
    cycle.__class__.objects.filter(pk=cycle.pk).update(report_due=today - timedelta(days=1))
    client.force_login(cast.county_organiser)

    html = client.get("/").content.decode()

    assert "述职评议 · 述职报告撰写" in html
    assert figure(html, "reporters")[1] == "1"
    link, late = figure(html, "late")
    assert late == "1"
    late_list = client.get(link)
    assert late_list.status_code == 200 and "中共东湖区柳泉镇委员会" in late_list.content.decode()
    assert figure(html, "meeting-create")[0] == reverse("ballots:meeting_create", args=[cycle.pk])


def test_a_submitted_report_waits_for_review_and_its_link_lists_it(client, cast):
    cycle = county_cycle(cast)
    report = fill(township_report(cycle, cast), cast.township_secretary)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    client.force_login(cast.county_organiser)

    html = client.get("/").content.decode()

    link, waiting = figure(html, "to-review")
    assert waiting == "1" and figure(html, "late")[1] == "0"
    assert "中共东湖区柳泉镇委员会" in client.get(link).content.decode()


def test_the_organiser_sees_overdue_rectification_and_the_link_shows_only_those_units(client, cast):
    cycle = published_cycle(cast)
    from shuzhi.rectification.services import items_generate

    items_generate(actor=cast.county_organiser, cycle=cycle)
    item = Item.objects.filter(cycle=cycle, parent__isnull=True).first()
    Item.objects.filter(pk=item.pk).update(status=Item.Status.OVERDUE)
    client.force_login(cast.county_organiser)

    html = client.get("/").content.decode()

    link, overdue = figure(html, "rect-overdue")
    assert overdue == "1"
    board = client.get(link).content.decode()
    assert 'data-testid="status-filter"' in board and "中共东湖区柳泉镇委员会" in board
    assert figure(html, "results")[1] in ("公示中", "已确定")


def test_weak_organisations_without_a_plan_link_to_the_filtered_list(client, cast):
    year = timezone.localdate().year
    Entry.objects.create(
        organization=cast.village_a,
        org_path=cast.village_a.path,
        year=year,
        reason="班子软弱",
        added_by=cast.county_organiser,
    )
    Entry.objects.create(
        organization=cast.village_a2, org_path=cast.village_a2.path, year=year, reason="班子软弱",
        added_by=cast.county_organiser,
        problems="问题", measures="措施", deadline=timezone.localdate(), responsible_leader="张三",
    )  # fmt: skip
    client.force_login(cast.county_organiser)

    link, count = figure(client.get("/").content.decode(), "weak-noplan")

    assert count == "1"
    listed = client.get(link).content.decode()
    assert "王庄村党支部" in listed and "李集村党支部" not in listed


def test_an_organiser_of_another_county_sees_none_of_these_counts(client, cast):
    cycle = county_cycle(cast)
    Report.objects.filter(reporter__cycle=cycle).update(status=Report.Status.SUBMITTED)
    Entry.objects.create(
        organization=cast.village_a,
        org_path=cast.village_a.path,
        year=timezone.localdate().year,
        reason="班子软弱",
        added_by=cast.county_organiser,
    )
    client.force_login(cast.outsider)

    html = client.get("/").content.decode()

    assert "本单位还没有述职评议周期" in html
    assert figure(html, "weak-noplan")[1] == "0"
    assert figure(html, "rect-overdue")[1] == "0"
    assert "柳泉镇" not in html


def test_the_secretary_sees_the_report_its_deadline_and_the_result_once_published(client, cast):
    cycle = county_cycle(cast)
    client.force_login(cast.township_secretary)

    html = client.get("/").content.decode()
    link, status = figure(html, "report-status")
    assert status == "未开始" and figure(html, "report-due")[1] == cycle.report_due.isoformat()
    assert client.get(link).status_code == 200
    assert 'data-testid="card-result"' not in html


def test_the_secretary_sees_the_published_grade_and_the_rectification_items(client, cast):
    cycle = published_cycle(cast)
    from shuzhi.rectification.services import items_generate

    items_generate(actor=cast.county_organiser, cycle=cycle)
    client.force_login(cast.township_secretary)

    html = client.get("/").content.decode()

    from shuzhi.core.models import Notification

    told = Notification.objects.get(recipient=cast.township_secretary, text__contains="考核结果已公布")
    link, grade = figure(html, "my-grade")
    assert told.link == link
    assert grade in ("好", "较好", "一般", "差")
    assert client.get(link).status_code == 200
    opened = Item.objects.filter(organization=cast.township_a, parent__isnull=True).count()
    assert opened and figure(html, "rect-open")[1] == str(opened)


def test_the_reviewer_is_shown_meetings_to_comment_on(client, cast):
    from shuzhi.testing.meetings import county_meeting

    meeting = county_meeting(cast)
    reviewer = UserFactory(username="county_reviewer", role=Role.REVIEWER, organization=cast.county_a)
    client.force_login(reviewer)

    link, _on = figure(client.get("/").content.decode(), f"meeting-{meeting.pk}")

    assert link == reverse("ballots:comments", args=[meeting.pk])
    assert client.get(link).status_code == 200


def test_each_administrator_has_their_one_job(client, cast):
    client.force_login(cast.secadmin)
    assert figure(client.get("/").content.decode(), "locked")[0] == reverse("accounts:locked_list")
    client.force_login(cast.auditor)
    assert figure(client.get("/").content.decode(), "verify")[0] == reverse("core:audit_verify")
    client.force_login(cast.sysadmin)
    assert figure(client.get("/").content.decode(), "users")[0] == reverse("accounts:user_list")


def test_a_member_lands_on_their_own_record(client, cast):
    client.force_login(cast.member_user)
    html = client.get("/").content.decode()
    assert figure(html, "my-record")[0] == reverse("members:me")
    assert figure(html, "my-meetings")[0] == reverse("records:mine")


@pytest.mark.parametrize(
    ("who", "queries"),
    [
        ("county_organiser", 8),
        ("township_secretary", 6),
        ("reviewer", 3),
        ("member_user", 3),
        ("secadmin", 3),
        ("auditor", 3),
    ],
)
def test_each_role_costs_a_fixed_number_of_queries(client, cast, django_assert_num_queries, who, queries):
    published_cycle(cast)
    client.force_login(getattr(cast, who))
    client.get("/")  # the session's first write
    with django_assert_num_queries(queries):
        assert client.get("/").status_code == 200


def test_the_supervision_office_sees_the_quarters_units_to_check(client, cast):
    from shuzhi.rectification.services import items_generate
    from shuzhi.testing.projects import supervisor

    cycle = published_cycle(cast)
    items_generate(actor=cast.county_organiser, cycle=cycle)
    client.force_login(supervisor(cast.county_a))

    html = client.get("/").content.decode()

    link, unchecked = figure(html, "unchecked")
    assert unchecked == "1" and client.get(link).status_code == 200
    assert figure(html, "unrated")[1] == "0"
