from datetime import date, timedelta
from io import BytesIO

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuzhi.core.models import AuditEvent, Notification
from shuzhi.lifecycle import services
from shuzhi.lifecycle.models import Departure, Transfer
from shuzhi.lifecycle.selectors import headcount_on
from shuzhi.members.models import Member
from shuzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = date.today()


def send(cast, **extra):
    values = {"actor": cast.township_secretary, "member": cast.member_a, "sent_on": TODAY - timedelta(days=3),
              "reason": "工作调动", "to_org": cast.village_b}  # fmt: skip
    values.update(extra)
    return services.transfer_send(**values)


def test_a_transfer_goes_out_in_and_is_confirmed_with_history_kept(cast):
    keeper_a = UserFactory(role="secretary", organization=cast.village_a)
    keeper_b = UserFactory(role="secretary", organization=cast.village_b)
    transfer = send(cast)
    assert transfer.status == Transfer.Status.SENT and transfer.valid_until == transfer.sent_on + timedelta(
        days=30
    )
    assert Notification.objects.filter(recipient=keeper_b, text__contains="王建国").exists()
    services.transfer_receive(
        actor=cast.city_organiser, transfer=transfer, received_on=TODAY - timedelta(days=1)
    )
    member = Member.objects.get(pk=cast.member_a.pk)
    assert member.organization == cast.village_b and member.org_path == cast.village_b.path
    receipt = Notification.objects.get(recipient=keeper_a, text__contains="已由")  # the 回执
    assert cast.village_b.name in receipt.text and transfer.letter_number in receipt.text
    cast.village_a.refresh_from_db()
    cast.village_b.refresh_from_db()
    assert (cast.village_a.member_count, cast.village_b.member_count) == (1, 2)
    services.transfer_confirm(actor=keeper_b, transfer=transfer, confirmed_on=TODAY)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CONFIRMED and transfer.from_path == cast.village_a.path
    actions = set(
        AuditEvent.objects.filter(action__startswith="lifecycle.transfer").values_list("action", flat=True)
    )
    assert actions == {"lifecycle.transfer_send", "lifecycle.transfer_receive", "lifecycle.transfer_confirm"}


def test_the_receiving_side_must_hold_the_branch(cast):
    transfer = send(cast)
    with pytest.raises(PermissionDenied):
        services.transfer_receive(actor=cast.township_secretary, transfer=transfer, received_on=TODAY)
    with pytest.raises(PermissionDenied):
        services.transfer_receive(actor=cast.county_organiser, transfer=transfer, received_on=TODAY)


def test_an_expired_letter_cannot_be_received_and_is_returned(cast):
    transfer = send(cast, sent_on=TODAY - timedelta(days=40))
    with pytest.raises(ValidationError) as error:
        services.transfer_receive(actor=cast.outsider, transfer=transfer, received_on=TODAY)
    assert "已过期" in error.value.message_dict["received_on"][0]
    assert Member.objects.get(pk=cast.member_a.pk).organization == cast.village_a
    with pytest.raises(ValidationError):
        services.transfer_return(actor=cast.outsider, transfer=transfer, note=" ")
    services.transfer_return(actor=cast.outsider, transfer=transfer, note="介绍信过期")
    assert Transfer.objects.get().status == Transfer.Status.RETURNED
    assert send(cast).status == Transfer.Status.SENT  # a new letter may be sent after a return


def test_one_open_transfer_at_a_time_and_not_to_the_same_or_a_committee(cast):
    send(cast)
    with pytest.raises(ValidationError, match="尚未办结"):
        send(cast)
    with pytest.raises(ValidationError) as error:
        send(cast, member=cast.secretary_a, to_org=cast.village_a)
    assert "现在的党支部" in error.value.message_dict["to_org"][0]
    with pytest.raises(ValidationError) as error:
        send(cast, member=cast.secretary_a, to_org=cast.township_b)
    assert "不是党支部" in error.value.message_dict["to_org"][0]


