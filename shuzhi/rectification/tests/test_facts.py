"""The facts rectification offers the assessment, worked out by hand."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from shuzhi.core import facts
from shuzhi.rectification.models import Item
from shuzhi.rectification.services import accountability_record
from shuzhi.testing.rectification import published_cycle

pytestmark = pytest.mark.django_db


def _subject(org) -> facts.Subject:
    return facts.Subject(id=org.pk, path=org.path, name=org.name)


def test_a_year_with_accountability_below_the_unit_holds_and_names_who(cast):
    cycle = published_cycle(cast)
    accountability_record(actor=cast.county_organiser, organization=cast.village_a, kind="talk", person="王建国",
                          on=date(cycle.year, 6, 1), reason="换届工作不力")  # fmt: skip
    accountability_record(actor=cast.county_organiser, organization=cast.village_a2, kind="admonish", person="李四",
                          on=date(cycle.year - 1, 12, 31), reason="去年的事")  # fmt: skip
    subjects = [
        _subject(cast.township_a),
        _subject(cast.village_a2),
        _subject(cast.township_b),
        _subject(cast.county_a),
    ]
    found = facts.collect("rectification.accountability", year=cycle.year, subjects=subjects)
    assert found[cast.township_a.pk].holds is True
    assert "王建国 约谈" in found[cast.township_a.pk].summary
    assert found[cast.township_a.pk].evidence[0].link == "/rectification/accountability/"
    assert found[cast.county_a.pk].holds is True  # nested subjects all count
    assert found[cast.village_a2.pk].holds is False  # last year's record is last year's
    assert found[cast.township_b.pk].holds is False and found[cast.township_b.pk].evidence == ()


def _item(cycle, org, *, deadline, status=Item.Status.IN_PROGRESS, closed=None):
    return Item.objects.create(
        cycle=cycle, organization=org, org_path=org.path, title="问题", deadline=deadline, status=status,
        closed_at=timezone.make_aware(datetime.combine(closed, datetime.min.time())) if closed else None,
    )  # fmt: skip


def test_the_on_time_rate_counts_items_due_in_the_year_signed_off_by_their_deadline(cast):
    cycle = published_cycle(cast)
    Item.objects.all().delete()
    year = cycle.year
    _item(
        cycle, cast.township_a, deadline=date(year, 5, 1), status=Item.Status.CLOSED, closed=date(year, 4, 30)
    )
    _item(
        cycle, cast.village_a, deadline=date(year, 5, 1), status=Item.Status.CLOSED, closed=date(year, 5, 2)
    )
    _item(cycle, cast.village_a2, deadline=date(year, 9, 1), status=Item.Status.OVERDUE)
    _item(cycle, cast.township_a, deadline=date(year + 1, 1, 5))  # due next year: not counted
    subjects = [_subject(cast.township_a), _subject(cast.township_b)]
    found = facts.collect("rectification.on_time_rate", year=year, subjects=subjects)
    assert found[cast.township_a.pk].value == Decimal("33.33")  # 1 of 3
    assert [e.value for e in found[cast.township_a.pk].evidence] == ["3", "1"]
    assert found[cast.township_b.pk].value is None  # nothing due: no data, never a score
