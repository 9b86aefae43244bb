"""Class weights point at the meeting's voter classes: a county's 区委常委 is set to count under
the scheme's weighted 党委常委 class, and the assessment weighs it so, by hand-computed figures;
opening the vote refuses a weighted class no voter class counts under."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuzhi.ballots.models import Meeting, VoterClass
from shuzhi.ballots.services import (
    ballot_cast,
    meeting_tally,
    voter_class_add,
    voter_class_point,
    voting_close,
    voting_open,
)
from shuzhi.core.grades import Grade
from shuzhi.core.models import AuditEvent
from shuzhi.cycles.models import Cycle
from shuzhi.cycles.services import cycle_advance
from shuzhi.scoring.models import Result
from shuzhi.scoring.services import assessment_compute, component_score_set
from shuzhi.testing.meetings import county_meeting, sign_off, tokens

pytestmark = pytest.mark.django_db

G, F, A, P = Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE, Grade.POOR


def _weigh(meeting: Meeting, weights: dict[str, int]) -> None:
    cycle = meeting.cycle
    Cycle.objects.filter(pk=cycle.pk).update(scheme={**cycle.scheme, "class_weights": weights})
    meeting.cycle.refresh_from_db()


def test_a_weighted_committee_class_runs_through_the_assessment_with_hand_computed_results(cast, client):
    meeting = county_meeting(cast, open_voting=False)  # 区委常委 → 党委常委, 党员群众代表 → 其他
    _weigh(meeting, {"党委常委": 60, "*": 40})
    meeting = voting_open(actor=cast.county_organiser, meeting=meeting)
    first, *rest = meeting.agenda
    committee = [G, G, G, F, F]  # (3 × 100 + 2 × 85) / 5 = 94
    members = [G, G, G, G, F, F, A, P]  # (4 × 100 + 2 × 85 + 70 + 50) / 8 = 86.25
    for token, grade in zip(tokens(meeting, "区委常委"), committee, strict=True):
        ballot_cast(token=token, grades={first: grade, **dict.fromkeys(rest, F)})
    for token, grade in zip(tokens(meeting, "党员群众代表"), members, strict=True):
        ballot_cast(token=token, grades={first: grade, **dict.fromkeys(rest, A)})
    meeting = voting_close(actor=cast.county_organiser, meeting=meeting)
    sign_off(cast, meeting)
    meeting = meeting_tally(actor=cast.county_organiser, meeting=meeting)
    cycle = cycle_advance(actor=cast.county_organiser, cycle=meeting.cycle)
    for reporter in cycle.reporters.all():
        component_score_set(actor=cast.county_organiser, reporter=reporter, component="日常考核", score="90")
        component_score_set(actor=cast.county_organiser, reporter=reporter, component="重点任务", score="80")
    assessment = assessment_compute(actor=cast.county_organiser, cycle=cycle)

    result = Result.objects.get(assessment=assessment, reporter_id=first)
    x = result.explanation
    # 0.6 × 94 + 0.4 × 86.25 = 56.4 + 34.5 = 90.9 (pooled by name it was (470 + 690) / 13 = 89.23)
    assert x["ballot_grade_score"] == "90.90"
    parts = {p["name"]: p for p in x["class_parts"]}
    assert parts["党委常委"]["classes"] == ["区委常委"] and parts["党委常委"]["counts"] == [3, 2, 0, 0]
    assert parts["党委常委"]["score"] == "94.00" and parts["党委常委"]["weight"] == "60.00"
    assert parts["*"]["classes"] == ["党员群众代表"] and parts["*"]["score"] == "86.25"
    assert parts["*"]["weight"] == "40.00"
    # 0.4 × 90.9 + 0.4 × 90 + 0.2 × 80 = 36.36 + 36 + 16 = 88.36 → 较好
    assert result.score == Decimal("88.36") and result.grade_by_score == "较好"
    assert Decimal(x["committee_good_rate"]) == Decimal("0.6")  # 3 of the 区委常委's 5
    other = Result.objects.get(assessment=assessment, reporter_id=rest[0])
    # committee 较好 85 × 0.6 + members 一般 70 × 0.4 = 51 + 28 = 79
    assert other.explanation["ballot_grade_score"] == "79.00"
    # the explanation names the meeting's class behind the scheme's weighted one
    client.force_login(cast.county_organiser)
    page = client.get(reverse("scoring:explain", args=[result.pk])).content.decode()
    assert "党委常委" in page and "本次会议：区委常委" in page


def test_opening_the_vote_refuses_a_weighted_class_the_meeting_lacks(cast):
    # before: 区委常委 never matched the scheme's name and silently fell into the pooled group
    meeting = county_meeting(cast, open_voting=False, classes=(("区委常委", 5), ("党员群众代表", 8)))
    assert set(meeting.classes.values_list("scheme_class", flat=True)) == {""}
    with pytest.raises(ValidationError) as refused:
        voting_open(actor=cast.county_organiser, meeting=meeting)
    assert any("考核方案给“党委常委”类别 50% 的权重" in m for m in refused.value.messages)
    meeting.refresh_from_db()
    assert (
        meeting.status == Meeting.Status.PREPARED
        and not AuditEvent.objects.filter(action="meeting.open").exists()
    )
    voter_class_point(
        actor=cast.county_organiser, voter_class=meeting.classes.get(name="区委常委"), scheme_class="党委常委"
    )
    assert voting_open(actor=cast.county_organiser, meeting=meeting).status == Meeting.Status.VOTING_OPEN


def test_a_class_of_the_same_name_points_at_it_and_an_unknown_scheme_class_is_refused(cast):
    meeting = county_meeting(cast, open_voting=False, classes=())
    same = voter_class_add(actor=cast.county_organiser, meeting=meeting, name="党委常委", ballots=3)
    assert same.scheme_class == "党委常委"
    with pytest.raises(ValidationError) as refused:
        voter_class_add(
            actor=cast.county_organiser, meeting=meeting, name="党代表", ballots=3, scheme_class="市委常委"
        )
    assert refused.value.message_dict["scheme_class"] == [
        "考核方案中没有“市委常委”类别，可选：党委常委，或留空计入“其他”。"
    ]
    assert not VoterClass.objects.filter(name="党代表").exists()


def test_the_meeting_page_sets_the_scheme_class_and_says_what_stops_the_vote(client, cast):
    meeting = county_meeting(cast, open_voting=False, classes=(("区委常委", 5),))
    client.force_login(cast.county_organiser)
    page = client.get(reverse("ballots:meeting", args=[meeting.pk])).content.decode()
    assert "本次会议没有投票人类别计入该类" in page
    voter_class = meeting.classes.get()
    url = reverse("ballots:class_point", args=[meeting.pk, voter_class.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"scheme_class": "党委常委"})
    voter_class.refresh_from_db()
    assert voter_class.scheme_class == "党委常委"
    assert AuditEvent.objects.filter(action="meeting.class_point").count() == 1
    client.force_login(cast.township_secretary)
    assert client.post(url, {"scheme_class": ""}).status_code == 403
    voter_class.refresh_from_db()
    assert voter_class.scheme_class == "党委常委"
    client.force_login(cast.county_organiser)
    client.post(
        reverse("ballots:class_add", args=[meeting.pk]), {"name": "党代表", "ballots": 4, "scheme_class": ""}
    )
    assert meeting.classes.get(name="党代表").scheme_class == ""
