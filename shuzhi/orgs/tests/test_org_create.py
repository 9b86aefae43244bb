"""The create page: an organiser adds a child under an organisation in their subtree."""

from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.orgs.models import Organization


def _create(parent):
    return reverse("orgs:create", args=[parent.pk])


def _data(**overrides):
    data = {
        "name": "赵庄村党支部",
        "code": "C01001003",
        "kind": "branch",
        "level": "village",
        "field": "rural",
    }
    data.update(overrides)
    return data


def test_the_form_starts_with_the_parents_field_and_asks_nothing_about_a_secretary(client, cast):
    client.force_login(cast.county_organiser)

    response = client.get(_create(cast.township_a))

    assert response.status_code == 200
    html = response.content.decode()
    assert "在 中共东湖区柳泉镇委员会 下新建党组织" in html
    assert '<option value="rural" selected>' in html
    assert "secretary_id_number" not in html


def test_an_organiser_creates_a_child_organisation(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(_create(cast.township_a), _data())

    org = Organization.objects.get(code="C01001003")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=[org.pk])
    assert (org.name, org.kind, org.level, org.field) == ("赵庄村党支部", "branch", "village", "rural")
    assert org.path == cast.township_a.path + "0003"
    assert Organization.objects.get(pk=cast.township_a.pk).numchild == 3
    event = AuditEvent.objects.get(action="org.create")
    assert (event.actor, event.target_id) == (cast.county_organiser, str(org.pk))
    detail = client.get(response["Location"]).content.decode()
    assert "已新建党组织“赵庄村党支部”。" in detail


def test_a_level_the_parent_may_not_hold_is_shown_on_the_level_field(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(_create(cast.county_a), _data())

    assert response.status_code == 200
    message = "“中共云州市东湖区委员会”（县区）下不能设村社区层级的党组织。"
    assert response.context["form"].errors["level"] == [message]
    html = response.content.decode()
    assert message in html
    assert 'value="赵庄村党支部"' in html  # what was typed is kept
    assert not Organization.objects.filter(code="C01001003").exists()
    assert not AuditEvent.objects.filter(action="org.create").exists()


def test_nothing_can_be_created_under_a_branch(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(_create(cast.village_a), _data())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["“王庄村党支部”是党支部，下面不能再设党组织。"]
    assert "“王庄村党支部”是党支部，下面不能再设党组织。" in response.content.decode()
    assert Organization.objects.get(pk=cast.village_a.pk).numchild == 0
    assert not Organization.objects.filter(code="C01001003").exists()


def test_a_code_in_use_is_refused(client, cast):
    client.force_login(cast.county_organiser)

    response = client.post(_create(cast.township_a), _data(code=cast.village_b.code))

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert Organization.objects.filter(code=cast.village_b.code).count() == 1
    assert Organization.objects.get(pk=cast.township_a.pk).numchild == 2


def test_an_organiser_cannot_create_under_the_neighbouring_county(client, cast):
    client.force_login(cast.county_organiser)

    page = client.get(_create(cast.township_b))
    post = client.post(_create(cast.township_b), _data(code="C02001009"))

    assert (page.status_code, post.status_code) == (404, 404)
    assert not Organization.objects.filter(code="C02001009").exists()
    assert Organization.objects.get(pk=cast.township_b.pk).numchild == 1
