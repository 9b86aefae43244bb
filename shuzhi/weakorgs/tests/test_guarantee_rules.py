"""基本保障 arithmetic by hand: which floor applies, the ratio rules, 一肩挑, per member and per
thousand residents."""

from decimal import Decimal as D

from shuzhi.weakorgs import guarantee_rules as g

FLOOR = g.Floor(rural_income=D(20000), operating_total=D(10), secretary_ratio=D(2), deputy_percent=D(70),
                dual_percent=D(110), office_funds=D(2), service_funds=D(5), training_per_member=D(100),
                workers_per_thousand=D("1.8"))  # fmt: skip
MET = g.Figures(operating_total=D(10), secretary_pay=D(40000), office_funds=D(2), service_funds=D(5),
                training_funds=D(1000), members=10, deputy_pay=D(28000))  # fmt: skip


def _norms(floor, got, community=False):
    return {s.norm: (s.required, s.actual) for s in g.shortfalls(floor, got, community=community)}


def test_figures_at_every_floor_fall_short_of_nothing():
    assert g.shortfalls(FLOOR, MET, community=False) == []


def test_the_secretary_gets_twice_the_rural_income_and_the_deputy_seventy_percent_of_the_secretary():
    got = g.Figures(**{**MET.__dict__, "secretary_pay": D(38000), "deputy_pay": D(26000)})
    assert _norms(FLOOR, got) == {g.SECRETARY: (D("40000.00"), D(38000)), g.DEPUTY: (D("26600.00"), D(26000))}


def test_the_higher_of_the_ratio_rule_and_the_fixed_amount_is_the_floor():
    floor = g.Floor(rural_income=D(20000), secretary_ratio=D(2), secretary_pay=D(45000))
    assert g.secretary_floor(floor)[0] == D("45000.00")
    assert g.secretary_floor(g.Floor(secretary_pay=D(30000)))[0] == D("30000.00")
    assert g.secretary_floor(g.Floor(secretary_ratio=D(2)))[0] is None  # no income entered: no ratio floor


def test_one_holding_both_posts_gets_the_yijiantiao_share_of_the_secretary_floor():
    got = g.Figures(**{**MET.__dict__, "dual_role": True, "secretary_pay": D(43000), "deputy_pay": D(31000)})
    assert _norms(FLOOR, got) == {g.SECRETARY: (D("44000.00"), D(43000))}
    assert "一肩挑" in g.shortfalls(FLOOR, got, community=False)[0].note


def test_training_funds_are_judged_per_member_and_workers_per_thousand_residents_rounded_up():
    got = g.Figures(**{**MET.__dict__, "training_funds": D(950), "residents": 5100, "workers": 9})
    assert _norms(FLOOR, got, community=True) == {g.TRAINING: (D(100), D("95.00")), g.WORKERS: (D(10), D(9))}
    assert g.workers_required(5000, D("1.8")) == 9
    assert g.WORKERS not in _norms(FLOOR, got, community=False)  # villages have no community workers norm


def test_a_norm_not_set_is_never_a_shortfall_and_no_deputy_means_no_deputy_norm():
    got = g.Figures(operating_total=D(0), secretary_pay=D(0), office_funds=D(0), service_funds=D(0),
                    training_funds=D(0), members=0)  # fmt: skip
    assert g.shortfalls(g.Floor(), got, community=True) == []
    assert set(_norms(FLOOR, got)) == {g.OPERATING, g.SECRETARY, g.OFFICE, g.SERVICE}


def test_a_citys_set_norms_replace_the_provinces_and_its_empty_ones_keep_them():
    province = g.Floor(rural_income=D(19000), secretary_ratio=D(2), office_funds=D(2))
    city = g.Floor(rural_income=D(21000), office_funds=None, service_funds=D(6))
    merged = g.merge([province, city])
    assert (merged.rural_income, merged.secretary_ratio, merged.office_funds, merged.service_funds) == (
        D(21000), D(2), D(2), D(6),
    )  # fmt: skip
    assert g.merge([]) is None


def test_a_shortfall_reads_as_a_sentence():
    s = g.Shortfall(norm=g.OFFICE, required=D(2), actual=D("1.5"))
    assert s.sentence() == "办公经费应不低于 2 万元，实际 1.5 万元"
