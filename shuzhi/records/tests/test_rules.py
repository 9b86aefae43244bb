"""The completion arithmetic, worked by hand over plain values."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shuzhi.records import rules
from shuzhi.records.rules import Held, Rule

RULES = [
    Rule("congress", rules.QUARTER, label="支部党员大会"),
    Rule("committee", rules.MONTH, label="支委会"),
    Rule("lecture", rules.QUARTER, label="党课"),
    Rule("lecture", rules.YEAR, secretary_only=True, label="书记讲党课"),
    Rule("life_meeting", rules.YEAR, label="组织生活会"),
]


def _full_year(skip_committee_month: int | None = None) -> list[Held]:
    held = [Held("committee", m, 1) for m in range(1, 13) if m != skip_committee_month]
    held += [Held("congress", q * 3, 1) for q in rules.QUARTERS]
    held += [Held("lecture", q * 3 - 1, 1, by_secretary=1 if q == 2 else 0) for q in rules.QUARTERS]
    held.append(Held("life_meeting", 12, 1))
    return held


def test_a_branch_that_held_everything_met_every_quarter_and_the_year():
    status = rules.year_status(RULES, _full_year())
    assert status.quarters == (True, True, True, True) and status.yearly and status.met
    assert status.missing == ()


def test_one_missed_monthly_meeting_fails_its_quarter_and_the_year_and_says_which_month():
    status = rules.year_status(RULES, _full_year(skip_committee_month=5))
    assert status.quarters == (True, False, True, True) and status.yearly and not status.met
    assert status.missing == ("支委会：5月未开展",)


def test_two_meetings_in_one_month_do_not_make_up_for_a_month_without():
    held = [h for h in _full_year(skip_committee_month=2)] + [Held("committee", 3, 1)]
    assert rules.year_status(RULES, held).quarters[0] is False


def test_the_secretarys_lecture_is_needed_once_a_year_besides_the_quarterly_lectures():
    held = [Held(h.kind, h.month, h.count, 0) for h in _full_year()]  # nobody taught by the secretary
    status = rules.year_status(RULES, held)
    assert status.quarters == (True, True, True, True) and not status.yearly
    assert status.missing == ("书记讲党课：全年不足 1 次",)


def test_a_quarterly_requirement_counts_any_month_of_its_quarter():
    held = [h for h in _full_year() if h.kind != "congress"] + [Held("congress", m, 1) for m in (1, 5, 7, 10)]
    assert rules.year_status(RULES, held).met


def test_nothing_held_misses_everything():
    status = rules.year_status(RULES, [])
    assert status.quarters == (False, False, False, False) and not status.yearly
    assert "支委会：1月、2月、3月未开展" in status.missing


def test_quarters_due_and_quarter_of():
    assert rules.quarter_of(date(2026, 3, 31)) == 1 and rules.quarter_of(date(2026, 4, 1)) == 2
    assert rules.quarters_due(2026, date(2026, 12, 3)) == 3
    assert rules.quarters_due(2025, date(2026, 1, 1)) == 4 and rules.quarters_due(2027, date(2026, 1, 1)) == 0


@given(st.lists(st.tuples(st.sampled_from(["congress", "committee", "lecture", "life_meeting"]),
                          st.integers(1, 12), st.integers(0, 3), st.booleans()), max_size=40))  # fmt: skip
def test_more_records_never_lose_a_quarter(extra):
    base = [Held(k, m, n, by_secretary=n if s else 0) for k, m, n, s in extra]
    before = rules.year_status(RULES, base)
    after = rules.year_status(RULES, [*base, *_full_year()])
    assert after.met
    assert all(a or not b for a, b in zip(after.quarters, before.quarters, strict=True))


def test_share():
    assert rules.share(1, 3) == 33.3 and rules.share(0, 0) is None


BANDS = [
    rules.Band("employed", Decimal(0), Decimal(3000), Decimal("0.5")),
    rules.Band("employed", Decimal(3000), Decimal(5000), Decimal("1.0")),
    rules.Band("employed", Decimal(5000), Decimal(10000), Decimal("1.5")),
    rules.Band("employed", Decimal(10000), None, Decimal("2.0")),
    rules.Band("retired", Decimal(0), Decimal(5000), Decimal("0.5")),
    rules.Band("retired", Decimal(5000), None, Decimal("1.0")),
    rules.Band("flat", amount=Decimal("0.2")),
]


def test_dues_by_band_worked_by_hand():
    due = rules.due_amount
    assert due(Decimal(3000), "employed", BANDS) == Decimal("15.00")  # 3000 × 0.5%: the band includes its top
    assert due(Decimal("3000.01"), "employed", BANDS) == Decimal("30.00")  # 1%, half up
    assert due(Decimal(8000), "employed", BANDS) == Decimal("120.00")
    assert due(Decimal(12345), "employed", BANDS) == Decimal("246.90")
    assert due(Decimal(6000), "retired", BANDS) == Decimal("60.00")
    assert due(Decimal(0), "employed", BANDS) == Decimal("0.00")
    assert due(Decimal(9999), "flat", BANDS) == Decimal("0.20")
    assert due(Decimal(100), "nobody", BANDS) is None
    assert rules.dues_group("retired") == "retired" and rules.dues_group("farmer") == "flat"
    assert rules.dues_group("mobile") == "employed"


def test_six_months_unpaid_in_a_row_is_flagged_also_across_new_year():
    a = rules.arrears([1, 2, 3, 10], through=12)
    assert a.unpaid == (4, 5, 6, 7, 8, 9, 11, 12) and a.streak == 6 and a.flagged
    assert not rules.arrears([1, 3, 5, 7, 9, 11], through=12).flagged
    assert rules.arrears([4], through=3, carried=4).streak == 7  # Sept–Dec unpaid, then Jan–Mar
    assert rules.months_due(2025, date(2026, 1, 1)) == 12 and rules.months_due(2026, date(2026, 3, 5)) == 3


def test_a_requirement_with_a_minimum_size_is_not_asked_of_a_smaller_branch():
    rules_ = [Rule("committee", rules.MONTH, label="支委会", min_members=7), Rule("congress", rules.QUARTER)]
    held = [Held("congress", q * 3, 1) for q in rules.QUARTERS]
    assert rules.year_status(rules_, held, members=5).met
    assert not rules.year_status(rules_, held, members=7).met
    assert not rules.year_status(rules_, held).met  # size unknown: asked


def test_points_by_the_default_scheme_worked_by_hand():
    year = rules.MemberYear(attended=18, meetings=24, paid=11, due=12, kept=1, partly=1, commitments=2,
                            manual={"民主评议": Decimal(18), "贡献加分": Decimal(15)})  # fmt: skip
    parts = rules.member_points(rules.DEFAULT_SCHEME, year)
    # 40 × 18/24 = 30; 15 × 11/12 = 13.75 → 13.8; 15 × 3/4 = 11.25 → 11.3; 18; 15 capped at 10
    assert [p.points for p in parts] == [
        Decimal("30.0"),
        Decimal("13.8"),
        Decimal("11.3"),
        Decimal("18.0"),
        Decimal("10.0"),
    ]
    assert parts[0].why == "应参加 24 次，参加 18 次"
    exempt = rules.member_points(rules.DEFAULT_SCHEME, rules.MemberYear(meetings=24, exempt=True))
    assert exempt[0].points == Decimal("40.0") and exempt[2].why == "未填写承诺"


def test_a_scheme_must_add_to_a_hundred_with_known_sources():
    assert rules.scheme_problems(rules.DEFAULT_SCHEME) == []
    bad = [
        {"name": "日常", "source": "attendance", "points": 80},
        {"name": "日常", "source": "stars", "points": 10},
    ]
    problems = rules.scheme_problems(bad)
    assert len(problems) == 3 and "现为 90" in problems[2]


def test_the_distribution_counts_bands_not_names():
    assert rules.distribution([Decimal(95), Decimal("89.9"), Decimal(50)]) == [
        ("90 分以上", 1), ("80–89 分", 1), ("70–79 分", 0), ("60–69 分", 0), ("60 分以下", 1)
    ]  # fmt: skip
