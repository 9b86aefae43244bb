"""The sources the county secretaries' scheme can choose: per county, 0–100 with links back."""

from datetime import date
from decimal import Decimal

import pytest

from shuzhi.core import facts
from shuzhi.testing.records import branch_secretary
from shuzhi.weakorgs import services

pytestmark = pytest.mark.django_db
YEAR = date.today().year


def _subjects(cast):
    return [
        facts.Subject(id=o.pk, path=o.path, name=o.name) for o in (cast.county_a, cast.county_b, cast.city)
    ]


def test_both_sources_are_registered_as_scores():
    assert facts.get("weakorgs.weak_count").kind == facts.FactKind.SCORE
    assert facts.get("weakorgs.closure_rate").kind == facts.FactKind.SCORE


def test_weak_count_is_the_share_not_listed_and_removed_entries_do_not_count(cast):
    services.entry_add(actor=cast.county_organiser, org=cast.village_a, year=YEAR, reason="一")
    removed = services.entry_add(actor=cast.county_organiser, org=cast.village_a2, year=YEAR, reason="二")
    services.entry_remove(actor=cast.county_organiser, entry=removed, reason="核实")
    found = facts.collect("weakorgs.weak_count", year=YEAR, subjects=_subjects(cast))
    assert found[cast.county_a.pk].value == Decimal(50)  # one of two branches listed
    assert found[cast.county_b.pk].value == Decimal(100)
    assert found[cast.city.pk].value == Decimal("66.67")
    assert "王庄村党支部" in found[cast.county_a.pk].summary
    assert all("/weak/list/" in e.link for e in found[cast.county_a.pk].evidence)


def test_closure_rate_counts_closed_entries_and_is_no_data_without_any(cast):
    secretary = branch_secretary(cast.village_a)
    entry = services.entry_add(actor=cast.county_organiser, org=cast.village_a, year=YEAR, reason="一")
    services.entry_add(actor=cast.county_organiser, org=cast.village_a2, year=YEAR, reason="二")
    services.plan_set(actor=secretary, entry=entry, problems="问题", measures="措施", deadline=date(YEAR, 12, 31),
                      responsible_leader="刘强", liaison_leader="", first_secretary="")  # fmt: skip
    services.progress_add(actor=secretary, entry=entry, on=date.today(), text="进展")
    services.acceptance_request(actor=secretary, entry=entry)
    services.acceptance_decide(actor=cast.county_organiser, entry=entry, passed=True, opinion="同意")
    services.entry_close(actor=cast.county_organiser, entry=entry)
    found = facts.collect("weakorgs.closure_rate", year=YEAR, subjects=_subjects(cast))
    assert found[cast.county_a.pk].value == Decimal(50)
    assert found[cast.county_b.pk].value is None and found[cast.county_b.pk].evidence == ()
