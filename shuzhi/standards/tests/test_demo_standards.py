"""The demo city's star ratings: computed from a year of records, claimed, confirmed, published."""

from datetime import date

import pytest

from shuzhi.demo.generator import CityGenerator
from shuzhi.demo.services import city_write, demo_records_ensure, demo_standards_ensure, demo_trainings_ensure
from shuzhi.orgs.models import Organization
from shuzhi.standards import selectors
from shuzhi.standards.models import Check, Rating

pytestmark = pytest.mark.django_db


def test_the_demo_city_gets_a_spread_of_levels_through_every_state():
    stats = city_write(
        generator=CityGenerator(seed=3, organizations=320, members=800, as_of=date(2026, 12, 3))
    )
    demo_records_ensure(root=stats.root, year=2025, until=date(2026, 12, 3), seed=3, attendance=False)
    assert demo_trainings_ensure(root=stats.root, year=2025, until=date(2026, 12, 3), seed=3) > 0
    assert demo_trainings_ensure(root=stats.root, year=2025, until=date(2026, 12, 3), seed=3) == 0
    total, _children = selectors.education_rollup(org=stats.root, year=2025)
    assert 0 < total.done < total.members  # most reach their hours, not all
    rated = demo_standards_ensure(root=stats.root, year=2025, seed=3)
    assert rated == Rating.objects.count() == Organization.objects.filter(kind="branch").count()
    assert demo_standards_ensure(root=stats.root, year=2025, seed=3) == 0  # once
    assert Check.objects.filter(claimed=True).exists()
    statuses = set(Rating.objects.values_list("status", flat=True))
    assert statuses == {"open", "submitted", "confirmed", "published"}
    assert Rating.objects.exclude(reason="").filter(final_rank__isnull=False).exists()  # a few lowered
    labels, total, _children = selectors.distribution(org=stats.root, year=2025)
    assert total.counts["未评定"] == 0
    assert len([label for label in labels if total.counts.get(label)]) >= 3  # a spread, not one level
