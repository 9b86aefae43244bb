from decimal import Decimal

from shuzhi.projects import rules


def test_goals_are_read_one_a_line_and_a_bad_line_is_named_by_its_number():
    goals, problems = rules.parse_goals(
        "建强后备｜每村2名｜2026-12-31\n\n只写了目标\n培训｜1期｜2026/06/30", year=2026
    )
    assert goals == [{"goal": "建强后备", "target": "每村2名", "due": "2026-12-31"}]
    assert problems[0].startswith("第 3 行") and "三段" in problems[0]
    assert problems[1].startswith("第 4 行") and "2026/06/30" in problems[1]


def test_a_goal_dated_outside_the_year_or_the_next_is_refused():
    _goals, problems = rules.parse_goals("a|b|2030-01-01", year=2026)
    assert "2026" in problems[0]
    assert rules.parse_goals("", year=2026)[1] == ["请至少写一条目标。"]


def test_a_rating_scheme_is_data_best_first_and_round_trips():
    scheme, problems = rules.parse_scheme("好=100\n较好＝85\n一般=70\n差=50")
    assert problems == []
    assert [s["score"] for s in scheme] == [100, 85, 70, 50]
    assert rules.parse_scheme(rules.format_scheme(scheme)) == (scheme, [])


def test_a_scheme_out_of_order_repeated_or_out_of_range_is_refused_by_line():
    assert "从高到低" in rules.parse_scheme("好=80\n较好=90")[1][0]
    assert "重复" in rules.parse_scheme("好=80\n好=70")[1][0]
    assert "0–100" in rules.parse_scheme("好=180\n差=10")[1][0]
    assert "等次=分数" in rules.parse_scheme("好=²\n差=1")[1][0]
    assert rules.parse_scheme("好=80")[1] == ["评价等次至少两个。"]


def test_ranking_shares_places_on_a_tie_and_leaves_the_unrated_without_a_place():
    values = [Decimal(85), None, Decimal(100), Decimal(85), Decimal(70)]
    assert rules.rank(values) == [2, None, 1, 2, 4]
    assert rules.mean([Decimal(100), Decimal(85)]) == Decimal("92.50")
    assert rules.mean([]) is None
