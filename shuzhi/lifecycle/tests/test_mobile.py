from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuzhi.core.models import AuditEvent, Notification
from shuzhi.lifecycle import services
from shuzhi.lifecycle.models import MobileActivity, MobileRecord
from shuzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = date.today()


def register(cast, **extra):
    values = {"actor": cast.township_secretary, "member": cast.member_a, "place": "江苏省苏州市某电子厂",
              "certificate_number": "LD2026001", "contact": "138 0000 1234", "left_on": TODAY - timedelta(days=60),
              "inflow_org": cast.village_b}  # fmt: skip
    values.update(extra)
    return services.mobile_register(**values)


def test_both_sides_see_the_member_and_the_inflow_side_records_participation(client, cast):
    keeper_b = UserFactory(role="secretary", organization=cast.village_b)
    record = register(cast)
    assert record.contact == "13800001234" and record.outflow_org == cast.village_a
    assert Notification.objects.filter(recipient=keeper_b, text__contains="流动党员王建国").exists()
    client.force_login(cast.county_organiser)  # outflow side
    assert (
        "江苏省苏州市某电子厂"
        in client.get(reverse("lifecycle:mobile", args=[cast.county_a.pk])).content.decode()
    )
    client.force_login(cast.outsider)  # inflow side
    url_b = reverse("lifecycle:mobile", args=[cast.village_b.pk])
    page = client.get(url_b).content.decode()
    assert "王建国" in page and "LD2026001" in page and "138****1234" in page
    client.post(
        url_b, {"action": "activity", "record": record.pk, "day": f"{TODAY:%Y-%m-%d}", "what": "主题党日"}
    )
    assert MobileActivity.objects.get(record=record).what == "主题党日"
    assert "参加活动 1 次" in client.get(url_b).content.decode()


def test_only_the_inflow_side_records_participation(cast):
    record = register(cast)
    with pytest.raises(PermissionDenied):
        services.mobile_activity_record(
            actor=cast.township_secretary, record=record, held_on=TODAY, what="党课"
        )
    outside = register(cast, member=cast.secretary_a, certificate_number="LD2026002", inflow_org=None)
    with pytest.raises(PermissionDenied):
        services.mobile_activity_record(actor=cast.outsider, record=outside, held_on=TODAY, what="党课")


def test_out_of_contact_members_are_listed_and_can_be_found_again(client, cast):
    record = register(cast)
    services.mobile_contact_set(
        actor=cast.township_secretary, record=record, lost_since=TODAY - timedelta(days=10)
    )
    client.force_login(cast.county_organiser)
    url = reverse("lifecycle:mobile", args=[cast.county_a.pk])
    assert "王建国" in client.get(url, {"lost": "1"}).content.decode()
    services.mobile_contact_set(actor=cast.outsider, record=record, lost_since=None)
    assert "王建国" not in client.get(url, {"lost": "1"}).content.decode()
    assert AuditEvent.objects.filter(action="lifecycle.mobile_contact").count() == 2


def test_a_registration_is_checked_field_by_field(cast):
    with pytest.raises(ValidationError) as error:
        register(cast, contact="123", place=" ", certificate_number="")
    found = error.value.message_dict
    assert set(found) == {"contact", "place", "certificate_number"}
    register(cast)
    with pytest.raises(ValidationError, match="尚未返回"):
        register(cast, certificate_number="LD2026009")
    with pytest.raises(ValidationError) as error:
        register(cast, member=cast.secretary_a, certificate_number="LD2026001")
    assert "已使用" in error.value.message_dict["certificate_number"][0]
    with pytest.raises(ValidationError) as error:
        register(
            cast, member=cast.secretary_a, certificate_number="LD2026003", left_on=TODAY + timedelta(days=1)
        )
    assert "left_on" in error.value.message_dict
    assert MobileRecord.objects.count() == 1


def test_the_outflow_side_closes_the_record_when_the_member_is_back(cast):
    record = register(cast)
    with pytest.raises(PermissionDenied):
        services.mobile_return(actor=cast.outsider, record=record, returned_on=TODAY)
    services.mobile_return(actor=cast.township_secretary, record=record, returned_on=TODAY)
    with pytest.raises(ValidationError, match="已办结"):
        services.mobile_contact_set(actor=cast.township_secretary, record=record, lost_since=TODAY)
    assert register(cast, certificate_number="LD2026010").pk  # may go out again


def test_the_mobile_page_registers_keeps_typed_input_and_guards_roles(client, cast):
    client.force_login(cast.township_secretary)
    url = reverse("lifecycle:mobile", args=[cast.village_a.pk])
    data = {"action": "register", "member": cast.member_a.pk, "place": "苏州", "inflow_code": "NOPE",
            "certificate_number": "LD1", "contact": "13800001234", "left_on": f"{TODAY:%Y-%m-%d}"}  # fmt: skip
    response = client.post(url, data)
    assert "没有组织编码为“NOPE”" in response.content.decode() and 'value="LD1"' in response.content.decode()
    response = client.post(url, {**data, "inflow_code": cast.village_b.code})
    assert response["Location"] == url and MobileRecord.objects.get().inflow_org == cast.village_b
    client.force_login(cast.member_user)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(role="organiser", organization=cast.village_a2))
    assert client.get(url).status_code == 404
    client.force_login(cast.county_organiser)
    assert client.patch(url).status_code == 405


def test_the_mobile_page_reads_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    register(cast)
    register(cast, member=cast.secretary_a, certificate_number="LD2", inflow_org=None)
    register(cast, member=cast.member_a2, certificate_number="LD3")
    client.force_login(cast.city_organiser)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("lifecycle:mobile", args=[cast.city.pk]))
    assert response.context["page"].paginator.count == 3
