from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shuzhi.dossiers import rules

ENTRIES = [
    rules.Entry(id=1, required=True, full_only=False),
    rules.Entry(id=2, required=False, full_only=False),
    rules.Entry(id=3, required=True, full_only=True),
]


def test_a_probationary_members_file_needs_no_conversion_materials():
    assert [e.id for e in rules.required_of(ENTRIES, probationary=True)] == [1]
    assert [e.id for e in rules.required_of(ENTRIES, probationary=False)] == [1, 3]
    assert [e.id for e in rules.missing(ENTRIES, {2}, probationary=False)] == [1, 3]
    assert rules.missing(ENTRIES, {1}, probationary=True) == []


def test_shares_and_shortfalls():
    assert rules.share(1, 3) == Decimal("33.3") and rules.share(0, 0) is None
    assert rules.shortfall(1, 2) == 1 and rules.shortfall(3, 2) == 0


@given(talents=st.integers(0, 200), members=st.integers(0, 200))
def test_the_member_share_is_met_exactly_when_the_share_is_at_least_the_target(talents, members):
    members = min(members, talents)
    found = rules.VillageReserve(talents=talents, members=members, developed=0, min_count=20, member_share=20)
    assert found.share_met == (talents > 0 and Decimal(members) / Decimal(talents) >= Decimal("0.2"))
    assert found.met == (found.share_met and talents >= 20)
