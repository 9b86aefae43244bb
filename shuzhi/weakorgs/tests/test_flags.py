"""Computing every flag in bulk: hits kept with their evidence, no data never counted as passed."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shuzhi.core.models import AuditEvent
from shuzhi.orgs.models import Organization
from shuzhi.orgs.services import organization_update
from shuzhi.rectification.models import Item
from shuzhi.testing.factories import MemberFactory, OrganizationFactory
from shuzhi.testing.records import year_of_records
from shuzhi.testing.rectification import published_cycle
from shuzhi.weakorgs import rules
from shuzhi.weakorgs.models import Flag, FlagRun, Rule
from shuzhi.weakorgs.selectors import outcomes_of, rule_counts
from shuzhi.weakorgs.services import flags_compute

pytestmark = pytest.mark.django_db
YEAR = date.today().year - 1


def _flags(org, year=YEAR):
    return set(Flag.objects.filter(organization=org, year=year).values_list("rule", flat=True))


def _age_back(org, days):
    Organization.objects.filter(pk=org.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_a_branch_without_records_is_flagged_for_its_life_and_its_missing_life_meeting(cast):
    year_of_records(cast.village_b, YEAR)  # a full year, its 组织生活会 included
    flags_compute(year=YEAR, actor=cast.city_organiser)
    assert {rules.LIFE_BELOW, rules.NO_LIFE_MEETING} <= _flags(cast.village_a)
    assert not {rules.LIFE_BELOW, rules.NO_LIFE_MEETING} & _flags(cast.village_b)
    flag = Flag.objects.get(organization=cast.village_a, year=YEAR, rule=rules.LIFE_BELOW)
    assert flag.evidence and all(e["link"].startswith("/records/") for e in flag.evidence)
    run = FlagRun.objects.get(year=YEAR)
    assert run.organizations == 3 and run.flagged >= 1
    assert AuditEvent.objects.filter(action="weakorgs.flags_compute").count() == 1


def test_a_secretary_post_vacant_since_registration_over_three_months_ago_is_flagged(cast):
    _age_back(cast.village_a2, 200)
    _age_back(cast.village_b, 30)
    flags_compute(year=YEAR)
    assert rules.SECRETARY_VACANT in _flags(cast.village_a2)
    assert rules.SECRETARY_VACANT not in _flags(cast.village_b)
    flag = Flag.objects.get(organization=cast.village_a2, rule=rules.SECRETARY_VACANT)
    assert flag.evidence[0]["link"] == f"/orgs/{cast.village_a2.pk}/"


def test_a_vacancy_counts_from_the_audited_day_the_secretary_was_cleared(cast):
    _age_back(cast.village_a, 400)
    org = Organization.objects.get(pk=cast.village_a.pk)
    organization_update(actor=cast.county_organiser, org=org, secretary=cast.secretary_a)
    organization_update(actor=cast.county_organiser, org=org, clear_secretary=True)
    flags_compute(year=YEAR)
    assert rules.SECRETARY_VACANT not in _flags(cast.village_a)  # vacant since today, not since 400 days


def test_an_ageing_branch_is_flagged_and_one_young_member_clears_it(cast):
    old = OrganizationFactory(name="老党员支部", code="C02001002", parent=cast.township_b)
    for born in (1950, 1955, 1958):
        MemberFactory(organization=old, birth_date=date(born, 1, 1))
    flags_compute(year=YEAR)
    assert rules.AGEING in _flags(old)
    MemberFactory(
        organization=old,
        birth_date=date(YEAR - 30, 1, 1),
        joined_on=date(YEAR - 5, 7, 1),
        full_member_on=date(YEAR - 4, 7, 1),
    )
    flags_compute(year=YEAR)
    assert rules.AGEING not in _flags(old)


def test_an_overdue_rectification_item_flags_its_unit(cast):
    cycle = published_cycle(cast)
    Item.objects.create(cycle=cycle, organization=cast.village_a, org_path=cast.village_a.path,
                        title="支部台账不全", deadline=date.today() - timedelta(days=3))  # fmt: skip
    flags_compute(year=YEAR)
    assert rules.OVERDUE_ITEMS in _flags(cast.village_a)
    assert rules.OVERDUE_ITEMS not in _flags(cast.village_b)


def test_a_rule_switched_off_or_for_another_field_flags_nobody(cast):
    Rule.objects.filter(key=rules.LIFE_BELOW).update(enabled=False)
    Rule.objects.filter(key=rules.NO_LIFE_MEETING).update(fields=["community"])
    flags_compute(year=YEAR)
    assert not {rules.LIFE_BELOW, rules.NO_LIFE_MEETING} & _flags(cast.village_a)


def test_rules_without_a_source_show_no_data_never_a_count_or_a_pass(cast):
    flags_compute(year=YEAR)
    counts = {c.rule.key: c.count for c in rule_counts(viewer=cast.city_organiser, year=YEAR)}
    assert counts[rules.SATISFACTION] is None
    assert (
        counts[rules.NO_NEW_MEMBER] == 2
    )  # 王庄村 (members of 1995, 2000) and 张楼村; 李集村 joined last year
    assert counts[rules.STAR_LOW] is None  # off until the organiser switches it on
    assert counts[rules.LIFE_BELOW] == 3
    outcomes = {o.rule.key: o.outcome for o in outcomes_of(cast.village_a, year=YEAR)}
    assert outcomes[rules.SATISFACTION] == rules.Outcome.NO_DATA
    assert outcomes[rules.BOTTOM_SHARE] == rules.Outcome.NO_DATA  # a branch does not report
    assert outcomes[rules.LIFE_BELOW] == rules.Outcome.HIT


def test_a_second_run_replaces_the_years_flags(cast):
    flags_compute(year=YEAR)
    first = Flag.objects.filter(year=YEAR).count()
    year_of_records(cast.village_a, YEAR)
    flags_compute(year=YEAR)
    assert Flag.objects.filter(year=YEAR).count() < first
    assert FlagRun.objects.filter(year=YEAR).count() == 2


def test_flags_are_computed_in_a_fixed_number_of_queries_whatever_the_tree(
    cast, django_assert_max_num_queries
):
    flags_compute(year=YEAR)
    for n in range(10):
        branch = OrganizationFactory(name=f"新支部{n}", code=f"C02001{n + 10:03d}", parent=cast.township_b)
        MemberFactory(organization=branch, birth_date=date(1960, 1, 1))
    with django_assert_max_num_queries(30):
        flags_compute(year=YEAR)
