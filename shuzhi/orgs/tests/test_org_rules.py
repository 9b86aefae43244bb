"""Which organisation may stand under which: the level ladder and the 党支部 leaf."""

import itertools

import pytest

from shuzhi.orgs import rules
from shuzhi.orgs.models import Organization

LEVELS = ["province", "city", "county", "township", "village", "institution"]

# (parent level, child level) pairs the ladder allows; every other pair is refused
ALLOWED = {
    ("province", "city"),
    ("province", "institution"),
    ("city", "county"),
    ("city", "institution"),
    ("county", "township"),
    ("county", "institution"),
    ("township", "village"),
    ("township", "institution"),
    ("village", "village"),  # 村党委 → 村党支部
    ("institution", "institution"),  # 高校党委 → 院系党总支 → 支部
}


@pytest.mark.parametrize(("parent", "child"), list(itertools.product(LEVELS, LEVELS)))
def test_a_level_may_contain_only_the_levels_the_ladder_allows(parent, child):
    assert rules.level_may_contain(parent, child) is ((parent, child) in ALLOWED)


def test_a_level_never_contains_the_levels_above_it():
    for higher, lower in itertools.combinations(["province", "city", "county", "township", "village"], 2):
        assert not rules.level_may_contain(lower, higher)


def test_an_unknown_level_contains_nothing():
    assert not rules.level_may_contain("planet", "city")
    assert not rules.level_may_contain("city", "planet")


def test_the_model_offers_exactly_the_levels_the_rules_know():
    assert sorted(Organization.Level.values) == sorted(LEVELS) == sorted(rules.ALLOWED_CHILD_LEVELS)


@pytest.mark.parametrize(
    ("kind", "may"),
    [
        ("committee", True),
        ("working_committee", True),
        ("leading_group", True),
        ("general_branch", True),
        ("branch", False),
    ],
)
def test_only_a_branch_may_have_no_children(kind, may):
    assert rules.kind_may_have_children(kind) is may


def test_every_kind_of_the_model_is_covered_by_the_table():
    assert set(Organization.Kind.values) == {
        "committee",
        "working_committee",
        "leading_group",
        "general_branch",
        "branch",
    }
