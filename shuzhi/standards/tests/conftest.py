from decimal import Decimal

import pytest

from shuzhi.core import facts

# what the fixed fact source says, subject id → value (None: no data); tests set it
FIXED: dict[int, Decimal | None] = {}


def _fixed(year, subjects):
    return {s.id: facts.Fact(value=FIXED[s.id], summary="fixed") for s in subjects if s.id in FIXED}


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
