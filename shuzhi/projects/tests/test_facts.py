"""The supervision ratings offered to the assessment, by hand and through a cycle's scheme."""

from decimal import Decimal

import pytest
from django.urls import reverse

from shuzhi.core import facts
from shuzhi.projects import services
from shuzhi.testing.projects import accepted, supervisor

pytestmark = pytest.mark.django_db


def _subject(org) -> facts.Subject:
    return facts.Subject(id=org.pk, path=org.path, name=org.name)


def _two_ratings(cast, **kwargs):
    round_, project = accepted(cast, **kwargs)
    office = supervisor(cast.county_a)
    for quarter, label in ((1, "好"), (2, "一般")):
        progress = services.progress_submit(
            actor=cast.township_secretary, project=project, quarter=quarter, done="d"
        )
        services.rating_record(actor=office, progress=progress, label=label, comment="c")
    return round_, project


def test_the_source_is_registered_and_averages_the_ratings_of_the_subtree_with_links(
    cast, django_assert_max_num_queries
):
    assert facts.get("projects.supervision_rating").kind == facts.FactKind.SCORE
    round_, project = _two_ratings(cast)
    subjects = [
        _subject(o) for o in (cast.city, cast.county_a, cast.township_a, cast.village_a, cast.township_b)
    ]
    with django_assert_max_num_queries(1):  # the same for 2,000 subjects
        found = facts.collect("projects.supervision_rating", year=round_.year, subjects=subjects)
    assert found[cast.township_a.pk].value == Decimal("85.00")  # (100 + 70) / 2
    assert found[cast.city.pk].value == Decimal("85.00")
    assert found[cast.township_b.pk].value is None and found[cast.village_a.pk].value is None
    evidence = found[cast.township_a.pk].evidence
    assert [e.value for e in evidence] == ["好（100）", "一般（70）"]
    assert evidence[0].link == reverse("projects:project", args=[project.pk]) + "#q1"
    assert (
        facts.collect("projects.supervision_rating", year=round_.year - 1, subjects=subjects)[
            cast.township_a.pk
        ].value
        is None
    )


def test_a_cycles_component_takes_the_supervision_rating_and_the_explanation_links_back(client, cast):
    from shuzhi.cycles.models import Cycle
    from shuzhi.scoring.models import Result
    from shuzhi.scoring.services import assessment_compute
    from shuzhi.testing.meetings import tallied_cycle

    cycle, _meeting = tallied_cycle(cast)
    scheme = {**cycle.scheme}
    scheme["components"] = [
        {"name": "现场测评", "weight": 60, "source": "ballots"},
        {"name": "专项考核", "weight": 40, "source": "fact", "fact": "projects.supervision_rating"},
    ]
    Cycle.objects.filter(pk=cycle.pk).update(scheme=scheme)
    _round, project = _two_ratings(cast, year=cycle.year)
    assessment = assessment_compute(actor=cast.county_organiser, cycle=cycle)
    result = Result.objects.get(assessment=assessment, reporter__organization=cast.township_a)
    assert result.explanation["sources"]["facts"]["专项考核"]["value"] == "85.00"
    client.force_login(cast.county_organiser)
    page = client.get(reverse("scoring:explain", args=[result.pk])).content.decode()
    assert "书记领办项目督查评价" in page
    assert reverse("projects:project", args=[project.pk]) + "#q2" in page
