"""The fact organisational life offers the assessment, by hand and through a cycle's scheme."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shuzhi.core import facts
from shuzhi.testing.factories import OrganizationFactory
from shuzhi.testing.records import year_of_records

pytestmark = pytest.mark.django_db


def _subject(org) -> facts.Subject:
    return facts.Subject(id=org.pk, path=org.path, name=org.name)


def test_the_rate_is_the_share_of_the_subtrees_branches_that_met_the_year(
    cast, django_assert_max_num_queries
):
    year = timezone.localdate().year - 1
    year_of_records(cast.village_a, year)
    year_of_records(cast.village_a2, year, skip_months=(2,))
    year_of_records(cast.village_b, year - 1)  # another year's records
    subjects = [
        _subject(o) for o in (cast.city, cast.county_a, cast.township_a, cast.village_a, cast.township_b)
    ]
    subjects.append(
        _subject(
            OrganizationFactory(name="空的党委", kind="committee", level="township", parent=cast.county_b)
        )
    )
    with django_assert_max_num_queries(2):  # the same for 2,000 subjects
        found = facts.collect("records.org_life_rate", year=year, subjects=subjects)
    assert found[cast.city.pk].value == Decimal("33.33")  # 1 of 3
    assert found[cast.township_a.pk].value == Decimal("50.00")
    assert found[cast.village_a.pk].value == Decimal("100.00")  # a branch rates itself
    assert found[cast.township_b.pk].value == Decimal("0.00")  # its one branch met nothing this year
    assert found[subjects[-1].id].value is None  # no branch: no data, never a score
    township = found[cast.township_a.pk]
    assert [(e.label, e.value) for e in township.evidence] == [
        ("党支部总数", "2"), ("全年按要求开展组织生活的党支部", "1"), ("未达到频次要求的党支部", "1")
    ]  # fmt: skip
    assert (
        township.evidence[2].link == f"/records/orgs/{cast.township_a.pk}/branches/?year={year}&status=missed"
    )
    assert township.summary == "2 个党支部中 1 个按要求开展组织生活；未达到：李集村党支部"


def test_a_cycles_component_takes_its_value_from_the_records_and_explains_it(client, cast):
    from shuzhi.cycles.models import Cycle
    from shuzhi.scoring.models import Result
    from shuzhi.scoring.services import assessment_compute, component_score_set
    from shuzhi.testing.meetings import tallied_cycle

    cycle, _meeting = tallied_cycle(cast)
    scheme = {**cycle.scheme}
    scheme["components"] = [
        {"name": "现场测评", "weight": 40, "source": "ballots"},
        {"name": "日常考核", "weight": 40, "source": "fact", "fact": "records.org_life_rate"},
        {"name": "重点任务", "weight": 20, "source": "entered"},
    ]
    Cycle.objects.filter(pk=cycle.pk).update(scheme=scheme)
    cycle.refresh_from_db()
    year_of_records(cast.village_a, cycle.year)
    year_of_records(cast.village_a2, cycle.year, secretary_teaches=False)
    for reporter in cycle.reporters.all():
        component_score_set(actor=cast.county_organiser, reporter=reporter, component="重点任务", score="90")
    assessment = assessment_compute(actor=cast.county_organiser, cycle=cycle)
    result = Result.objects.get(assessment=assessment, reporter__organization=cast.township_a)
    # 1 of 2 branches met the year → 50; ballots and the entered 90 as the scheme weighs them
    fact = result.explanation["sources"]["facts"]["日常考核"]
    assert fact["value"] == "50.00" and [e["value"] for e in fact["evidence"]] == ["2", "1", "1"]
    assert result.explanation["components"][1]["score"] == "50.00"
    client.force_login(cast.county_organiser)
    page = client.get(reverse("scoring:explain", args=[result.pk])).content.decode()
    assert "组织生活达标率" in page and "李集村党支部" in page
    link = f"/records/orgs/{cast.township_a.pk}/branches/?year={cycle.year}&amp;status=missed"
    assert link in page
    listed = client.get(reverse("records:branches", args=[cast.township_a.pk]),
                        {"year": cycle.year, "status": "missed"}).content.decode()  # fmt: skip
    assert "李集村党支部" in listed and "支部书记每年至少讲 1 次党课" in listed
