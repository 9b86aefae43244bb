"""Who is a member on a day and who is on the roster follow the member's own `left_on`: set with
every departure, and on members imported as having left, who have no departure row."""

from datetime import date

import pytest
from django.urls import reverse

from shuzhi.lifecycle.models import Departure
from shuzhi.lifecycle.selectors import headcount_on, members_on, roster_present
from shuzhi.members.models import Member

pytestmark = pytest.mark.django_db

LEFT = date(2024, 5, 1)


def test_a_member_imported_as_left_is_counted_up_to_the_day_before_and_off_the_roster(client, cast):
    Member.objects.filter(pk=cast.member_a.pk).update(left_on=LEFT)  # no departure row
    assert not Departure.objects.exists()
    before = set(members_on(within=cast.village_a, day=date(2024, 4, 30)).values_list("pk", flat=True))
    on_the_day = set(members_on(within=cast.village_a, day=LEFT).values_list("pk", flat=True))
    assert cast.member_a.pk in before and cast.member_a.pk not in on_the_day
    assert before - on_the_day == {cast.member_a.pk}
    assert headcount_on(within=cast.township_a, day=date(2024, 4, 30)).total == (
        headcount_on(within=cast.township_a, day=LEFT).total + 1
    )
    assert list(roster_present(cast.village_a)) == [cast.secretary_a]
    client.force_login(cast.township_secretary)  # not offered for a departure or a transfer
    for name in ("departures", "transfers", "mobile"):
        page = client.get(reverse(f"lifecycle:{name}", args=[cast.village_a.pk])).content.decode()
        assert "李秀英" in page and "王建国" not in page, name


def test_a_recorded_departure_still_takes_the_member_off(cast):
    from shuzhi.lifecycle import services

    services.departure_record(actor=cast.township_secretary, member=cast.member_a, kind=Departure.Kind.DIED,
                              left_on=LEFT)  # fmt: skip
    assert cast.member_a not in roster_present(cast.village_a)
    assert not members_on(within=cast.village_a, day=LEFT).filter(pk=cast.member_a.pk).exists()
    assert members_on(within=cast.village_a, day=date(2024, 4, 30)).filter(pk=cast.member_a.pk).exists()
