from datetime import date, timedelta

import pytest
from django.urls import reverse

from shuzhi.lifecycle.models import Applicant, Departure, StepRecord
from shuzhi.lifecycle.tests.helpers import pdf, start, walk
from shuzhi.members.models import Member
from shuzhi.testing.factories import make_id_number

pytestmark = pytest.mark.django_db


def board(org):
    return reverse("lifecycle:board", args=[org.pk])


def test_the_index_sends_each_viewer_to_their_own_board(client, cast):
    client.force_login(cast.county_organiser)
    assert client.get(reverse("lifecycle:index"))["Location"] == board(cast.county_a)
    client.force_login(cast.member_user)
    assert client.get(reverse("lifecycle:index")).status_code == 403


def test_the_board_shows_the_subtree_by_stage_and_nothing_outside_it(client, cast):
    start(actor=cast.township_secretary, org=cast.village_a, applied_on=date(2025, 3, 3), name="孙立新")
    other = start(actor=cast.city_organiser, org=cast.village_b, applied_on=date(2025, 3, 3), name="周边人",
                  birth=date(1990, 2, 2))  # fmt: skip
    client.force_login(cast.county_organiser)
    response = client.get(board(cast.county_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "孙立新" in page and "周边人" not in page and "已超期" in page
    assert [c.count for c in response.context["counts"]] == [1, 0, 0, 0, 0]
    assert client.get(reverse("lifecycle:applicant", args=[other.pk])).status_code == 404
    assert client.get(board(cast.county_b)).status_code == 404
    assert client.get(board(cast.county_a) + "?stage=activist").context["page"].paginator.count == 0


@pytest.mark.parametrize("who", ["member_user", "reviewer", "sysadmin", "auditor"])
def test_people_without_the_pipeline_get_403(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(board(cast.village_a)).status_code == 403


def test_wrong_methods_get_405_and_strangers_log_in(client, cast):
    assert client.get(board(cast.village_a))["Location"].startswith(reverse("accounts:login"))
    client.force_login(cast.county_organiser)
    assert client.post(board(cast.village_a)).status_code == 405
    assert client.post(reverse("lifecycle:headcount", args=[cast.village_a.pk])).status_code == 405
    assert client.delete(reverse("lifecycle:applicant_new", args=[cast.village_a.pk])).status_code == 405


def test_the_board_reads_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    for i in range(12):
        start(actor=cast.township_secretary, org=cast.village_a if i % 2 else cast.village_a2,
              applied_on=date(2025, 3, 3), name=f"人员{i}", birth=date(1990, 1, 1) + timedelta(days=i))  # fmt: skip
    client.force_login(cast.county_organiser)
    with django_assert_max_num_queries(12):
        response = client.get(board(cast.county_a))
    assert response.context["page"].paginator.count == 12


def test_a_secretary_registers_an_applicant_from_the_page(client, cast):
    client.force_login(cast.township_secretary)
    url = reverse("lifecycle:applicant_new", args=[cast.village_a.pk])
    assert client.get(url).status_code == 200
    data = {"name": "孙立新", "id_number": make_id_number(date(1999, 4, 4), "M"), "phone": "13812345678",
            "ethnicity": "汉族", "education": "bachelor", "category": "employed", "applied_on": "2025-03-03",
            "files": pdf()}  # fmt: skip
    response = client.post(url, data)
    person = Applicant.objects.get()
    assert response["Location"] == reverse("lifecycle:applicant", args=[person.pk])
    assert StepRecord.objects.get(applicant=person).documents.count() == 1


def test_a_refused_application_keeps_what_was_typed_and_says_why(client, cast):
    client.force_login(cast.township_secretary)
    url = reverse("lifecycle:applicant_new", args=[cast.village_a.pk])
    data = {"name": "小刘", "id_number": make_id_number(date(2010, 4, 4), "M"), "ethnicity": "汉族",
            "education": "high_school", "category": "student", "applied_on": "2025-03-03"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "年满十八周岁" in page and 'value="小刘"' in page and 'value="2025-03-03"' in page
    assert not Applicant.objects.exists()


def test_an_application_to_a_committee_is_refused_on_the_page(client, cast):
    client.force_login(cast.county_organiser)
    data = {"name": "孙立新", "id_number": make_id_number(date(1999, 4, 4), "M"), "ethnicity": "汉族",
            "education": "bachelor", "category": "employed", "applied_on": "2025-03-03"}  # fmt: skip
    response = client.post(reverse("lifecycle:applicant_new", args=[cast.township_a.pk]), data)
    assert "不是党支部" in response.content.decode()


def test_outsiders_cannot_register_in_a_branch_they_do_not_hold(client, cast):
    client.force_login(cast.outsider)
    assert client.get(reverse("lifecycle:applicant_new", args=[cast.village_a.pk])).status_code == 404


def test_the_next_step_is_recorded_from_the_person_page_and_a_refusal_is_shown(client, cast):
    person = start(actor=cast.township_secretary, org=cast.village_a, applied_on=date(2025, 3, 3))
    url = reverse("lifecycle:applicant", args=[person.pk])
    client.force_login(cast.township_secretary)
    response = client.post(url, {"done_on": "2025-05-01"})
    assert response.status_code == 200 and "逾期原因" in response.content.decode()
    assert 'value="2025-05-01"' in response.content.decode()
    response = client.post(url, {"done_on": "2025-03-20", "files": pdf("谈话记录.pdf")})
    assert response["Location"] == url
    person.refresh_from_db()
    assert person.next_step.code == "recommend"
    document = StepRecord.objects.get(applicant=person, step__code="talk").documents.get()
    download = client.get(reverse("lifecycle:document", args=[person.pk, document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(cast.outsider)
    assert client.get(reverse("lifecycle:document", args=[person.pk, document.pk])).status_code == 404


def test_the_person_page_shows_two_people_fields_for_the_contacts_step(client, cast):
    person = start(actor=cast.township_secretary, org=cast.village_a, applied_on=date(2023, 3, 6))
    person = walk(person, actor=cast.township_secretary, until="activist_filed")
    client.force_login(cast.township_secretary)
    response = client.get(reverse("lifecycle:applicant", args=[person.pk]))
    assert "培养联系人（一）" in response.content.decode()
    response = client.post(reverse("lifecycle:applicant", args=[person.pk]),
                           {"done_on": f"{person.last_done_on:%Y-%m-%d}", "person1": "王建国"})  # fmt: skip
    assert "须填写两名不同的人员" in response.content.decode()


def test_a_viewer_above_sees_the_person_but_may_not_post_without_the_right(client, cast):
    from shuzhi.testing.factories import UserFactory

    person = start(actor=cast.township_secretary, org=cast.village_a, applied_on=date(2025, 3, 3))
    clerk_like = UserFactory(role="secretary", organization=cast.village_b)
    client.force_login(clerk_like)
    assert client.get(reverse("lifecycle:applicant", args=[person.pk])).status_code == 404
    client.force_login(cast.city_organiser)
    assert client.get(reverse("lifecycle:applicant", args=[person.pk])).status_code == 200


def test_a_departure_is_recorded_and_the_headcount_follows_the_day(client, cast):
    client.force_login(cast.township_secretary)
    url = reverse("lifecycle:departures", args=[cast.village_a.pk])
    response = client.post(url, {"member": cast.member_a.pk, "kind": "died", "left_on": "2025-08-01"})
    assert response["Location"] == url
    departure = Departure.objects.get()
    assert departure.member == cast.member_a and Member.objects.filter(pk=cast.member_a.pk).exists()
    assert "王建国" in client.get(url).content.decode()
    count = reverse("lifecycle:headcount", args=[cast.village_a.pk])
    assert client.get(count, {"day": "2025-07-31"}).context["counted"].total == 2
    assert client.get(count, {"day": "2025-08-01"}).context["counted"].total == 1
    assert client.get(count, {"day": "1999-01-01"}).context["counted"].total == 1  # 王建国 joined in 1995
    response = client.post(url, {"member": cast.member_a.pk, "kind": "died", "left_on": "2025-08-02"})
    assert response.status_code == 200 and Departure.objects.count() == 1


def test_a_departure_needs_its_grounds_and_a_probationary_member_for_cancellation(client, cast):
    client.force_login(cast.township_secretary)
    url = reverse("lifecycle:departures", args=[cast.village_a.pk])
    response = client.post(url, {"member": cast.member_a.pk, "kind": "expelled", "left_on": "2025-08-01"})
    assert "处理依据" in response.content.decode()
    response = client.post(url, {"member": cast.member_a.pk, "kind": "probation_cancelled", "left_on": "2025-08-01",
                                 "note": "组织决定"})  # fmt: skip
    assert "不能取消预备党员资格" in response.content.decode()
    assert not Departure.objects.exists()


def test_a_departure_cannot_be_recorded_by_a_viewer_without_the_right_or_outside(client, cast):
    client.force_login(cast.outsider)
    url = reverse("lifecycle:departures", args=[cast.village_a.pk])
    assert (
        client.post(url, {"member": cast.member_a.pk, "kind": "died", "left_on": "2025-08-01"}).status_code
        == 404
    )
    client.force_login(cast.county_organiser)
    response = client.post(reverse("lifecycle:departures", args=[cast.village_a2.pk]),
                           {"member": cast.member_a.pk, "kind": "died", "left_on": "2025-08-01"})  # fmt: skip
    assert response.status_code == 200 and "member" in response.context["form"].errors
    assert not Departure.objects.exists()