def test_a_transfer_out_of_the_platform_records_the_departure_and_the_count_as_of_a_day(cast):
    day = TODAY - timedelta(days=3)
    transfer = send(cast, to_org=None, destination="中共某省某市某局机关党支部")
    assert transfer.status == Transfer.Status.OUTSIDE
    departure = Departure.objects.get(member=cast.member_a)
    assert departure.kind == Departure.Kind.TRANSFERRED_OUT and departure.left_on == day
    assert transfer.letter_number in departure.note
    assert headcount_on(within=cast.village_a, day=day - timedelta(days=1)).total == 2
    assert headcount_on(within=cast.village_a, day=day).total == 1
    with pytest.raises(ValidationError, match="已减少"):
        send(cast, to_org=None, destination="别处")


def test_the_letter_is_a_docx_for_either_side_and_404_elsewhere(client, cast):
    transfer = send(cast)
    url = reverse("lifecycle:transfer_letter", args=[transfer.pk])
    client.force_login(cast.outsider)  # the receiving county
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = "\n".join(p.text for p in docx.Document(BytesIO(response.content)).paragraphs)
    assert (
        "组织关系介绍信" in text
        and "王建国" in text
        and "张楼村党支部" in text
        and transfer.letter_number in text
    )
    assert cast.member_a.id_number not in text
    client.force_login(cast.county_organiser)
    assert client.get(url).status_code == 200
    other = UserFactory(role="organiser", organization=cast.village_a2)  # neither side
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(cast.member_user)
    assert client.get(url).status_code == 403


def test_the_transfers_page_sends_receives_and_confirms(client, cast):
    client.force_login(cast.township_secretary)
    url_a = reverse("lifecycle:transfers", args=[cast.village_a.pk])
    response = client.post(url_a, {"action": "send", "member": cast.member_a.pk, "to_code": "NOPE",
                                   "reason": "工作调动", "sent_on": f"{TODAY:%Y-%m-%d}"})  # fmt: skip
    assert (
        "没有组织编码为“NOPE”" in response.content.decode()
        and 'value="工作调动"' in response.content.decode()
    )
    response = client.post(url_a, {"action": "send", "member": cast.member_a.pk, "to_code": cast.village_b.code,
                                   "reason": "工作调动", "sent_on": f"{TODAY:%Y-%m-%d}"})  # fmt: skip
    assert response["Location"] == url_a
    transfer = Transfer.objects.get()
    client.force_login(cast.outsider)
    url_b = reverse("lifecycle:transfers", args=[cast.village_b.pk])
    assert "王建国" in client.get(url_b).content.decode()
    assert client.get(url_a).status_code == 404
    client.post(url_b, {"action": "receive", "transfer": transfer.pk, "day": f"{TODAY:%Y-%m-%d}"})
    client.post(url_b, {"action": "confirm", "transfer": transfer.pk, "day": f"{TODAY:%Y-%m-%d}"})
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CONFIRMED
    assert client.put(url_b).status_code == 405


def test_a_viewer_without_the_right_cannot_post_on_the_transfers_page(client, cast):
    transfer = send(cast)
    viewer = UserFactory(role="reviewer", organization=cast.county_b)
    client.force_login(viewer)
    url_b = reverse("lifecycle:transfers", args=[cast.village_b.pk])
    assert client.post(url_b, {"action": "receive", "transfer": transfer.pk}).status_code == 403
    client.force_login(cast.township_secretary)
    response = client.post(reverse("lifecycle:transfers", args=[cast.village_a.pk]),
                           {"action": "receive", "transfer": transfer.pk, "day": f"{TODAY:%Y-%m-%d}"})  # fmt: skip
    assert response.status_code == 404  # the sending side sees it in its history, not as its own to receive


def test_the_transfers_page_reads_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    send(cast)
    send(cast, member=cast.secretary_a, to_org=None, destination="平台外某支部")
    send(cast, actor=cast.township_secretary, member=cast.member_a2, to_org=cast.village_b)
    client.force_login(cast.city_organiser)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("lifecycle:transfers", args=[cast.city.pk]))
    assert response.context["page"].paginator.count == 3 and len(response.context["waiting"]) == 2
