"""A NUL character in any text a person sends (a form field, a query string, a cookie, a file's
name) never reaches the database, which on PostgreSQL refuses it with a server error: it is
removed on the way in, and an address that holds one is refused with a Chinese message.

Runs on both databases (`make test` and the PostgreSQL pass); on SQLite the same requests must
store the cleaned text, not the NUL.
"""

from datetime import date, timedelta

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuzhi.accounts.forms import LoginForm, UserForm
from shuzhi.ballots.models import Ballot
from shuzhi.core.forms import AuditFilterForm
from shuzhi.core.middleware import NulCharacterMiddleware
from shuzhi.cycles.forms import CycleForm
from shuzhi.exchange.models import ExchangeJob
from shuzhi.members.forms import MemberFilterForm, MemberForm
from shuzhi.members.models import Member
from shuzhi.orgs.forms import OrganizationForm, OrgSearchForm
from shuzhi.reports.forms import SectionsForm
from shuzhi.reports.models import Report
from shuzhi.testing.cycles import county_cycle, township_report
from shuzhi.testing.factories import make_id_number
from shuzhi.testing.meetings import all_grades, county_meeting, tokens
from shuzhi.testing.sheets import MEMBER_HEADERS, member_row, xlsx

WITH_NUL = st.builds(
    lambda before, after: f"{before}\x00{after}",
    st.text(max_size=12),
    st.text(max_size=12),
)
FUZZ = settings(
    max_examples=5,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def text_fields(form) -> list[str]:
    """The form's text inputs a person types into (hidden ones included: they are sent too)."""
    fields = form.base_fields if isinstance(form, type) else form.fields
    return [name for name, field in fields.items() if isinstance(field, forms.CharField)]


def _assert_answered(response) -> None:
    assert response.status_code < 500, response.status_code


@pytest.fixture
def member_page_data(cast):
    return {
        "gender": "M", "ethnicity": "汉族", "birth_date": "1985-04-12", "education": "bachelor",
        "joined_on": "2010-07-01", "full_member_on": "2011-07-01", "status": "full", "category": "employed",
        "organization_code": cast.village_a.code, "id_number_input": make_id_number(date(1985, 4, 12), "M"),
    }  # fmt: skip


@FUZZ
@given(value=WITH_NUL)
def test_every_text_field_of_the_member_and_organisation_pages_takes_a_nul(
    client, cast, member_page_data, value
):
    client.force_login(cast.county_organiser)
    for field in text_fields(MemberFilterForm):
        _assert_answered(client.get(reverse("members:list"), {field: value}))
    for field in text_fields(OrgSearchForm):
        _assert_answered(client.get(reverse("orgs:tree"), {field: value}))
    for field in text_fields(MemberForm(viewer=cast.county_organiser)):
        data = {**member_page_data, "name": "孙立", field: value}
        _assert_answered(client.post(reverse("members:create"), data))
    org_form = OrganizationForm(instance=cast.village_a)
    for field in text_fields(org_form):
        data = {"name": "王庄村党支部", "code": cast.village_a.code, "kind": "branch", "level": "village",
                "field": "rural", field: value}  # fmt: skip
        _assert_answered(client.post(reverse("orgs:edit", args=[cast.village_a.pk]), data))
    assert not any("\x00" in name for name in Member.objects.values_list("name", flat=True))


@FUZZ
@given(value=WITH_NUL)
def test_every_text_field_of_the_account_and_audit_pages_takes_a_nul(client, cast, value):
    client.logout()
    for field in text_fields(LoginForm):
        data = {"username": "organiser", "password": "wrong-password", field: value}
        _assert_answered(client.post(reverse("accounts:login"), data))
    client.force_login(cast.sysadmin)
    for field in text_fields(UserForm(viewer=cast.sysadmin)):
        data = {"username": "someone", "full_name": "某人", "role": "organiser",
                "organization_code": cast.city.code, field: value}  # fmt: skip
        _assert_answered(client.post(reverse("accounts:user_create"), data))
    _assert_answered(client.get(reverse("accounts:user_list"), {"q": value, "role": value}))
    client.force_login(cast.auditor)
    for field in text_fields(AuditFilterForm):
        _assert_answered(client.get(reverse("core:audit_list"), {field: value}))


@pytest.fixture
def cycle(cast):
    return county_cycle(cast)


@FUZZ
@given(value=WITH_NUL)
def test_every_text_field_of_the_cycle_and_report_pages_takes_a_nul(client, cast, cycle, value):
    report = township_report(cycle, cast)
    client.force_login(cast.county_organiser)
    today = timezone.localdate()
    for field in text_fields(CycleForm):
        data = {
            "year": today.year + 1, "title": "东湖区年度述职评议", "groups": "乡镇街道",
            "report_due": today + timedelta(days=10), "meeting_on": today + timedelta(days=15),
            "components": "现场测评 100", "points_good": 95, "points_fair_good": 85, "points_fair": 70,
            "points_poor": 50, "line_good": 90, "line_fair_good": 80, "line_fair": 60, "good_quota_percent": 30,
            field: value,
        }  # fmt: skip
        _assert_answered(client.post(reverse("cycles:create"), data))
    _assert_answered(client.get(reverse("cycles:detail", args=[cycle.pk]), {"q": value, "status": value}))
    client.force_login(cast.township_secretary)
    for field in text_fields(SectionsForm()):
        _assert_answered(client.post(reverse("reports:edit", args=[report.pk]), {field: value}))
    assert "\x00" not in "".join(str(v) for v in Report.objects.get(pk=report.pk).sections.values())


def test_a_nul_in_a_ballot_suggestion_is_removed_and_the_ballot_counts(client, cast):
    meeting = county_meeting(cast, allow_suggestion=True)
    token = tokens(meeting, "区委常委")[0]
    data = {f"grade_{reporter}": grade for reporter, grade in all_grades(meeting).items()}

    response = client.post(reverse("ballots:vote", args=[token]), {**data, "suggestion": "a\x00b"})

    assert response.status_code == 302
    assert Ballot.objects.filter(meeting=meeting).count() == 1


def test_a_nul_in_an_address_is_refused_in_chinese(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get("/v/abc%00def/")

    assert response.status_code == 400
    assert "网址中含有不可见的空字符" in response.content.decode()


def test_a_session_cookie_with_a_nul_is_dropped_and_the_person_asked_to_log_in(client, cast):
    client.cookies["sessionid"] = "abc\x00def"

    response = client.get(reverse("members:list"))

    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_uploaded_file_name_loses_its_nul(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(cast.county_organiser)
    content = xlsx(
        [member_row("孙立", make_id_number(date(1985, 4, 12), "M"), "C01001001")], headers=MEMBER_HEADERS
    )

    response = client.post(
        reverse("exchange:upload", args=["members"]), {"file": SimpleUploadedFile("名\x00册.xlsx", content)}
    )

    assert response.status_code == 302
    assert ExchangeJob.objects.get().original_name == "名册.xlsx"


def test_keys_and_every_value_of_a_repeated_field_are_cleaned():
    request = RequestFactory().post("/x/?a%00=1&b=2%00&b=3", {"c\x00": ["x\x00", "y"], "d": "plain"})
    seen = {}

    def view(request):
        seen.update(get=request.GET.lists(), post=request.POST.lists())
        return None

    NulCharacterMiddleware(view)(request)

    assert list(seen["get"]) == [("a", ["1"]), ("b", ["2", "3"])]
    assert list(seen["post"]) == [("c", ["x", "y"]), ("d", ["plain"])]
