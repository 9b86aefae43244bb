"""A member's record: the ID number and phone masked on the page; whole only on an audited reveal,
for an organiser above the member or the member themself."""

import json
from datetime import date

import pytest
from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.members.models import Member
from shuzhi.testing.factories import MemberFactory

ID_NUMBER = "110101199003071233"  # a man born 7 March 1990; check character 3
ID_MASKED = "110***********1233"
PHONE = "13812345678"
PHONE_MASKED = "138****5678"
REVEAL_BUTTON = "查看完整信息"


@pytest.fixture
def member(cast):
    """A member of 王庄村 with a known ID number and phone."""
    return MemberFactory(
        name="钱明",
        organization=cast.village_a,
        birth_date=date(1990, 3, 7),
        id_number=ID_NUMBER,
        phone=PHONE,
        joined_on=date(2012, 7, 1),
        full_member_on=date(2013, 7, 1),
    )


def _detail(member):
    return reverse("members:detail", args=[member.pk])


def _reveal(member):
    return reverse("members:reveal", args=[member.pk])


def _reveals():
    return AuditEvent.objects.filter(action="member.reveal")


@pytest.mark.parametrize("viewer", ["city_organiser", "county_organiser", "township_secretary"])
def test_the_page_shows_the_id_number_and_phone_only_masked(client, cast, member, viewer):
    client.force_login(getattr(cast, viewer))

    response = client.get(_detail(member))

    assert response.status_code == 200
    html = response.content.decode()
    assert ID_NUMBER not in html
    assert PHONE not in html
    assert f'data-testid="id-number">{ID_MASKED}</dd>' in html
    assert f'data-testid="phone">{PHONE_MASKED}</dd>' in html
    assert not _reveals().exists()


def test_a_member_sees_their_own_record_masked_until_they_ask(client, cast):
    client.force_login(cast.member_user)

    html = client.get(_detail(cast.member_a)).content.decode()

    assert cast.member_a.id_number not in html
    assert "13800001111" not in html
    assert "138****1111" in html
    assert REVEAL_BUTTON in html


def test_only_those_who_may_reveal_are_offered_the_button(client, cast, member):
    client.force_login(cast.county_organiser)
    organiser = client.get(_detail(member)).content.decode()
    client.force_login(cast.township_secretary)
    secretary = client.get(_detail(member)).content.decode()

    assert REVEAL_BUTTON in organiser
    assert REVEAL_BUTTON not in secretary


def test_an_organisers_reveal_shows_the_whole_numbers_and_is_audited_once(client, cast, member):
    client.force_login(cast.county_organiser)

    response = client.post(_reveal(member))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="id-number">{ID_NUMBER}</dd>' in html
    assert f'data-testid="phone">{PHONE}</dd>' in html
    assert REVEAL_BUTTON not in html
    assert "no-cache" in response["Cache-Control"]
    [event] = _reveals()
    assert event.actor == cast.county_organiser
    assert (event.target_type, event.target_id, event.org_path) == (
        "members.member",
        str(member.pk),
        member.org_path,
    )
    assert event.changes == {"fields": ["id_number", "phone"]}
    stored = json.dumps(event.changes, ensure_ascii=False) + event.target_repr
    assert ID_NUMBER not in stored
    assert PHONE not in stored


def test_a_secretary_may_not_reveal_and_leaves_no_trace(client, cast, member):
    client.force_login(cast.township_secretary)

    response = client.post(_reveal(member))

    assert response.status_code == 403
    assert ID_NUMBER not in response.content.decode()
    assert not _reveals().exists()


def test_a_secretary_may_reveal_their_own_record(client, cast):
    client.force_login(cast.township_secretary)

    response = client.post(_reveal(cast.secretary_a))

    assert response.status_code == 200
    assert cast.secretary_a.id_number in response.content.decode()
    assert _reveals().get().actor == cast.township_secretary


def test_a_member_may_reveal_their_own_record(client, cast):
    client.force_login(cast.member_user)

    response = client.post(_reveal(cast.member_a))

    assert response.status_code == 200
    html = response.content.decode()
    assert cast.member_a.id_number in html
    assert "13800001111" in html
    event = _reveals().get()
    assert (event.actor, event.target_id) == (cast.member_user, str(cast.member_a.pk))


def test_a_member_cannot_reveal_or_even_see_another_member(client, cast):
    client.force_login(cast.member_user)

    assert client.get(_detail(cast.secretary_a)).status_code == 404
    assert client.post(_reveal(cast.secretary_a)).status_code == 404
    assert not _reveals().exists()


def test_an_organiser_cannot_reveal_a_member_of_the_other_county(client, cast):
    client.force_login(cast.county_organiser)

    detail = client.get(_detail(cast.member_b))
    reveal = client.post(_reveal(cast.member_b))

    assert (detail.status_code, reveal.status_code) == (404, 404)
    assert "张伟" not in reveal.content.decode()
    assert not _reveals().exists()


def test_an_htmx_reveal_returns_only_the_personal_data_fragment(client, cast, member):
    client.force_login(cast.city_organiser)

    response = client.post(_reveal(member), headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<dl class="row mb-0" id="personal" data-testid="personal">')
    assert "<html" not in html
    assert "钱明" not in html  # nothing of the page around it
    assert ID_NUMBER in html
    assert PHONE in html
    assert _reveals().count() == 1


def test_each_reveal_is_audited_anew(client, cast, member):
    client.force_login(cast.city_organiser)

    client.post(_reveal(member))
    client.post(_reveal(member), headers={"HX-Request": "true"})

    assert _reveals().count() == 2


def test_the_page_shows_the_record(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(_detail(cast.member_a2))

    html = response.content.decode()
    assert "赵晨" in html
    assert '<span class="badge text-bg-warning">预备党员</span>' in html
    assert f'<a href="{reverse("orgs:detail", args=[cast.village_a2.pk])}">李集村党支部</a>' in html
    assert Member.objects.get(pk=cast.member_a2.pk).status == "probationary"


def test_my_record_is_the_members_own(client, cast):
    client.force_login(cast.member_user)

    response = client.get(reverse("members:me"))

    assert response.status_code == 200
    assert response.context["member"] == cast.member_a


def test_my_record_explains_when_the_account_has_no_member_linked(client, cast):
    cast.member_user.member = None
    cast.member_user.save()
    client.force_login(cast.member_user)

    response = client.get(reverse("members:me"))

    assert response.status_code == 200
    assert "您的账号还没有关联党员档案" in response.content.decode()
    assert client.get(_detail(cast.member_a)).status_code == 404
