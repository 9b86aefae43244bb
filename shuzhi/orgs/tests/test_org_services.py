"""organization_create and organization_update: the tree's placement rules, the secretary's
place, and an audit event for every change that happened (and none for one that did not)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from shuzhi.core.models import AuditEvent
from shuzhi.orgs.models import Organization
from shuzhi.orgs.services import organization_create, organization_update


def _create(actor, parent, **overrides):
    values = {
        "name": "新建村党支部",
        "code": "C01001009",
        "kind": "branch",
        "level": "village",
        "field": "rural",
    }
    return organization_create(actor=actor, parent=parent, **{**values, **overrides})


def _messages(error, field):
    return error.value.message_dict[field]


def test_it_refuses_a_village_directly_under_a_county(cast):
    before = Organization.objects.count()

    with pytest.raises(ValidationError) as error:
        _create(cast.county_organiser, cast.county_a)

    assert _messages(error, "level") == ["“中共云州市东湖区委员会”（县区）下不能设村社区层级的党组织。"]
    assert Organization.objects.count() == before
    assert not Organization.objects.filter(code="C01001009").exists()
    assert not AuditEvent.objects.filter(action="org.create").exists()


@pytest.mark.parametrize(
    ("kind", "level"), [("branch", "village"), ("general_branch", "village"), ("branch", "institution")]
)
def test_it_refuses_any_child_under_a_branch(cast, kind, level):
    with pytest.raises(ValidationError) as error:
        _create(cast.county_organiser, cast.village_a, kind=kind, level=level)

    assert _messages(error, "parent") == ["“王庄村党支部”是党支部，下面不能再设党组织。"]
    cast.village_a.refresh_from_db()
    assert cast.village_a.numchild == 0
    assert not AuditEvent.objects.filter(action="org.create").exists()


def test_it_creates_a_child_at_the_next_path_under_its_parent_and_audits_it(cast):
    org = _create(cast.county_organiser, cast.township_a, name="赵庄村党支部")

    org = Organization.objects.get(pk=org.pk)
    # 云州市 0001, 东湖区 0001, 柳泉镇 0001, then the township's third child after 王庄村 and 李集村
    assert org.path == "0001000100010003"
    assert org.depth == 4
    assert Organization.objects.get_parent(org) == cast.township_a
    assert Organization.objects.get(pk=cast.township_a.pk).numchild == 3
    event = AuditEvent.objects.get(action="org.create")
    assert event.actor == cast.county_organiser
    assert (event.target_type, event.target_id, event.org_path) == (
        "orgs.organization",
        str(org.pk),
        org.path,
    )
    assert event.changes == {
        "after": {
            "name": "赵庄村党支部",
            "code": "C01001009",
            "kind": "branch",
            "level": "village",
            "field": "rural",
            "secretary": None,
            "secretary_id": None,
            "secretary_since": None,
        }
    }


def test_it_refuses_a_code_another_organisation_already_has(cast):
    with pytest.raises(ValidationError) as error:
        _create(cast.county_organiser, cast.township_a, code=cast.village_b.code)

    assert "code" in error.value.message_dict
    assert Organization.objects.filter(code=cast.village_b.code).count() == 1
    assert not AuditEvent.objects.filter(action="org.create").exists()


def test_an_update_records_only_the_fields_that_changed(cast):
    organization_update(
        actor=cast.county_organiser,
        org=cast.village_a,
        name="王庄村第一党支部",
        code=cast.village_a.code,
        kind="branch",
        level="village",
        field="rural",
        secretary_since=None,
    )

    assert Organization.objects.get(pk=cast.village_a.pk).name == "王庄村第一党支部"
    event = AuditEvent.objects.get(action="org.update")
    assert event.actor == cast.county_organiser
    assert event.target_id == str(cast.village_a.pk)
    assert event.changes == {"before": {"name": "王庄村党支部"}, "after": {"name": "王庄村第一党支部"}}


def test_an_update_that_changes_nothing_writes_no_audit_event(cast):
    organization_update(actor=cast.county_organiser, org=cast.village_a, name=cast.village_a.name)

    assert not AuditEvent.objects.filter(action="org.update").exists()


def test_a_member_of_a_lower_organisation_may_become_secretary(cast):
    organization_update(
        actor=cast.county_organiser,
        org=cast.township_a,
        secretary=cast.member_a2,
        secretary_since=date(2024, 5, 1),
    )

    township = Organization.objects.get(pk=cast.township_a.pk)
    assert (township.secretary, township.secretary_since) == (cast.member_a2, date(2024, 5, 1))
    event = AuditEvent.objects.get(action="org.update")
    assert event.changes == {
        "before": {
            "secretary": "李秀英",
            "secretary_id": cast.secretary_a.pk,
            "secretary_since": "2021-03-01",
        },
        "after": {"secretary": "赵晨", "secretary_id": cast.member_a2.pk, "secretary_since": "2024-05-01"},
    }


@pytest.mark.parametrize(
    ("org", "member"),
    [
        ("township_a", "member_b"),  # the neighbouring county
        ("village_a2", "member_a"),  # the village next door in the same township
        ("village_a", "member_a2"),
    ],
)
def test_it_refuses_a_secretary_from_outside_the_organisations_subtree(cast, org, member):
    org, member = getattr(cast, org), getattr(cast, member)
    secretary_before = org.secretary_id

    with pytest.raises(ValidationError) as error:
        organization_update(actor=cast.county_organiser, org=org, secretary=member)

    assert _messages(error, "secretary") == ["书记应为本组织或其下级组织的党员。"]
    assert Organization.objects.get(pk=org.pk).secretary_id == secretary_before
    assert not AuditEvent.objects.filter(action="org.update").exists()


def test_clearing_the_secretary_also_clears_the_date_they_took_office(cast):
    organization_update(actor=cast.county_organiser, org=cast.township_a, clear_secretary=True)

    township = Organization.objects.get(pk=cast.township_a.pk)
    assert (township.secretary, township.secretary_since) == (None, None)
    assert AuditEvent.objects.get(action="org.update").changes["after"] == {
        "secretary": None,
        "secretary_id": None,
        "secretary_since": None,
    }


def test_it_refuses_to_make_an_organisation_with_children_a_branch(cast):
    with pytest.raises(ValidationError) as error:
        organization_update(actor=cast.county_organiser, org=cast.township_a, kind="branch")

    assert _messages(error, "kind") == ["该组织下设有党组织，不能改为党支部。"]
    assert Organization.objects.get(pk=cast.township_a.pk).kind == "committee"
    assert not AuditEvent.objects.filter(action="org.update").exists()


def test_a_childless_committee_may_become_a_branch(cast, add_villages):
    [village] = add_villages(cast.township_a, 1)
    Organization.objects.filter(pk=village.pk).update(kind="general_branch")
    village.refresh_from_db()

    organization_update(actor=cast.county_organiser, org=village, kind="branch")

    assert Organization.objects.get(pk=village.pk).kind == "branch"


def test_it_refuses_to_change_the_level_of_an_organisation_with_children(cast):
    with pytest.raises(ValidationError) as error:
        organization_update(actor=cast.county_organiser, org=cast.township_a, level="institution")

    assert _messages(error, "level") == ["该组织下设有党组织，不能修改层级。"]
    assert Organization.objects.get(pk=cast.township_a.pk).level == "township"


def test_it_refuses_a_level_the_parent_may_not_hold(cast):
    with pytest.raises(ValidationError) as error:
        organization_update(actor=cast.county_organiser, org=cast.village_a, level="county")

    assert _messages(error, "level") == ["“中共东湖区柳泉镇委员会”（乡镇街道）下不能设县区层级的党组织。"]
    assert Organization.objects.get(pk=cast.village_a.pk).level == "village"


def test_it_refuses_a_field_it_does_not_edit(cast):
    with pytest.raises(TypeError):
        organization_update(actor=cast.county_organiser, org=cast.village_a, path="0002")

    assert Organization.objects.get(pk=cast.village_a.pk).path == cast.village_a.path


def _totals(org):
    org.refresh_from_db()
    return org.total_organizations, org.total_members, org.total_probationary


def test_subtree_totals_follow_members_joining_and_moving(cast):
    from shuzhi.members.services import member_update

    before = {org.code: _totals(org) for org in (cast.city, cast.county_a, cast.county_b, cast.township_a)}
    member_update(
        actor=cast.city_organiser,
        member=cast.member_a2,
        organization=cast.village_b,
        id_number=cast.member_a2.id_number,
        phone="",
        **{f: getattr(cast.member_a2, f) for f in ("name", "gender", "ethnicity", "birth_date", "education",
                                                    "joined_on", "full_member_on", "status", "category")},
    )  # fmt: skip
    # 赵晨 is probationary: one member and one probationary member move from 东湖区 to 西山区
    assert _totals(cast.city) == before["C"]
    assert _totals(cast.county_a) == (before["C01"][0], before["C01"][1] - 1, before["C01"][2] - 1)
    assert _totals(cast.township_a) == (before["C01001"][0], before["C01001"][1] - 1, before["C01001"][2] - 1)
    assert _totals(cast.county_b) == (before["C02"][0], before["C02"][1] + 1, before["C02"][2] + 1)


def test_a_new_organisation_counts_in_every_total_above_it(cast):
    before = [_totals(org)[0] for org in (cast.city, cast.county_a, cast.township_a)]
    organization_create(
        actor=cast.county_organiser, parent=cast.township_a, name="新建村党支部", code="C01001009",
        kind="branch", level="village", field="rural",
    )  # fmt: skip
    assert [_totals(org)[0] for org in (cast.city, cast.county_a, cast.township_a)] == [n + 1 for n in before]
    assert _totals(cast.county_b)[0] == 3
