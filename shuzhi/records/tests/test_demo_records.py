"""The demo city's year of organisational life: realistic, deterministic, judged."""

from datetime import date

import pytest

from shuzhi.demo.generator import CityGenerator, RecordsPlan
from shuzhi.demo.services import city_write, demo_records_ensure
from shuzhi.orgs.models import Organization
from shuzhi.records.models import Attendance, Completion, Meeting
from shuzhi.records.selectors import rollup

pytestmark = pytest.mark.django_db


def test_the_plan_is_deterministic_and_most_branches_keep_their_frequencies():
    plan = RecordsPlan(seed=7)
    until = date(2026, 12, 3)
    assert plan.year("X1", 2025, until=until) == RecordsPlan(seed=7).year("X1", 2025, until=until)
    years = [plan.year(f"B{i}", 2025, until=until) for i in range(400)]
    sizes = sorted(len(y) for y in years)
    assert sizes[-1] == 45 and sizes[0] < 35  # 12 × 3 monthly + 4 + 4 + 1; lax branches far fewer
    assert 30 <= sum(sizes) / len(sizes) <= 45  # ≈ 650,000 records for a city's ~17,000 branches
    assert all(m.held_on <= date(2026, 3, 31) for m in plan.year("B1", 2026, until=date(2026, 3, 31)))


def test_the_demo_city_gets_a_year_of_records_with_attendance_and_a_mixed_completion():
    stats = city_write(
        generator=CityGenerator(seed=3, organizations=320, members=800, as_of=date(2026, 12, 3))
    )
    written = demo_records_ensure(root=stats.root, year=2025, until=date(2026, 12, 3), seed=3)
    assert written == Meeting.objects.count() > 0
    assert demo_records_ensure(root=stats.root, year=2025, until=date(2026, 12, 3), seed=3) == 0  # once
    meeting = Meeting.objects.filter(present_count__gt=0).first()
    assert Attendance.objects.filter(meeting=meeting, present=True).count() == meeting.present_count
    assert not Attendance.objects.filter(present=False, absence="").exists()
    summary = rollup(org=stats.root, year=2025)
    branches = Organization.objects.filter(kind="branch").count()
    assert summary.branches == branches and 0 < summary.met < branches  # some branches incomplete
    assert Completion.objects.filter(year=2025).count() == summary.recorded


def test_the_demo_dues_have_exemptions_and_some_flagged_arrears():
    from shuzhi.demo.services import demo_dues_ensure
    from shuzhi.records.models import DuesAccount, DuesPayment
    from shuzhi.records.selectors import dues_sheet

    stats = city_write(
        generator=CityGenerator(seed=3, organizations=320, members=800, as_of=date(2026, 12, 3))
    )
    written = demo_dues_ensure(root=stats.root, year=2025, until=date(2026, 12, 3), seed=3)
    assert written == DuesPayment.objects.count() > 0
    assert demo_dues_ensure(root=stats.root, year=2025, until=date(2026, 12, 3), seed=3) == 0
    assert DuesAccount.objects.filter(year=2025).count() == 800
    assert DuesAccount.objects.filter(exempt=True).exists()
    flagged = 0
    for branch in Organization.objects.filter(kind="branch", member_count__gt=0)[:60]:
        rows = dues_sheet(org=branch, year=2025, today=date(2026, 12, 3))
        flagged += sum(1 for r in rows if r.arrears and r.arrears.flagged)
    assert flagged > 0


def test_the_demo_commitments_are_reviewed_for_a_past_year_only():
    from shuzhi.demo.services import demo_commitments_ensure
    from shuzhi.records.models import Commitment

    stats = city_write(
        generator=CityGenerator(seed=3, organizations=320, members=800, as_of=date(2026, 12, 3))
    )
    assert demo_commitments_ensure(root=stats.root, year=2020, seed=3) > 0
    assert demo_commitments_ensure(root=stats.root, year=2099, seed=3) > 0
    assert not Commitment.objects.filter(year=2020, status="pending").exists()
    assert Commitment.objects.filter(year=2020, status="partly").exclude(review_note="").exists()
    assert set(Commitment.objects.filter(year=2099).values_list("status", flat=True)) == {"pending"}
    assert demo_commitments_ensure(root=stats.root, year=2020, seed=3) == 0
