"""The demo city's year of commitments: declarations in every state, rated quarters, a late list."""

from datetime import date

import pytest
from django.utils import timezone

from shuzhi.demo.generator import CityGenerator
from shuzhi.demo.projects import demo_projects_ensure
from shuzhi.demo.services import city_write, demo_accounts_ensure, demo_cycle_ensure
from shuzhi.projects import surveys
from shuzhi.projects.models import Declaration, Progress, Project, Questionnaire, Rating, Round
from shuzhi.projects.selectors import ranking, survey_summary

pytestmark = pytest.mark.django_db


def test_the_demo_round_has_declarations_in_every_state_and_rated_quarters(tmp_path):
    today = timezone.localdate()
    stats = city_write(generator=CityGenerator(seed=3, organizations=320, members=800, as_of=today))
    demo_accounts_ensure(root=stats.root, logins_file=tmp_path / "logins.json")
    demo_cycle_ensure(root=stats.root)
    declared = demo_projects_ensure(root=stats.root, seed=3)
    assert declared > 0 and demo_projects_ensure(root=stats.root, seed=3) == 0  # once
    round_ = Round.objects.get()
    statuses = set(round_.declarations.values_list("status", flat=True))
    assert Declaration.Status.ACCEPTED in statuses and Declaration.Status.NOT_STARTED in statuses
    assert Project.objects.filter(exemplary=True).count() == 1
    due = [q for q in (1, 2, 3, 4) if today > round_.quarter_due(q)]
    if due:  # in January nothing is due yet
        assert Rating.objects.count() == Progress.objects.count() > 0
        assert any(row.score is not None for _group, rows in ranking(round_, quarter=1) for row in rows)
    assert round_.declare_due == date(today.year, 1, 31)
    closed, live = Questionnaire.objects.order_by("id")
    assert (closed.status, closed.responses, live.status) == ("closed", 24, "published")
    hidden, summaries = survey_summary(closed)
    assert not hidden and sum(r["count"] for r in summaries[0].rows) == 24
    assert surveys.declaration_for_findings(closed) is not None  # a finding can go into its problem list


def test_the_city_generator_writes_units_times_two_projects_times_four_rated_quarters():
    from shuzhi.demo.projects import city_projects_write

    today = timezone.localdate()
    stats = city_write(generator=CityGenerator(seed=5, organizations=320, members=800, as_of=today))
    assert city_projects_write(root=stats.root, year=today.year, units=40, seed=5) == 80
    assert city_projects_write(root=stats.root, year=today.year, units=40, seed=5) == 0  # once
    round_ = Round.objects.get()
    assert round_.declarations.count() == 40
    assert Progress.objects.count() == Rating.objects.count() == 320
    groups = ranking(round_, quarter=4)
    assert len(groups) == 4 and all(row.rank is not None for _g, rows in groups for row in rows)
