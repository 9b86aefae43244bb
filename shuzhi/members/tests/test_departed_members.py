"""Members who left (退党, 死亡, 转出 …) stay on record but off the roster and out of the counts."""

from datetime import date

import pytest
from django.urls import reverse

from shuzhi.orgs.models import Organization

pytestmark = pytest.mark.django_db


def _leave(client, cast, member, *, kind="died", day="2025-08-01"):
    client.force_login(cast.township_secretary)
    url = reverse("lifecycle:departures", args=[member.organization_id])
    response = client.post(url, {"member": member.pk, "kind": kind, "left_on": day})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_member_who_left_is_off_the_list_and_the_counts_but_can_be_shown(client, cast):
    _leave(client, cast, cast.member_a)
    cast.member_a.refresh_from_db()
    assert cast.member_a.left_on == date(2025, 8, 1)
    village = Organization.objects.get(pk=cast.village_a.pk)
    township = Organization.objects.get(pk=cast.township_a.pk)
    assert (village.member_count, village.total_members) == (1, 1)  # 李秀英 only
    assert township.total_members == 2 and Organization.objects.get(pk=cast.city.pk).total_members == 3

    client.force_login(cast.county_organiser)
    page = client.get(reverse("members:list"))
    names = [m.name for m in page.context["page"]]
    assert "王建国" not in names and "李秀英" in names and page.context["page"].paginator.count == 2
    left = client.get(reverse("members:list"), {"roster": "left"})
    assert [m.name for m in left.context["page"]] == ["王建国"]
    assert 'data-testid="member-left"' in left.content.decode()
    everyone = client.get(reverse("members:list"), {"roster": "all"})
    assert sorted(m.name for m in everyone.context["page"]) == ["李秀英", "王建国", "赵晨"]
    count = client.get(reverse("members:count"), {"roster": "all"})
    assert count.context["count"] == 3

    detail = client.get(reverse("members:detail", args=[cast.member_a.pk])).content.decode()
    assert "已减少" in detail and "死亡" in detail and "2025-08-01" in detail


def test_a_member_still_on_the_roster_is_not_marked_as_left(client, cast):
    client.force_login(cast.county_organiser)
    detail = client.get(reverse("members:detail", args=[cast.member_a.pk])).content.decode()
    assert 'data-testid="member-departure"' not in detail
    assert Organization.objects.get(pk=cast.city.pk).total_members == 4


def test_the_migration_fills_the_date_from_recorded_departures_and_recounts():
    import importlib

    from django.apps import apps

    from shuzhi.lifecycle.models import Departure
    from shuzhi.members.models import Member
    from shuzhi.testing.cast import build_cast

    cast = build_cast()
    Departure.objects.create(member=cast.member_b, kind="died", left_on=date(2024, 1, 2),
                             org_path=cast.member_b.org_path, recorded_by=cast.city_organiser)  # fmt: skip
    migration = importlib.import_module("shuzhi.lifecycle.migrations.0008_member_left_on_from_departures")
    migration.fill(apps, None)
    assert Member.objects.get(pk=cast.member_b.pk).left_on == date(2024, 1, 2)
    assert Organization.objects.get(pk=cast.county_b.pk).total_members == 0
    assert Organization.objects.get(pk=cast.city.pk).total_members == 3
    migration.empty(apps, None)
    assert Member.objects.get(pk=cast.member_b.pk).left_on is None
    assert Organization.objects.get(pk=cast.city.pk).total_members == 4
