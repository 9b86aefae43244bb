from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shuzhi.standards import rules

STARS = [(5, 90), (4, 80), (3, 70), (2, 60), (1, 50)]


def computed(value, threshold=Decimal(80), verdict=None):
    return rules.ItemState(item_id=1, points=10, evidence=rules.COMPUTED, threshold=threshold, value=value,
                           verdict=verdict)  # fmt: skip


def test_no_data_is_never_met():
    state = computed(None)
    assert not rules.met(state)
    assert rules.gap_reason(state) == rules.NO_DATA


def test_a_fact_at_the_threshold_is_met_and_below_it_is_a_gap():
    assert rules.met(computed(Decimal(80)))
    assert rules.gap_reason(computed(Decimal("79.99"))) == rules.BELOW


def test_the_level_above_overrides_the_fact_either_way():
    assert not rules.met(computed(Decimal(100), verdict=False))
    assert rules.gap_reason(computed(Decimal(100), verdict=False)) == rules.REFUSED
    assert rules.met(computed(None, verdict=True))


def test_a_checked_item_counts_only_when_claimed():
    state = rules.ItemState(item_id=2, points=5, evidence=rules.CHECKED)
    assert rules.gap_reason(state) == rules.NOT_CLAIMED
    assert rules.met(rules.ItemState(item_id=2, points=5, evidence=rules.CHECKED, claimed=True))


def test_the_level_is_the_highest_whose_minimum_is_reached():
    assert rules.level(90, STARS) == 5
    assert rules.level(89, STARS) == 4
    assert rules.level(49, STARS) == 0
    assert rules.level(70, [(1, 70)]) == 1


@given(st.integers(min_value=0, max_value=100), st.integers(min_value=0, max_value=100))
def test_a_higher_score_never_gets_a_lower_level(a, b):
    low, high = sorted((a, b))
    assert rules.level(low, STARS) <= rules.level(high, STARS)


def test_the_score_adds_the_points_of_met_items_only():
    states = [computed(Decimal(90)), computed(None), rules.ItemState(item_id=3, points=7, evidence=rules.CHECKED,
                                                                     claimed=True)]  # fmt: skip
    assert rules.score(states) == 17
