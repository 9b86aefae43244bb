"""A rehearsal: test codes, test votes, the big screen and a test tally, cleared in one audited
step before the real vote; test ballots never mix with real ones."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuzhi.ballots.models import Ballot, BallotCode, CodeUse, Meeting, RehearsalBallot, RehearsalMark
from shuzhi.ballots.selectors import meeting_suggestions, turnout
from shuzhi.ballots.services import (
    ballot_cast,
    codes_issue,
    rehearsal_clear,
    rehearsal_close,
    rehearsal_start,
    tally_counts,
    voting_close,
    voting_open,
)
from shuzhi.core.grades import Grade
from shuzhi.core.models import AuditEvent
from shuzhi.testing.meetings import county_meeting, tokens

pytestmark = pytest.mark.django_db


def _test_tokens(meeting, class_name):
    return [
        c.token
        for c in BallotCode.objects.filter(meeting=meeting, rehearsal=True, voter_class__name=class_name)
    ]


def test_a_rehearsal_runs_apart_and_is_cleared_in_one_step_before_the_real_vote(client, cast):
    meeting = county_meeting(cast, open_voting=False)
    real = tokens(meeting, "党员群众代表")
    assert rehearsal_start(actor=cast.county_organiser, meeting=meeting) == 5 + 8
    meeting.refresh_from_db()
    assert meeting.rehearsal == "open" and meeting.status == Meeting.Status.PREPARED
    with pytest.raises(ValidationError) as error:  # a real slip does not vote in the rehearsal
        ballot_cast(token=real[0], grades=dict.fromkeys(meeting.agenda, Grade.GOOD))
    assert error.value.code == "closed"
    test = _test_tokens(meeting, "党员群众代表")
    page = client.get(reverse("ballots:vote", args=[test[0]])).content.decode()
    assert "彩排测试票：单独保存，不计入正式结果" in page
    for token in test[:3]:
        ballot_cast(token=token, grades=dict.fromkeys(meeting.agenda, Grade.POOR), suggestion="测试意见")
    assert RehearsalBallot.objects.count() == 3 and RehearsalMark.objects.count() == 9
    assert not Ballot.objects.exists()
    assert [row["cast"] for row in turnout(meeting)] == [0, 3]
    client.force_login(cast.county_organiser)
    screen = client.get(reverse("ballots:screen", args=[meeting.pk])).content.decode()
    assert "彩排" in screen
    with pytest.raises(ValidationError) as error:  # before clearing, the real vote cannot open
        voting_open(actor=cast.county_organiser, meeting=meeting)
    assert "请先“清除彩排数据”" in error.value.messages[0]
    with pytest.raises(ValidationError):
        codes_issue(actor=cast.county_organiser, meeting=meeting)
    rehearsal_close(actor=cast.county_organiser, meeting=meeting)
    with pytest.raises(ValidationError):  # test voting has ended
        ballot_cast(token=test[4], grades=dict.fromkeys(meeting.agenda, Grade.GOOD))
    page = client.get(reverse("ballots:meeting", args=[meeting.pk])).content.decode()
    assert 'data-testid="rehearsal-results"' in page and "彩排测试计票结果" in page
    cleared = rehearsal_clear(actor=cast.county_organiser, meeting=meeting)
    assert cleared == {"test_ballots": 3, "test_codes_used": 3, "test_codes": 13}
    assert AuditEvent.objects.get(action="meeting.rehearsal_clear").changes["test_ballots"] == 3
    assert not RehearsalBallot.objects.exists() and not RehearsalMark.objects.exists()
    assert not CodeUse.objects.exists() and not BallotCode.objects.filter(rehearsal=True).exists()
    assert BallotCode.objects.filter(meeting=meeting).count() == 13  # the real slips untouched
    # the real vote starts from zero
    meeting = voting_open(actor=cast.county_organiser, meeting=meeting)
    assert [row["cast"] for row in turnout(meeting)] == [0, 0]
    with pytest.raises(ValidationError) as error:
        ballot_cast(token=test[5], grades=dict.fromkeys(meeting.agenda, Grade.GOOD))
    assert error.value.code == "unknown_code"
    ballot_cast(token=real[0], grades=dict.fromkeys(meeting.agenda, Grade.GOOD))
    meeting = voting_close(actor=cast.county_organiser, meeting=meeting)
    counts = tally_counts(meeting)
    assert sum(row["poor"] for row in counts.values()) == 0  # no test 差 among the real
    assert sum(row["good"] for row in counts.values()) == 3
    assert meeting_suggestions(meeting) == []


def test_a_test_code_never_votes_in_the_real_vote(cast):
    meeting = county_meeting(cast)  # voting open, no rehearsal
    code = BallotCode.objects.filter(meeting=meeting).first()
    BallotCode.objects.filter(pk=code.pk).update(rehearsal=True)  # as if a test slip survived
    with pytest.raises(ValidationError) as error:
        ballot_cast(token=code.token, grades=dict.fromkeys(meeting.agenda, Grade.GOOD))
    assert "这是彩排测试票" in error.value.messages[0]
    assert (
        not Ballot.objects.exists() and not RehearsalBallot.objects.exists() and not CodeUse.objects.exists()
    )


def test_rehearsal_refusals(client, cast):
    meeting = county_meeting(cast, open_voting=False)
    with pytest.raises(ValidationError) as error:
        rehearsal_clear(actor=cast.county_organiser, meeting=meeting)
    assert error.value.code == "not_rehearsing"
    with pytest.raises(ValidationError):
        rehearsal_start(actor=cast.township_secretary, meeting=meeting)
    client.force_login(cast.township_secretary)
    assert client.post(reverse("ballots:rehearsal_start", args=[meeting.pk])).status_code == 403
    client.force_login(cast.county_organiser)
    assert client.get(reverse("ballots:rehearsal_start", args=[meeting.pk])).status_code == 405
    client.post(reverse("ballots:rehearsal_start", args=[meeting.pk]))
    with pytest.raises(ValidationError):  # one rehearsal at a time
        rehearsal_start(actor=cast.county_organiser, meeting=meeting)
    client.post(reverse("ballots:rehearsal_clear", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.rehearsal == "" and meeting.agenda == []
    meeting = voting_open(actor=cast.county_organiser, meeting=meeting)
    with pytest.raises(ValidationError) as error:  # no rehearsal once the real vote has opened
        rehearsal_start(actor=cast.county_organiser, meeting=meeting)
    assert error.value.code == "frozen"
