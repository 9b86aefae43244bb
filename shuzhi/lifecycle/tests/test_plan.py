"""发展党员计划: set by the level above, achieved from who was admitted in the year, rolled up."""

from datetime import date

import pytest
from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.lifecycle.models import Plan
from shuzhi.lifecycle.tests.training_helpers import candidate
from shuzhi.members.models import Member
from shuzhi.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def plan_url(org, year):
    return reverse("lifecycle:plan", args=[org.pk]) + f"?year={year}"


def test_the_county_sets_a_townships_plan_and_sees_it_against_who_was_admitted(client, cast):
    admitted = candidate(cast, until="approval")  # 25 years old, a man, 在职, in a village branch
    year = admitted.member.joined_on.year
    Member.objects.filter(pk=cast.member_a2.pk).update(joined_on=date(year - 3, 7, 1))  # not this year
    client.force_login(cast.county_organiser)
    data = {"organization": cast.township_a.pk, "total": 3, "young": 2, "women": 1, "frontline": 0,
            "fields_text": f"{cast.village_a.get_field_display()}=2"}  # fmt: skip
    response = client.post(plan_url(cast.county_a, year), data)
    assert response.status_code == 302
    plan = Plan.objects.get(organization=cast.township_a, year=year)
    assert (plan.total, plan.young, plan.fields) == (3, 2, {cast.village_a.field: 2})
    page = client.get(plan_url(cast.county_a, year))
    rows = {row.org: row for row in page.context["rows"]}
    township = rows[cast.township_a]
    assert (township.achieved.total, township.achieved.young, township.achieved.women) == (1, 1, 0)
    assert township.gap("total") == 2 and township.gap("young") == 1 and township.gap("women") == 1
    assert township.field_cells([cast.village_a.field]) == [(2, 1)]
    assert rows[cast.county_a].achieved.total == 1 and rows[cast.county_a].plan is None
    assert "3 / 1 / " in page.content.decode()
    assert "已下达到下级的计划合计 3 人。" in page.content.decode()
    # an edit is audited with what it was
    client.post(plan_url(cast.county_a, year), data | {"total": 4})
    event = AuditEvent.objects.filter(action="lifecycle.plan_set").order_by("-seq").first()
    assert event.changes["before"]["total"] == 3 and event.changes["after"]["total"] == 4
    # the year before: nobody admitted, no plan
    before = client.get(plan_url(cast.county_a, year - 1)).context["rows"]
    assert all(row.achieved.total == 0 and row.plan is None for row in before)


def test_a_plan_with_parts_larger_than_the_whole_is_refused(client, cast):
    client.force_login(cast.county_organiser)
    data = {"organization": cast.township_a.pk, "total": 2, "young": 3, "women": 0, "frontline": 0,
            "fields_text": "农村=5"}  # fmt: skip
    response = client.post(plan_url(cast.county_a, 2026), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "35岁以下 3 人多于发展总数 2 人。" in page and "各领域合计 5 人多于发展总数 2 人。" in page
    bad_field = client.post(plan_url(cast.county_a, 2026), data | {"young": 0, "fields_text": "田里=1"})
    assert "应写成“领域=人数”" in bad_field.content.decode()
    assert not Plan.objects.exists()


def test_only_the_level_above_sets_a_plan_and_other_subtrees_are_hidden(client, cast):
    data = {"organization": cast.village_a.pk, "total": 1, "young": 0, "women": 0, "frontline": 0}
    client.force_login(cast.township_secretary)  # a secretary sees the table, sets nothing
    assert client.get(plan_url(cast.township_a, 2026)).status_code == 200
    assert client.post(plan_url(cast.township_a, 2026), data).status_code == 403
    client.force_login(cast.county_organiser)  # its own plan comes from the city
    own = client.post(plan_url(cast.county_a, 2026), data | {"organization": cast.county_a.pk})
    assert own.status_code == 200 and "organization" in own.context["form"].errors
    client.force_login(cast.outsider)
    assert client.get(plan_url(cast.county_a, 2026)).status_code == 404
    client.force_login(cast.member_user)
    assert client.get(plan_url(cast.village_a, 2026)).status_code == 403
    assert not Plan.objects.exists()
    client.force_login(cast.city_organiser)
    assert (
        client.post(plan_url(cast.city, 2026), data | {"organization": cast.county_a.pk}).status_code == 302
    )
    assert Plan.objects.get().organization == cast.county_a


def test_members_entered_without_a_pipeline_record_count_for_the_year_they_joined(client, cast):
    """Members imported or entered on the roster (no 发展党员 record) joined in the year count as
    achieved, with the pipeline's own; one who has left since still counts for that year."""
    admitted = candidate(cast, until="approval")
    year = admitted.member.joined_on.year
    Member.objects.filter(pk=cast.member_a2.pk).update(joined_on=date(year - 3, 7, 1))
    woman = MemberFactory(name="周敏", organization=cast.village_a2, gender=Member.Gender.FEMALE,
                          birth_date=date(year - 40, 2, 1), joined_on=date(year, 3, 1), full_member_on=None,
                          status=Member.Status.PROBATIONARY, category=Member.Category.FARMER)  # fmt: skip
    left = MemberFactory(name="吴刚", organization=cast.village_a, birth_date=date(year - 30, 2, 1),
                         joined_on=date(year, 9, 1), full_member_on=None, status=Member.Status.PROBATIONARY)  # fmt: skip
    Member.objects.filter(pk=left.pk).update(left_on=date(year + 1, 1, 5))
    MemberFactory(
        name="郑强",
        organization=cast.village_b,
        joined_on=date(year, 5, 1),
        full_member_on=date(year + 1, 5, 1),
    )  # another county
    MemberFactory(
        name="冯军",
        organization=cast.village_a,
        joined_on=date(year - 1, 12, 31),
        full_member_on=date(year, 12, 31),
    )  # the year before
    client.force_login(cast.county_organiser)
    rows = {row.org: row for row in client.get(plan_url(cast.county_a, year)).context["rows"]}
    county, township = rows[cast.county_a], rows[cast.township_a]
    assert county.achieved.total == township.achieved.total == 3  # the admitted one, 周敏 and 吴刚
    assert township.achieved.women == 1 and township.achieved.young == 2  # 25 and 30; 周敏 is 40
    assert woman.organization_id == cast.village_a2.pk
