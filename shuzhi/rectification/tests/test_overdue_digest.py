"""The nightly overdue job tells each unit and each organising body once, however many items
went overdue: one digest per unit's secretaries and one per organiser, with the counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shuzhi.accounts.models import User
from shuzhi.core.models import Notification
from shuzhi.core.roles import Role
from shuzhi.rectification.models import Item
from shuzhi.rectification.services import items_mark_overdue
from shuzhi.testing.cycles import county_cycle
from shuzhi.testing.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

UNITS, PER_UNIT = 6, 25


@pytest.fixture
def many_items(cast):
    cycle = county_cycle(cast)
    deadline = timezone.localdate() - timedelta(days=1)
    units = [cast.township_a] + [
        OrganizationFactory(name=f"中共东湖区第{n}镇委员会", kind="committee", level="township", field="rural",
                            parent=cast.county_a)
        for n in range(1, UNITS)
    ]  # fmt: skip
    for unit in units[1:]:
        UserFactory(role=Role.SECRETARY, organization=unit)
    Item.objects.bulk_create(
        Item(
            cycle=cycle, organization=unit, org_path=unit.path, title=f"{unit.name}问题{n}", deadline=deadline
        )
        for unit in units
        for n in range(PER_UNIT)
    )
    return units


def test_one_digest_per_unit_and_one_per_organiser_however_many_items(cast, many_items):
    second_organiser = UserFactory(role=Role.ORGANISER, organization=cast.county_a)
    assert items_mark_overdue() == UNITS * PER_UNIT
    assert Item.objects.filter(status=Item.Status.OVERDUE).count() == UNITS * PER_UNIT

    for organiser in (cast.county_organiser, second_organiser):
        told = list(Notification.objects.filter(recipient=organiser).values_list("text", flat=True))
        assert told == [f"{UNITS} 个单位的 {UNITS * PER_UNIT} 项整改事项已逾期"]
        organiser.refresh_from_db()
        assert organiser.unread_notifications == 1
    told = list(
        Notification.objects.filter(recipient=cast.township_secretary, text__contains="已逾期").values_list(
            "text", flat=True
        )
    )
    assert len(told) == 1 and told[0].startswith(f"{PER_UNIT} 项整改事项已逾期：") and told[0].endswith("等")
    for unit in many_items:
        for secretary in User.objects.filter(organization=unit, role=Role.SECRETARY):
            assert Notification.objects.filter(recipient=secretary, text__contains="已逾期").count() == 1
    # the city organiser runs no cycle here: told nothing
    assert not Notification.objects.filter(recipient=cast.city_organiser).exists()


def test_a_second_run_the_same_night_tells_nobody_again(cast, many_items):
    items_mark_overdue()
    before = Notification.objects.count()
    assert items_mark_overdue() == 0
    assert Notification.objects.count() == before


def test_the_job_runs_in_a_bounded_number_of_queries_per_item(
    cast, many_items, django_assert_max_num_queries
):
    # per item: lock, move, event, audit (chain head, event); the digests add a fixed few
    with django_assert_max_num_queries(UNITS * PER_UNIT * 12 + 20):
        items_mark_overdue()
