"""The engine by hand-computed examples, and its promises as properties."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuzhi.core.grades import Counts
from shuzhi.scoring.rules import ReporterInput, Scheme, assess

D = Decimal


def scheme(**overrides) -> Scheme:
    data = {
        "components": [
            {"name": "现场测评", "weight": 40, "source": "ballots"},
            {"name": "日常考核", "weight": 40, "source": "entered"},
            {"name": "重点任务", "weight": 20, "source": "entered"},
        ],
        "grade_points": {"好": 100, "较好": 85, "一般": 70, "差": 50},
        "class_weights": {"市委常委": 50, "*": 50},
        "thresholds": {"好": 90, "较好": 80, "一般": 70},
        "good_quota_percent": 30,
        "committee_class": "市委常委",
        "missing_component": "reweight",
        "bonus_cap": 3,
        "deduction_cap": 5,
        "vetoes": {
            "问责": {"effect": "poor"},
            "核心指标未完成": {"effect": "cap", "grade": "一般"},
            "法定地位不落实": {"effect": "zero", "component": "重点任务"},
        },
        **overrides,
    }
    return Scheme.from_data(data)


def reporter(
    id=1,
    group="县区",
    committee=(8, 2, 0, 0),
    others=(20, 10, 10, 0),
    daily="95",
    tasks="90",
    adjustments=(),
    vetoes=(),
):
    ballots = {"市委常委": Counts(*committee), "党代表": Counts(*others)}
    entered = {
        "日常考核": None if daily is None else D(daily),
        "重点任务": None if tasks is None else D(tasks),
    }
    return ReporterInput(id=id, group=group, ballots=ballots, entered=entered,
                         adjustments=tuple(D(a) for a in adjustments), vetoes=vetoes)  # fmt: skip


def test_a_reporter_by_hand():
    # 市委常委 (800 + 170) / 10 = 97; 党代表 (2000 + 850 + 700) / 40 = 88.75; ballots 92.875
    # 0.4 × 92.875 + 0.4 × 95 + 0.2 × 90 = 93.15; + 2 − 1 = 94.15
    (result,) = assess([reporter(adjustments=("2", "-1"))], scheme(good_quota_percent=None))
    assert result.ballot_grade_score == D("92.88")
    assert [p.score for p in result.class_parts] == [D("97.00"), D("88.75")]
    assert result.base == D("93.15") and (result.bonus, result.deduction) == (D("2.00"), D("1.00"))
    assert result.score == D("94.15") and result.grade == "好" and not result.quota_cut


def test_a_missing_component_is_reweighted_or_counts_zero_as_the_scheme_says():
    all_average = {"committee": (0, 0, 10, 0), "others": (0, 0, 30, 0), "daily": "80", "tasks": None}
    (reweighted,) = assess([reporter(**all_average)], scheme())
    assert reweighted.base == D("75.00") and reweighted.grade == "一般"  # 70 and 80, half each
    assert [p.used_weight for p in reweighted.components] == [D("50.00"), D("50.00"), D("0.00")]
    (zeroed,) = assess([reporter(**all_average)], scheme(missing_component="zero"))
    assert zeroed.base == D("60.00") and zeroed.grade == "差"  # 0.4 × 70 + 0.4 × 80


def test_adjustments_are_bounded_by_their_caps_and_the_score_by_0_and_100():
    (result,) = assess([reporter(adjustments=("2", "2", "2"))], scheme(good_quota_percent=None))
    assert result.bonus == D("3.00") and result.score == D("96.15")
    (result,) = assess([reporter(adjustments=("-4", "-4"))], scheme())
    assert result.deduction == D("5.00") and result.score == D("88.15")
    (result,) = assess([reporter(committee=(10, 0, 0, 0), others=(40, 0, 0, 0), daily="100", tasks="100", adjustments=("3",))],
                       scheme(good_quota_percent=None))  # fmt: skip
    assert result.score == D("100.00")


def test_classes_without_ballots_are_left_out_and_the_others_reweighted():
    solo = ReporterInput(
        id=1,
        group="县区",
        ballots={"党代表": Counts(0, 10, 0, 0)},
        entered={"日常考核": D(85), "重点任务": D(85)},
    )
    (result,) = assess([solo], scheme())
    assert result.ballot_grade_score == D("85.00") and [p.weight for p in result.class_parts] == [D("100.00")]
    assert result.committee_good_rate is None


@pytest.mark.parametrize(
    ("veto", "grade", "score"),
    [
        ("问责", "差", D("94.15")),
        ("核心指标未完成", "一般", D("94.15")),
        ("法定地位不落实", "一般", D("76.15")),
    ],
)
def test_each_veto_does_what_the_scheme_says(veto, grade, score):
    (result,) = assess([reporter(adjustments=("2", "-1"), vetoes=(veto,))], scheme(good_quota_percent=None))
    assert (result.grade, result.score, result.vetoes) == (grade, score, (veto,))
    if veto == "法定地位不落实":
        assert result.components[2].zeroed_by == veto and result.components[2].score == D("0.00")
        assert result.grade_by_score == "一般"  # 0.4 × 92.875 + 0.4 × 95 + 0 = 75.15, + 2 − 1


def test_a_quota_cuts_by_the_stated_tie_break_and_says_so():
    # four reporters all over 90 in one group, 30% quota: one 好 (4 × 30 // 100 = 1)
    rows = [
        reporter(id=i, committee=c, daily="96", tasks="96")
        for i, c in ((1, (8, 2, 0, 0)), (2, (10, 0, 0, 0)), (3, (9, 1, 0, 0)), (4, (9, 1, 0, 0)))
    ]
    results = {r.id: r for r in assess(rows, scheme())}
    assert results[2].grade == "好" and results[2].rank == 1
    assert [results[i].grade for i in (1, 3, 4)] == ["较好"] * 3 and all(
        results[i].quota_cut for i in (1, 3, 4)
    )
    assert (results[3].rank, results[4].rank) == (2, 3)  # equal in everything: the id decides last
    by_committee = assess(rows, scheme(tie_break=["committee_good_rate", "score"]))
    assert [r.rank for r in by_committee] == [4, 1, 2, 3]


def test_group_quotas_override_the_general_one():
    rows = [reporter(id=i, group="国企", daily="96", tasks="96") for i in range(1, 5)]
    assert sum(r.grade == "好" for r in assess(rows, scheme(group_quotas={"国企": 50}))) == 2
    assert sum(r.grade == "好" for r in assess(rows, scheme(good_quota_percent=None))) == 4


# ---- properties ------------------------------------------------------------------------------------

counts = st.tuples(*[st.integers(0, 12)] * 4).filter(lambda t: sum(t) > 0)
scores = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False)
reporters = st.lists(
    st.builds(
        lambda committee, others, daily, tasks, group, vetoes, adj: (committee, others, daily, tasks, group, vetoes, adj),
        counts, counts, scores | st.none(), scores | st.none(), st.sampled_from(["县区", "国企"]),
        st.lists(st.sampled_from(["问责", "核心指标未完成", "法定地位不落实"]), max_size=2, unique=True),
        st.lists(st.decimals(min_value=-5, max_value=5, places=1), max_size=3),
    ),
    min_size=1, max_size=12,
)  # fmt: skip


def _inputs(raw):
    return [
        ReporterInput(id=i, group=g, ballots={"市委常委": Counts(*c), "党代表": Counts(*o)},
                      entered={"日常考核": d, "重点任务": t}, adjustments=tuple(a), vetoes=tuple(v))
        for i, (c, o, d, t, g, v, a) in enumerate(raw, start=1)
    ]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(reporters, st.sampled_from([None, 10, 30, 50]))
def test_quotas_are_never_exceeded_and_vetoes_always_win(raw, quota):
    results = assess(_inputs(raw), scheme(good_quota_percent=quota))
    for group in ("县区", "国企"):
        members = [r for r in results if r.group == group]
        if quota is not None:
            assert sum(r.grade == "好" for r in members) <= len(members) * quota // 100
        assert sorted(r.rank for r in members) == list(range(1, len(members) + 1))
    for r in results:
        if "问责" in r.vetoes:
            assert r.grade == "差"
        if "核心指标未完成" in r.vetoes:
            assert r.grade in ("一般", "差")
        assert D(0) <= r.score <= D(100)


@settings(max_examples=100, deadline=None)
@given(reporters, st.randoms())
def test_the_result_does_not_depend_on_input_order(raw, rng):
    inputs = _inputs(raw)
    shuffled = list(inputs)
    rng.shuffle(shuffled)
    first = {r.id: r for r in assess(inputs, scheme())}
    second = {r.id: r for r in assess(shuffled, scheme())}
    assert first == second


@settings(max_examples=150, deadline=None)
@given(counts, counts, st.integers(0, 3), st.integers(0, 3), st.booleans())
def test_a_better_grade_on_one_ballot_never_lowers_the_score(committee, others, worse, better, in_committee):
    if worse <= better:
        return
    source = committee if in_committee else others
    if source[worse] == 0:
        return
    moved = list(source)
    moved[worse] -= 1
    moved[better] += 1
    before = _inputs([(committee, others, D(80), D(80), "县区", [], [])])
    after_raw = (tuple(moved), others) if in_committee else (committee, tuple(moved))
    after = _inputs([(*after_raw, D(80), D(80), "县区", [], [])])
    assert assess(after, scheme())[0].score >= assess(before, scheme())[0].score
