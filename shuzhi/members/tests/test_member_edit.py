"""The edit page: it needs the whole ID number, so opening it is audited like a reveal; a member
can be moved only within the organiser's subtree."""

from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization


def _edit(member):
    return reverse("members:edit", args=[member.pk])


def _data(member, **overrides):
    data = {
        "name": member.name,
        "id_number_input": member.id_number,
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat(),
        "phone_input": member.phone,
        "education": member.education,
        "organization_code": member.organization.code,
        "joined_on": member.joined_on.isoformat(),
        "status": member.status,
        "full_member_on": member.full_member_on.isoformat() if member.full_member_on else "",
        "category": member.category,
    }
    data.update(overrides)
    return data


def _counts(org):
    org = Organization.objects.get(pk=org.pk)
    return org.member_count, org.probationary_count


def test_opening_the_form_shows_the_whole_numbers_and_is_audited_as_a_reveal(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(_edit(cast.member_a))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{cast.member_a.id_number}"' in html
    assert 'value="13800001111"' in html
    assert 'value="C01001001"' in html
    event = AuditEvent.objects.get(action="member.reveal")
    assert (event.actor, event.target_id) == (cast.county_organiser, str(cast.member_a.pk))
    assert "no-cache" in response["Cache-Control"]


def test_an_organiser_moves_a_member_to_another_village(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(_edit(cast.member_a), _data(cast.member_a, organization_code="C01001002"))

    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[cast.member_a.pk])
    member = Member.objects.get(pk=cast.member_a.pk)
    assert (member.organization, member.org_path) == (cast.village_a2, cast.village_a2.path)
    assert _counts(cast.village_a) == (1, 0)
    assert _counts(cast.village_a2) == (2, 1)
    assert AuditEvent.objects.get(action="member.update").changes["after"]["organization"] == "李集村党支部"
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


def test_a_refusal_is_shown_on_its_field_and_the_typed_values_are_kept(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(
        _edit(cast.member_a), _data(cast.member_a, gender="F", name="王建国（改）", phone_input="13899998888")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "gender": [
            "性别与身份证号不符：身份证号第17位表示男性。身份证号校验无误，请改正性别（也可不填，按身份证号确定）。"
        ]
    }
    html = response.content.decode()
    assert 'value="王建国（改）"' in html
    assert 'value="13899998888"' in html
    assert '<option value="F" selected>' in html
    member = Member.objects.get(pk=cast.member_a.pk)
    assert (member.name, member.gender, member.phone) == ("王建国", "M", "13800001111")
    assert not AuditEvent.objects.filter(action="member.update").exists()


def test_a_member_cannot_be_moved_out_of_the_organisers_county(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(_edit(cast.member_a), _data(cast.member_a, organization_code=cast.village_b.code))

    assert response.context["form"].errors == {
        "organization_code": ["在您管理的范围内没有编码为“C02001001”的党组织。"]
    }
    assert Member.objects.get(pk=cast.member_a.pk).organization == cast.village_a
    assert _counts(cast.village_b) == (1, 0)


def test_an_organiser_of_the_other_county_can_neither_open_nor_save_the_form(client, cast):
    client.force_login(cast.outsider)

    page = client.get(_edit(cast.member_a))
    post = client.post(_edit(cast.member_a), _data(cast.member_a, name="被改名"))

    assert (page.status_code, post.status_code) == (404, 404)
    assert cast.member_a.id_number not in page.content.decode()
    assert Member.objects.get(pk=cast.member_a.pk).name == "王建国"
    assert not AuditEvent.objects.filter(action__startswith="member.").exists()
