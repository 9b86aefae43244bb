"""A voter class too small to be shown alone stays hidden at every door that shows counts: the
meeting page, the big screen, the result's explanation, results.xlsx, the 通报 and the 整改通知书.

The meeting: 区委常委 with 2 ballots (both 差 for 柳泉镇), 党员群众代表 with 8; the scheme weighs
区委常委 apart, so the explanation has a part for it."""

import io
import re

import docx
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shuzhi.ballots import rules
from shuzhi.ballots.models import Meeting
from shuzhi.ballots.selectors import classes_shown
from shuzhi.ballots.services import ballot_cast, meeting_tally, voting_close
from shuzhi.core.grades import Grade
from shuzhi.cycles.models import Cycle
from shuzhi.cycles.services import cycle_advance
from shuzhi.scoring.models import Result
from shuzhi.scoring.services import assessment_compute, assessment_publish, component_score_set
from shuzhi.testing.meetings import county_meeting, sign_off, tokens

pytestmark = pytest.mark.django_db

SMALL, LARGE = "区委常委", "党员群众代表"


@pytest.fixture
def assessed(cast):
    meeting = county_meeting(
        cast,
        classes=((SMALL, 2, "党委常委"), (LARGE, 8)),
        class_weights={"党委常委": 30, "*": 70},
        announce=True,
    )
    first = meeting.agenda[0]
    for token in tokens(meeting, SMALL):
        ballot_cast(token=token, grades={r: Grade.POOR if r == first else Grade.GOOD for r in meeting.agenda})
    for token in tokens(meeting, LARGE):
        ballot_cast(token=token, grades=dict.fromkeys(meeting.agenda, Grade.FAIRLY_GOOD))
    meeting = voting_close(actor=cast.county_organiser, meeting=meeting)
    sign_off(cast, meeting)
    meeting = meeting_tally(actor=cast.county_organiser, meeting=meeting)
    cycle = cycle_advance(actor=cast.county_organiser, cycle=meeting.cycle)
    Cycle.objects.filter(pk=cycle.pk).update(scheme={**cycle.scheme, "good_quota_percent": None})
    cycle.refresh_from_db()
    for reporter in cycle.reporters.all():
        for component in ("日常考核", "重点任务"):
            component_score_set(
                actor=cast.county_organiser, reporter=reporter, component=component, score="90"
            )
    assessment = assessment_compute(actor=cast.county_organiser, cycle=cycle)
    result = Result.objects.get(assessment=assessment, reporter_id=first)
    parts = {p["name"]: p for p in result.explanation["class_parts"]}
    assert parts["党委常委"]["classes"] == [SMALL] and parts["党委常委"]["counts"] == [
        0,
        0,
        0,
        2,
    ]  # stored as computed: the engine's record
    return meeting, assessment, result


def _cells(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}".*?</table>', html, re.S)
    assert found, testid
    return found.group(0)


def test_the_rule_hides_a_small_class_and_one_more_when_it_would_be_alone():
    assert rules.shown_classes({1: 2, 2: 8}, 5) == set()  # 2 alone would be total − 8
    assert rules.shown_classes({1: 2, 2: 8, 3: 9}, 5) == {3}
    assert rules.shown_classes({1: 2, 2: 3, 3: 9}, 5) == {3}  # two small ones: their sum only
    assert rules.shown_classes({1: 5, 2: 8}, 5) == {1, 2}


def test_the_explanation_page_hides_the_small_class(client, cast, assessed):
    meeting, _assessment, result = assessed
    assert classes_shown(Meeting.objects.get(pk=meeting.pk)) == set()
    client.force_login(cast.county_organiser)
    html = client.get(reverse("scoring:explain", args=[result.pk])).content.decode()
    table = _cells(html, "ballot-parts")
    row = re.search(r"<tr><td>党委常委.*?</tr>", table, re.S).group(0)  # the part of 区委常委
    assert "不足 5 票，不单列" in row
    assert not re.search(r'<td class="text-end">\d+</td>', row), row  # no 0 0 0 2, no converted score
    assert "30" in row  # the weight stays


def test_the_meeting_page_and_the_big_screen_hide_the_small_class(client, cast, assessed):
    meeting, _assessment, _result = assessed
    client.force_login(cast.county_organiser)
    page = _cells(client.get(reverse("ballots:meeting", args=[meeting.pk])).content.decode(), "results")
    assert f"{SMALL}：" in page and "不足 5 票，不单列" in page
    assert not re.search(rf"{SMALL}：\d", page)
    assert not re.search(rf"{LARGE}：\d", page)  # alone it would give the small class away
    screen = client.get(reverse("ballots:screen", args=[meeting.pk])).content.decode()
    assert 'data-testid="results"' in screen and SMALL not in _cells(screen, "results")


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_exports_and_documents_carry_no_class_counts(client, cast, assessed):
    _meeting, assessment, result = assessed
    assessment_publish(actor=cast.county_organiser, cycle=assessment.cycle, objection_days=0)
    client.force_login(cast.county_organiser)
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("scoring:results_xlsx", args=[assessment.cycle_id])).content)
    ).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert cells and not any(SMALL in c for c in cells)
    for url in (
        reverse("scoring:bulletin", args=[assessment.cycle_id]),
        reverse("scoring:notice", args=[result.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SMALL not in _docx_text(response.content), url
