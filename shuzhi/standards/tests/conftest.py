import importlib
from decimal import Decimal

import pytest

from shuzhi.core import facts

# the seeded standards: a browser test's live server flushes the database after it, and with it
# what the data migration wrote
SEED = "shuzhi.standards.migrations.0002_seed_standards"
NORMS = "shuzhi.standards.migrations.0004_seed_hour_norms"
PERIOD = "shuzhi.standards.migrations.0006_seed_followup_period"
RECORDS_SEEDS = ("0002_seed_requirements", "0004_seed_dues_bands", "0006_committee_needs_seven_members")

# what the fixed fact source says, subject id → value (None: no data); tests set it
FIXED: dict[int, Decimal | None] = {}


def _fixed(year, subjects):
    return {s.id: facts.Fact(value=FIXED[s.id], summary="fixed") for s in subjects if s.id in FIXED}


@pytest.fixture(autouse=True)
def _seeded(request):
    browser = "live_server" in request.fixturenames
    if not browser and request.node.get_closest_marker("django_db") is None:
        yield
        return
    request.getfixturevalue("transactional_db" if browser else "db")
    from django.apps import apps

    importlib.import_module(SEED).seed(apps, None)
    importlib.import_module(NORMS).seed(apps, None)
    importlib.import_module(PERIOD).seed(apps, None)
    if browser:  # the records' frequencies, which the seeded standard's facts read
        for name in RECORDS_SEEDS:
            importlib.import_module(f"shuzhi.records.migrations.{name}").seed(apps, None)
    yield


@pytest.fixture
def fixed_source():
    """A fact source whose values the test sets by hand (FIXED)."""
    FIXED.clear()
    source = facts.register(facts.FactSource(key="test.fixed", label="测试数据", kind=facts.FactKind.SCORE,
                                             compute=_fixed))  # fmt: skip
    yield FIXED
    facts.unregister(source.key)
    FIXED.clear()


@pytest.fixture
def rural(fixed_source):
    """The rural standard made small: a computed item (40 points, ≥ 80 of the fixed source) and
    two checked items (30 points each). 五星 ≥ 90 … 一星 ≥ 50 as seeded."""
    from shuzhi.standards.models import Item, Standard

    standard = Standard.objects.get(field="rural")
    standard.items.all().delete()
    computed = Item.objects.create(standard=standard, heading="life", title="组织生活达标", points=40,
                                   evidence="computed", fact_key="test.fixed", threshold=Decimal(80), order=1)  # fmt: skip
    place = Item.objects.create(standard=standard, heading="systems", title="活动阵地规范", points=30,
                                evidence="checked", order=2)  # fmt: skip
    role = Item.objects.create(standard=standard, heading="role", title="带领群众致富", points=30,
                               evidence="checked", order=3)  # fmt: skip
    return standard, computed, place, role
