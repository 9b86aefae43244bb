"""An organiser looks up members on a phone: filter the list, open a record, reveal an ID number."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from shuzhi.core.models import AuditEvent
from shuzhi.members.models import Member
from shuzhi.testing.browser import has_horizontal_scroll, login, open_phone_menu, phone_page
from shuzhi.testing.factories import MemberFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def people(cast):
    """The cast, plus an older probationary member and a young full member in the same branch,
    so that neither the status nor the age range alone picks out 赵晨."""
    today = date.today()
    MemberFactory(
        name="孙立",
        organization=cast.village_a2,
        birth_date=date(1976, 4, 20),
        status=Member.Status.PROBATIONARY,
        joined_on=cast.member_a2.joined_on,
        full_member_on=None,
    )
    MemberFactory(
        name="周敏",
        organization=cast.village_a2,
        birth_date=date(today.year - 26, 2, 3),
        joined_on=date(today.year - 5, 7, 1),
        full_member_on=date(today.year - 4, 7, 1),
    )
    return cast


@pytest.fixture
def phone(browser):
    with phone_page(browser) as page:
        yield page


def _names(page):
    return page.get_by_test_id("member-table").locator("tbody tr td:first-child")


def test_on_a_phone_an_organiser_filters_members_by_status_and_age(live_server, phone, people):
    login(phone, live_server, people.county_organiser)
    open_phone_menu(phone)
    phone.get_by_role("navigation").get_by_role("link", name="党员", exact=True).tap()
    expect(phone).to_have_url(f"{live_server.url}/members/")
    expect(_names(phone)).to_have_count(5)
    # the order is the database's collation; who is listed is the point
    assert sorted(_names(phone).all_inner_texts()) == sorted(["王建国", "李秀英", "赵晨", "孙立", "周敏"])
    assert not has_horizontal_scroll(phone)

    phone.get_by_label("党员状态").select_option(label="预备党员")
    phone.get_by_label("年龄下限").fill("20")
    phone.get_by_label("年龄上限").fill("30")
    phone.get_by_role("button", name="筛选").tap()

    expect(phone).to_have_url(re.compile(r"/members/\?.*status=probationary.*&min_age=20&max_age=30"))
    expect(_names(phone)).to_have_text(["赵晨"])
    expect(phone.get_by_label("党员状态")).to_have_value("probationary")
    assert not has_horizontal_scroll(phone)


def test_on_a_phone_revealing_an_id_number_swaps_it_in_and_leaves_an_audit_event(live_server, phone, people):
    member = people.member_a2
    login(phone, live_server, people.county_organiser)
    phone.goto(f"{live_server.url}/members/?status=probationary&min_age=20&max_age=30")

    phone.get_by_role("link", name="赵晨").tap()

    expect(phone).to_have_url(f"{live_server.url}/members/{member.pk}/")
    id_number = phone.get_by_test_id("id-number")
    masked = member.id_number[:3] + "*" * 11 + member.id_number[-4:]
    expect(id_number).to_have_text(masked)
    expect(phone.get_by_test_id("phone")).not_to_have_text(member.phone)
    assert not has_horizontal_scroll(phone)
    assert not AuditEvent.objects.filter(action="member.reveal").exists()

    with phone.expect_response(f"{live_server.url}/members/{member.pk}/reveal/") as answer:
        phone.get_by_role("button", name="查看完整信息").tap()

    expect(id_number).to_have_text(member.id_number)
    expect(phone.get_by_test_id("phone")).to_have_text(member.phone)
    expect(phone.get_by_role("button", name="查看完整信息")).to_have_count(0)
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(phone).to_have_url(f"{live_server.url}/members/{member.pk}/")
    assert not has_horizontal_scroll(phone)
    event = AuditEvent.objects.get(action="member.reveal")
    assert event.actor == people.county_organiser
    assert (event.target_type, event.target_id) == ("members.member", str(member.pk))
    assert event.changes == {"fields": ["id_number", "phone"]}
