"""Each rule over hand-made facts, including the cases with no data (never passed)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuzhi.weakorgs import rules
from shuzhi.weakorgs.rules import OrgFacts, Outcome, evaluate

TODAY = date(2026, 12, 3)
D = Decimal


def test_a_post_vacant_for_more_than_three_months_is_a_hit():
    facts = OrgFacts(has_secretary=False, vacant_since=date(2026, 8, 2))
    assert evaluate(rules.SECRETARY_VACANT, D(3), facts, today=TODAY) == Outcome.HIT


def test_a_post_vacant_for_exactly_three_months_is_not_yet_a_hit():
    facts = OrgFacts(has_secretary=False, vacant_since=date(2026, 9, 3))
    assert evaluate(rules.SECRETARY_VACANT, D(3), facts, today=TODAY) == Outcome.CLEAR


def test_a_filled_post_is_clear_and_a_vacancy_of_unknown_start_is_no_data():
    assert evaluate(rules.SECRETARY_VACANT, D(3), OrgFacts(), today=TODAY) == Outcome.CLEAR
    assert (
        evaluate(rules.SECRETARY_VACANT, D(3), OrgFacts(has_secretary=False), today=TODAY) == Outcome.NO_DATA
    )


def test_organisational_life_below_its_frequency_is_a_hit_and_without_branches_no_data():
    assert evaluate(rules.LIFE_BELOW, D(100), OrgFacts(life_rate=D("87.5")), today=TODAY) == Outcome.HIT
    assert evaluate(rules.LIFE_BELOW, D(100), OrgFacts(life_rate=D(100)), today=TODAY) == Outcome.CLEAR
    assert evaluate(rules.LIFE_BELOW, D(100), OrgFacts(life_rate=None), today=TODAY) == Outcome.NO_DATA


def test_an_overdue_item_is_a_hit():
    assert evaluate(rules.OVERDUE_ITEMS, D(0), OrgFacts(overdue_items=1), today=TODAY) == Outcome.HIT
    assert evaluate(rules.OVERDUE_ITEMS, D(0), OrgFacts(overdue_items=0), today=TODAY) == Outcome.CLEAR


def test_an_ageing_branch_needs_both_an_old_average_and_nobody_under_35():
    old = OrgFacts(member_count=5, average_age=D("63.2"), youngest_age=41)
    assert evaluate(rules.AGEING, D(60), old, today=TODAY) == Outcome.HIT
    one_young = OrgFacts(member_count=5, average_age=D("63.2"), youngest_age=34)
    assert evaluate(rules.AGEING, D(60), one_young, today=TODAY) == Outcome.CLEAR
    assert evaluate(rules.AGEING, D(60), OrgFacts(member_count=0), today=TODAY) == Outcome.NO_DATA


def test_no_life_meeting_in_the_year_is_a_hit_and_a_committee_has_no_data():
    assert evaluate(rules.NO_LIFE_MEETING, D(1), OrgFacts(life_meetings=0), today=TODAY) == Outcome.HIT
    assert evaluate(rules.NO_LIFE_MEETING, D(1), OrgFacts(life_meetings=1), today=TODAY) == Outcome.CLEAR
    assert evaluate(rules.NO_LIFE_MEETING, D(1), OrgFacts(life_meetings=None), today=TODAY) == Outcome.NO_DATA


def test_the_bottom_share_of_a_group_is_a_hit():
    assert evaluate(rules.BOTTOM_SHARE, D(10), OrgFacts(rank=20, group_size=20), today=TODAY) == Outcome.HIT
    assert evaluate(rules.BOTTOM_SHARE, D(10), OrgFacts(rank=19, group_size=20), today=TODAY) == Outcome.HIT
    assert evaluate(rules.BOTTOM_SHARE, D(10), OrgFacts(rank=18, group_size=20), today=TODAY) == Outcome.CLEAR
    assert evaluate(rules.BOTTOM_SHARE, D(10), OrgFacts(), today=TODAY) == Outcome.NO_DATA


@pytest.mark.parametrize("key", [rules.SATISFACTION])
def test_rules_without_a_source_are_no_data_whatever_the_facts(key):
    assert evaluate(key, D(0), OrgFacts(has_secretary=False, overdue_items=9), today=TODAY) == Outcome.NO_DATA


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError):
        evaluate("nonsense", D(1), OrgFacts(), today=TODAY)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)))  # fmt: skip
def test_months_between_never_negative_and_counts_whole_months(start, end):
    months = rules.months_between(start, end)
    assert months >= 0
    if end >= start:
        assert (end.year - start.year) * 12 + end.month - start.month - 1 <= months
        assert months <= (end.year - start.year) * 12 + end.month - start.month


@given(st.integers(min_value=0, max_value=5000), st.decimals(min_value=0, max_value=100, places=1))
def test_the_required_count_covers_the_share_and_never_exceeds_the_total(total, percent):
    required = rules.required_on_list(total, percent)
    assert 0 <= required <= total
    assert required * 100 >= total * percent
    if total and percent > 0:
        assert required >= 1
        assert (required - 1) * 100 < total * percent


@given(st.integers(min_value=1, max_value=500), st.decimals(min_value=0, max_value=100, places=1),
       st.integers(min_value=1, max_value=500))  # fmt: skip
def test_exactly_the_bottom_places_are_hits(size, share, rank):
    rank = min(rank, size)
    outcome = evaluate(rules.BOTTOM_SHARE, share, OrgFacts(rank=rank, group_size=size), today=TODAY)
    hits = sum(
        evaluate(rules.BOTTOM_SHARE, share, OrgFacts(rank=r, group_size=size), today=TODAY) == Outcome.HIT
        for r in range(1, size + 1)
    )
    assert hits == rules.bottom_places(size, share)
    assert (outcome == Outcome.HIT) == (rank > size - hits)


def test_nobody_made_a_candidate_or_member_for_two_years_is_a_hit():
    two_years_ago = OrgFacts(last_recruit=date(2024, 12, 3), member_count=5)
    assert evaluate(rules.NO_NEW_MEMBER, D(2), two_years_ago, today=TODAY) == Outcome.HIT
    last_year = OrgFacts(last_recruit=date(2025, 1, 10), member_count=5)
    assert evaluate(rules.NO_NEW_MEMBER, D(2), last_year, today=TODAY) == Outcome.CLEAR


def test_an_organisation_with_nobody_on_record_has_no_data_for_new_members():
    assert evaluate(rules.NO_NEW_MEMBER, D(2), OrgFacts(), today=TODAY) == Outcome.NO_DATA


def test_a_low_star_share_is_a_hit_and_an_unrated_branch_has_no_data():
    assert evaluate(rules.STAR_LOW, D(50), OrgFacts(star_share=D(0)), today=TODAY) == Outcome.HIT
    assert evaluate(rules.STAR_LOW, D(50), OrgFacts(star_share=D("49.99")), today=TODAY) == Outcome.HIT
    assert evaluate(rules.STAR_LOW, D(50), OrgFacts(star_share=D(50)), today=TODAY) == Outcome.CLEAR
    assert evaluate(rules.STAR_LOW, D(50), OrgFacts(star_share=None), today=TODAY) == Outcome.NO_DATA
