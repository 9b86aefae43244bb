"""The registration page: an organiser registers a member of an organisation in their subtree;
what the service refuses is shown on the field concerned, with what was typed kept."""

from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.members.models import Member
from shuzhi.orgs.models import Organization

CREATE = reverse("members:create")
ID_NUMBER = "110101199003071233"  # a man born 7 March 1990


def _data(**overrides):
    data = {
        "name": "钱明",
        "id_number_input": ID_NUMBER,
        "gender": "M",
        "ethnicity": "汉族",
        "birth_date": "1990-03-07",
        "phone_input": "138 1234 5678",
        "education": "bachelor",
        "organization_code": "C01001002",
        "joined_on": "2012-07-01",
        "status": "full",
        "full_member_on": "2013-07-01",
        "category": "employed",
    }
    data.update(overrides)
    return data


def _nothing_registered():
    return (
        not Member.objects.filter(name="钱明").exists()
        and not AuditEvent.objects.filter(action="member.create").exists()
    )


def test_an_organiser_registers_a_member(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(CREATE, _data())

    member = Member.objects.get(name="钱明")
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert (member.organization, member.id_number, member.phone) == (
        cast.village_a2,
        ID_NUMBER,
        "13812345678",
    )
    assert Organization.objects.get(pk=cast.village_a2.pk).member_count == 2
    assert AuditEvent.objects.get(action="member.create").actor == cast.county_organiser
    assert "已登记党员“钱明”。" in client.get(response["Location"]).content.decode()


def test_a_bad_check_character_is_shown_on_the_id_number_with_what_was_typed(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(CREATE, _data(id_number_input="110101199003071234"))

    assert response.status_code == 200
    message = "身份证号校验位不正确，请核对是否有录入错误。"
    assert response.context["form"].errors == {"id_number_input": [message]}
    html = response.content.decode()
    field = html[html.index('name="id_number_input"') :]
    assert field.index(message) < field.index('name="gender"')  # under its own field
    assert 'value="110101199003071234"' in html
    assert 'value="钱明"' in html
    assert 'value="1990-03-07"' in html
    assert _nothing_registered()


def test_a_birth_date_that_disagrees_with_the_id_number_is_shown_on_the_birth_date(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(CREATE, _data(birth_date="1990-03-08"))

    assert response.context["form"].errors == {
        "birth_date": [
            "出生日期与身份证号不符：身份证号中的出生日期是 1990-03-07。身份证号校验无误，请改正出生日期（也可不填，按身份证号确定）。"
        ]
    }
    assert 'value="1990-03-08"' in response.content.decode()
    assert _nothing_registered()


def test_an_id_number_registered_to_someone_else_is_shown_on_the_id_number(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(
        CREATE,
        _data(
            id_number_input=cast.member_b.id_number, birth_date="1970-08-08", organization_code="C01001001"
        ),
    )

    assert response.context["form"].errors == {"id_number_input": ["该身份证号已登记在另一名党员名下。"]}
    assert _nothing_registered()
    assert Organization.objects.get(pk=cast.village_a.pk).member_count == 2


def test_an_organisation_outside_the_organisers_county_is_refused(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(CREATE, _data(organization_code=cast.village_b.code))

    assert response.context["form"].errors == {
        "organization_code": ["在您管理的范围内没有编码为“C02001001”的党组织。"]
    }
    assert _nothing_registered()
    assert Organization.objects.get(pk=cast.village_b.pk).member_count == 1


def test_the_form_starts_with_the_chosen_organisation_in_the_organisers_subtree(client, cast):
    client.force_login(cast.county_organiser)

    own = client.get(CREATE, {"org": cast.village_a.pk})
    other = client.get(CREATE, {"org": cast.village_b.pk})

    assert own.context["form"].initial == {"organization_code": "C01001001"}
    assert other.context["form"].initial == {}
    assert "C02001001" not in other.content.decode()
