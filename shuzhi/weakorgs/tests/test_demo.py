"""The demo city's 软弱涣散: flags computed, the list filled by county, 整顿 at every stage."""

import pytest
from django.utils import timezone

from shuzhi.demo.generator import CityGenerator
from shuzhi.demo.services import city_write, demo_accounts_ensure, demo_records_ensure, demo_weakorgs_ensure
from shuzhi.weakorgs.models import Entry, Flag, LiaisonPoint, Visit

pytestmark = pytest.mark.django_db


def test_the_demo_lists_flagged_villages_at_every_stage_and_runs_once(tmp_path):
    today = timezone.localdate()
    year = today.year - 1
    stats = city_write(generator=CityGenerator(seed=3, organizations=320, members=800, as_of=today))
    demo_accounts_ensure(root=stats.root, logins_file=tmp_path / "logins.json")
    demo_records_ensure(root=stats.root, year=year, until=today, seed=3)
    listed = demo_weakorgs_ensure(root=stats.root, year=year, seed=3)
    assert listed > 0 and Flag.objects.filter(year=year).exists()
    statuses = set(Entry.objects.filter(year=year).values_list("status", flat=True))
    assert {Entry.Status.CLOSED, Entry.Status.AWAITING, Entry.Status.LISTED} <= statuses
    assert all(e.flags for e in Entry.objects.filter(year=year))  # listed from the data
    assert Entry.objects.filter(year=year + 1).count() == 1
    assert LiaisonPoint.objects.exists() and Visit.objects.exists()  # listed again: its history shows
    assert demo_weakorgs_ensure(root=stats.root, year=year, seed=3) == 0


def test_the_demo_sets_floors_fills_every_villages_figures_and_suggests_talks(tmp_path):
    from shuzhi.demo.guarantees import guarantees_write
    from shuzhi.weakorgs import guarantee_selectors as gs
    from shuzhi.weakorgs.models import GuaranteeFigure, GuaranteeFloor, TalkDraft

    today = timezone.localdate()
    year = today.year - 1
    stats = city_write(generator=CityGenerator(seed=3, organizations=320, members=800, as_of=today))
    demo_accounts_ensure(root=stats.root, logins_file=tmp_path / "logins.json")
    written = guarantees_write(root=stats.root, year=year, seed=3, audited=True)
    units = gs.units_under(stats.root.path)
    assert GuaranteeFloor.objects.filter(organization=stats.root, year=year).exists()
    assert written == GuaranteeFigure.objects.filter(year=year).count() and 0.85 * len(
        units
    ) < written <= len(units)
    rows, judged = gs.table(stats.root, year)
    assert any(j.shortfalls for j in judged) and any(j.met for j in judged)
    assert TalkDraft.objects.filter(year=year).count() == sum(
        1 for r in rows if r.short and r.org.level == "county"
    )
    assert guarantees_write(root=stats.root, year=year, seed=3, audited=True) == 0
