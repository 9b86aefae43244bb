"""A date known only to its month (入党 1985-03, day never recorded) is kept as a month: typed
on the member page as 1985-03, shown as 1985-03, exported as 1985-03 (so that the export imports
back as a month), and judged by rules that refuse only what no day of the month could make right."""

from datetime import date
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuzhi.core.dates import MONTH, MonthDate
from shuzhi.core.models import AuditEvent
from shuzhi.exchange.models import ExchangeJob
from shuzhi.members import rules
from shuzhi.members.models import Member
from shuzhi.testing.factories import make_id_number
from shuzhi.testing.jobs import run_queued_jobs

BIRTH = date(1960, 3, 20)


def _form(cast, **changes):
    data = {
        "name": "孙 立", "gender": "M", "ethnicity": "汉族", "birth_date": "1960-03-20", "education": "high_school",
        "joined_on": "1985-03", "full_member_on": "1986.3", "status": "full", "category": "farmer",
        "organization_code": cast.village_a.code, "id_number_input": make_id_number(BIRTH, "M"), "phone_input": "",
    }  # fmt: skip
    return {**data, **changes}


def test_a_month_typed_on_the_member_page_is_kept_and_shown_as_a_month(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(reverse("members:create"), _form(cast))

    assert response.status_code == 302, response.context["form"].errors
    member = Member.objects.get(name="孙立")
    assert (member.joined_on, member.joined_on_precision) == (date(1985, 3, 1), MONTH)
    assert (member.full_member_on, member.full_member_on_precision) == (date(1986, 3, 1), MONTH)
    assert member.joined == MonthDate(1985, 3)
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert ">1985-03</span>" in page and ">1986-03</span>" in page and "1985-03-01" not in page
    edit = client.get(reverse("members:edit", args=[member.pk])).content.decode()
    assert 'value="1985-03"' in edit and 'value="1986-03"' in edit
    created = AuditEvent.objects.get(action="member.create")
    assert created.changes["after"]["joined_on"] == "1985-03"


def test_editing_a_month_to_its_day_keeps_the_day(client, cast):
    client.force_login(cast.county_organiser)
    client.post(reverse("members:create"), _form(cast))
    member = Member.objects.get(name="孙立")

    client.post(reverse("members:edit", args=[member.pk]), _form(cast, joined_on="1985-03-20"))

    member.refresh_from_db()
    assert (member.joined, member.joined_on_precision) == (date(1985, 3, 20), "day")


def test_a_date_that_is_neither_a_day_nor_a_month_is_refused_on_its_field(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(reverse("members:create"), _form(cast, joined_on="1985"))

    assert response.context["form"].errors == {
        "joined_on": ["只写了年份，请至少写到月，如 2021.07 或 2021-07-01。"]
    }
    assert 'value="1985"' in response.content.decode()


@pytest.mark.parametrize(
    ("joined", "refused"),
    [
        (MonthDate(1978, 2), True),  # every day of February 1978 is before the 18th birthday
        (MonthDate(1978, 3), False),  # the 20th of March 1978 may be the day: not refused
        (date(1978, 3, 19), True),
        (date(1978, 3, 20), False),
    ],
)
def test_joining_at_18_is_refused_only_when_no_day_of_the_month_could_be_right(joined, refused):
    problems = rules.member_problems(
        id_number=make_id_number(BIRTH, "M"), birth_date=BIRTH, gender="M", phone="", joined_on=joined,
        full_member_on=None, probationary=True, today=date(2026, 1, 1),
    )  # fmt: skip

    assert ("joined_on" in problems) is refused


def test_a_full_membership_in_the_month_of_joining_is_not_refused_for_a_day_nobody_knows():
    problems = rules.member_problems(
        id_number=make_id_number(BIRTH, "M"), birth_date=None, gender="", phone="", joined_on=date(1985, 3, 20),
        full_member_on=MonthDate(1985, 3), probationary=False, today=date(2026, 1, 1),
    )  # fmt: skip

    assert problems == {}


def test_a_birth_month_that_agrees_with_the_id_number_is_accepted():
    number = make_id_number(BIRTH, "M")
    same = rules.member_problems(id_number=number, birth_date=MonthDate(1960, 3), gender="", phone="",
                                 joined_on=None, full_member_on=None, probationary=False, today=date(2026, 1, 1))  # fmt: skip
    other = rules.member_problems(id_number=number, birth_date=MonthDate(1960, 4), gender="", phone="",
                                  joined_on=None, full_member_on=None, probationary=False, today=date(2026, 1, 1))  # fmt: skip

    assert same == {} and "birth_date" in other


def test_the_export_writes_a_month_as_a_month_and_it_imports_back_unchanged(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(cast.city_organiser)
    client.post(reverse("members:create"), _form(cast))
    client.post(reverse("exchange:export_members"), {})
    run_queued_jobs()
    job = ExchangeJob.objects.filter(direction="export").latest("id")
    content = client.get(reverse("exchange:download", args=[job.pk])).getvalue()
    sheet = openpyxl.load_workbook(BytesIO(content)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["孙立"][7:9] == ("1985-03", "1986-03")

    response = client.post(
        reverse("exchange:upload", args=["members"]),
        {"file": SimpleUploadedFile("名册.xlsx", content)},
    )
    run_queued_jobs()

    again = ExchangeJob.objects.latest("id")
    assert response.status_code == 302
    assert (again.status, again.unchanged_count, again.updated_count) == (
        "succeeded",
        Member.objects.count(),
        0,
    )
