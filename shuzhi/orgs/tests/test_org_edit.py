"""The edit page: an organiser renames an organisation and names its secretary by ID number;
the number is looked up only within the organisation's own subtree."""

from datetime import date

from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.orgs.models import Organization

NOT_IN_SUBTREE = "本组织及下级组织中没有该身份证号的党员。"


def _edit(org):
    return reverse("orgs:edit", args=[org.pk])


def _data(org, **overrides):
    data = {
        "name": org.name,
        "code": org.code,
        "kind": org.kind,
        "level": org.level,
        "field": org.field,
        "secretary_since": org.secretary_since.isoformat() if org.secretary_since else "",
        "secretary_id_number": "",
    }
    data.update(overrides)
    return data


def test_the_form_names_the_current_secretary(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(_edit(cast.township_a))

    assert response.status_code == 200
    html = response.content.decode()
    assert "现任书记：李秀英。" in html
    assert 'value="2021-03-01"' in html
    # the secretary's ID number is not put in the form
    assert cast.secretary_a.id_number not in html


def test_an_organiser_names_the_secretary_by_their_id_number(client, cast):
    client.force_login(cast.county_organiser)
    typed = " " + cast.member_a.id_number.lower() + " "  # as people type it

    response = client.post(
        _edit(cast.village_a), _data(cast.village_a, secretary_id_number=typed, secretary_since="2024-01-15")
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=[cast.village_a.pk])
    village = Organization.objects.get(pk=cast.village_a.pk)
    assert (village.secretary, village.secretary_since) == (cast.member_a, date(2024, 1, 15))
    event = AuditEvent.objects.get(action="org.update")
    assert event.actor == cast.county_organiser
    assert event.changes["after"] == {
        "secretary": "王建国",
        "secretary_id": cast.member_a.pk,
        "secretary_since": "2024-01-15",
    }
    assert cast.member_a.id_number not in str(event.changes)
    detail = client.get(response["Location"]).content.decode()
    assert "已保存。" in detail
    assert "2024年1月任职" in detail


def test_an_unknown_id_number_is_a_field_error_and_changes_nothing(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(
        _edit(cast.township_a), _data(cast.township_a, name="改名", secretary_id_number="110101199003071233")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["secretary_id_number"] == [NOT_IN_SUBTREE]
    assert NOT_IN_SUBTREE in response.content.decode()
    township = Organization.objects.get(pk=cast.township_a.pk)
    assert (township.name, township.secretary) == ("中共东湖区柳泉镇委员会", cast.secretary_a)
    assert not AuditEvent.objects.filter(action="org.update").exists()


def test_a_member_elsewhere_is_not_found_and_not_told_apart_from_a_stranger(client, cast):
    client.force_login(cast.county_organiser)

    neighbour = client.post(
        _edit(cast.township_a), _data(cast.township_a, secretary_id_number=cast.member_b.id_number)
    )
    next_door = client.post(
        _edit(cast.village_a2), _data(cast.village_a2, secretary_id_number=cast.member_a.id_number)
    )

    assert neighbour.context["form"].errors["secretary_id_number"] == [NOT_IN_SUBTREE]
    assert next_door.context["form"].errors["secretary_id_number"] == [NOT_IN_SUBTREE]
    assert Organization.objects.get(pk=cast.township_a.pk).secretary == cast.secretary_a
    assert Organization.objects.get(pk=cast.village_a2.pk).secretary is None


def test_ticking_vacant_clears_the_secretary(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(_edit(cast.township_a), _data(cast.township_a, secretary_vacant="on"))

    assert response.status_code == 302
    township = Organization.objects.get(pk=cast.township_a.pk)
    assert (township.secretary, township.secretary_since) == (None, None)
    assert AuditEvent.objects.get(action="org.update").changes["before"]["secretary"] == "李秀英"


def test_leaving_the_id_number_blank_keeps_the_secretary(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(
        _edit(cast.township_a), _data(cast.township_a, name="中共东湖区柳泉镇委员会（新）")
    )

    assert response.status_code == 302
    township = Organization.objects.get(pk=cast.township_a.pk)
    assert (township.name, township.secretary) == ("中共东湖区柳泉镇委员会（新）", cast.secretary_a)
    assert AuditEvent.objects.get(action="org.update").changes == {
        "before": {"name": "中共东湖区柳泉镇委员会"},
        "after": {"name": "中共东湖区柳泉镇委员会（新）"},
    }


def test_the_service_refusal_shows_on_the_field_it_concerns(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(_edit(cast.township_a), _data(cast.township_a, kind="branch"))

    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == ["该组织下设有党组织，不能改为党支部。"]
    assert Organization.objects.get(pk=cast.township_a.pk).kind == "committee"
    assert not AuditEvent.objects.filter(action="org.update").exists()


def test_a_code_that_another_organisation_has_is_refused(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(_edit(cast.village_a), _data(cast.village_a, code=cast.village_a2.code))

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert Organization.objects.get(pk=cast.village_a.pk).code == "C01001001"


def test_an_organiser_cannot_edit_the_neighbouring_county(client, cast):
    client.force_login(cast.county_organiser)

    page = client.get(_edit(cast.village_b))
    post = client.post(_edit(cast.village_b), _data(cast.village_b, name="被改名"))

    assert (page.status_code, post.status_code) == (404, 404)
    assert Organization.objects.get(pk=cast.village_b.pk).name == "张楼村党支部"
    assert not AuditEvent.objects.filter(action="org.update").exists()
