"""Before publication, results are seen only by those who run the cycle (the county's 组织部):
every page, export, document and partial that shows them, tried by each other role that can reach
the cycle — a reviewer, the city's 组织部 above, a reporting secretary, a member."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shuzhi.ballots.models import Meeting
from shuzhi.scoring.models import Result
from shuzhi.scoring.services import assessment_compute, assessment_publish, component_score_set
from shuzhi.testing.meetings import tallied_cycle

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def computed(cast):
    cycle, meeting = tallied_cycle(cast)
    for reporter in cycle.reporters.all():
        for component in ("日常考核", "重点任务"):
            component_score_set(
                actor=cast.county_organiser, reporter=reporter, component=component, score="88"
            )
    assessment = assessment_compute(actor=cast.county_organiser, cycle=cycle)
    result = Result.objects.get(assessment=assessment, reporter__organization=cast.township_a)
    return cycle, meeting, assessment, result


def _doors(cycle, meeting, result) -> dict[str, str]:
    return {
        "results page": reverse("scoring:index", args=[cycle.pk]),
        "results.xlsx": reverse("scoring:results_xlsx", args=[cycle.pk]),
        "explanation": reverse("scoring:explain", args=[result.pk]),
        "reporter's scores": reverse("scoring:reporter", args=[cycle.pk, result.reporter_id]),
        "通报": reverse("scoring:bulletin", args=[cycle.pk]),
        "干部考核衔接表": reverse("scoring:cadre_xlsx", args=[cycle.pk]),
        "整改通知书": reverse("scoring:notice", args=[result.pk]),
        "meeting page": reverse("ballots:meeting", args=[meeting.pk]),
        "big screen": reverse("ballots:screen", args=[meeting.pk]),
        "big screen partial": reverse("ballots:screen", args=[meeting.pk]),
    }


def _shows_results(client, what: str, url: str, result: Result) -> bool:
    """Whether the door lets the results through: a file, or a page with the grades or counts."""
    headers = {"HTTP_HX_REQUEST": "true"} if what.endswith("partial") else {}
    response = client.get(url, **headers)
    if response.status_code != 200:
        return False
    if response["Content-Type"] in (XLSX, DOCX):
        return True
    body = response.content.decode()
    if 'data-testid="components"' in body:  # the explanation's table of components
        return True
    return 'data-testid="results"' in body and (
        f'data-grade="{result.reporter.organization.name}"' in body or "好评率" in body
    )


@pytest.mark.parametrize("who", ["reviewer", "city_organiser", "township_secretary", "member_user"])
def test_before_publication_no_door_shows_results_to_anyone_but_those_running_the_cycle(
    client, cast, computed, who
):
    cycle, meeting, _assessment, result = computed
    client.force_login(getattr(cast, who))
    leaks = [
        what
        for what, url in _doors(cycle, meeting, result).items()
        if _shows_results(client, what, url, result)
    ]
    assert leaks == []
    if who == "reviewer":  # the refusals are refusals, not empty files
        assert client.get(reverse("scoring:results_xlsx", args=[cycle.pk])).status_code == 403
        assert client.get(reverse("scoring:explain", args=[result.pk])).status_code == 404
        assert client.get(reverse("scoring:reporter", args=[cycle.pk, result.reporter_id])).status_code == 403
        page = client.get(reverse("scoring:index", args=[cycle.pk])).content.decode()
        assert "考核结果尚未公布" in page and "results_xlsx" not in page and "results.xlsx" not in page


def test_those_running_the_cycle_see_everything_before_publication(client, cast, computed):
    cycle, meeting, _assessment, result = computed
    client.force_login(cast.county_organiser)
    for what in ("results page", "results.xlsx", "explanation", "meeting page"):
        assert _shows_results(client, what, _doors(cycle, meeting, result)[what], result), what
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("scoring:results_xlsx", args=[cycle.pk])).content)
    ).active
    assert any(cast.township_a.name in str(c) for row in sheet.iter_rows(values_only=True) for c in row)


def test_after_publication_the_reviewer_sees_the_results(client, cast, computed):
    cycle, meeting, _assessment, result = computed
    assessment_publish(actor=cast.county_organiser, cycle=cycle, objection_days=3)
    client.force_login(cast.reviewer)
    for what in ("results page", "results.xlsx", "explanation", "通报", "meeting page"):
        assert _shows_results(client, what, _doors(cycle, meeting, result)[what], result), what


def test_counts_announced_in_the_room_are_shown_to_those_who_were_there(client, cast, computed):
    _cycle, meeting, _assessment, result = computed
    Meeting.objects.filter(pk=meeting.pk).update(announce=True)
    client.force_login(cast.reviewer)
    assert _shows_results(client, "meeting page", reverse("ballots:meeting", args=[meeting.pk]), result)
    assert _shows_results(client, "big screen", reverse("ballots:screen", args=[meeting.pk]), result)


def test_the_accountability_form_offers_no_unpublished_result(client, cast, computed):
    """问责 records link a unit's results: an unpublished one is not offered (nor its grade)."""
    cycle, _meeting, _assessment, result = computed
    url = reverse("rectification:accountability")
    client.force_login(cast.city_organiser)  # the 组织部 above, who may record 问责 in the county
    lookup = client.post(url, {"unit": cast.township_a.code, "action": "lookup"}).content.decode()
    assert f'name="results" value="{result.pk}"' not in lookup
    assessment_publish(actor=cast.county_organiser, cycle=cycle, objection_days=3)
    lookup = client.post(url, {"unit": cast.township_a.code, "action": "lookup"}).content.decode()
    assert f'name="results" value="{result.pk}"' in lookup
