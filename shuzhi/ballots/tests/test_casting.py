import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shuzhi.ballots.models import Ballot, BallotMark, CodeUse, Meeting, TallyRow
from shuzhi.ballots.services import ballot_cast, voting_close, voting_open
from shuzhi.core.grades import Grade
from shuzhi.testing.meetings import all_grades, county_meeting, tokens

pytestmark = pytest.mark.django_db


def _rows() -> tuple[int, int, int]:
    return CodeUse.objects.count(), Ballot.objects.count(), BallotMark.objects.count()


def test_a_ballot_is_stored_apart_from_its_code(cast):
    meeting = county_meeting(cast)
    token = tokens(meeting, "区委常委")[0]
    grades = all_grades(meeting)
    grades[meeting.agenda[0]] = Grade.GOOD
    ballot_cast(token=token, grades=grades, suggestion="建议加强村级后备干部培养")
    assert _rows() == (1, 1, 3)
    ballot = Ballot.objects.get()
    assert ballot.voter_class.name == "区委常委" and ballot.suggestion == "建议加强村级后备干部培养"
    assert sorted(BallotMark.objects.values_list("grade", flat=True)) == sorted(
        [Grade.FAIRLY_GOOD, Grade.FAIRLY_GOOD, Grade.GOOD]
    )


def test_the_ballot_tables_hold_nothing_that_links_them_to_a_code_or_a_person(cast, caplog):
    meeting = county_meeting(cast)
    caplog.set_level(logging.DEBUG)
    used = tokens(meeting, "党员群众代表")[:3]
    for token in used:
        ballot_cast(token=token, grades=all_grades(meeting))
    columns = {f.column for model in (Ballot, BallotMark) for f in model._meta.concrete_fields}
    assert columns == {
        "id",
        "meeting_id",
        "voter_class_id",
        "suggestion",
        "ballot_id",
        "reporter_id",
        "grade",
        "scores",
    }
    with connection.cursor() as cursor:
        for table in ("ballots_ballot", "ballots_ballotmark"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            dump = repr(cursor.fetchall())
            assert not any(token in dump for token in used)
            assert cast.county_organiser.username not in dump
    assert not any(token in caplog.text for token in used)


def test_a_code_counts_once(cast):
    meeting = county_meeting(cast)
    token = tokens(meeting, "区委常委")[0]
    ballot_cast(token=token, grades=all_grades(meeting))
    with pytest.raises(ValidationError) as error:
        ballot_cast(token=token, grades=all_grades(meeting, Grade.GOOD))
    assert error.value.code == "used" and "只能投一次" in error.value.messages[0]
    assert _rows() == (1, 1, 3)


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("unknown", "unknown_code", "二维码无效"),
        ("incomplete", "invalid_ballot", "还有 1 位没有评价"),
        ("too_many_good", "invalid_ballot", "“好”最多只能评 1 个"),
        ("wrong_meeting", "wrong_meeting", "不属于本次会议"),
    ],
)
def test_every_refusal_leaves_no_row(cast, case, code, message):
    meeting = county_meeting(cast, max_good_count=1)
    token = tokens(meeting, "区委常委")[0]
    grades = all_grades(meeting)
    kwargs = {}
    if case == "unknown":
        token = "not-a-real-code"
    elif case == "incomplete":
        grades.pop(meeting.agenda[-1])
    elif case == "too_many_good":
        grades = all_grades(meeting, Grade.GOOD)
    elif case == "wrong_meeting":
        kwargs["meeting_id"] = meeting.pk + 1000
    with pytest.raises(ValidationError) as error:
        ballot_cast(token=token, grades=grades, **kwargs)
    assert code in {e.code for e in error.value.error_list}
    assert any(message in m for m in error.value.messages), error.value.messages
    assert _rows() == (0, 0, 0)


def test_no_ballot_before_voting_opens_or_after_it_closes(cast):
    meeting = county_meeting(cast, open_voting=False)
    token = tokens(meeting, "区委常委")[0]
    with pytest.raises(ValidationError) as error:
        ballot_cast(
            token=token, grades=dict.fromkeys([r.pk for r in meeting.cycle.reporters.all()], Grade.GOOD)
        )
    assert "尚未开始" in error.value.messages[0]
    meeting = voting_open(actor=cast.county_organiser, meeting=meeting)
    voting_close(actor=cast.county_organiser, meeting=meeting)
    with pytest.raises(ValidationError) as error:
        ballot_cast(token=token, grades=all_grades(meeting))
    assert error.value.code == "closed" and "已经结束" in error.value.messages[0]
    assert _rows() == (0, 0, 0)


def test_percent_rule_and_items_are_checked(cast):
    meeting = county_meeting(cast, max_good_percent=40, items=["班子建设", "党员管理"], item_max=10)
    token = tokens(meeting, "区委常委")[0]
    grades = all_grades(meeting)
    grades[meeting.agenda[0]] = Grade.GOOD
    grades[meeting.agenda[1]] = Grade.GOOD  # 2 of 3 = 66% > 40% (at most 1)
    with pytest.raises(ValidationError) as error:
        ballot_cast(token=token, grades=grades, scores={r: [8, 9] for r in meeting.agenda})
    assert "“好”最多只能评 1 个" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        ballot_cast(token=token, grades=all_grades(meeting), scores={r: [8, 11] for r in meeting.agenda})
    assert "0 到 10" in error.value.messages[0]
    ballot_cast(token=token, grades=all_grades(meeting), scores={r: [8, 9] for r in meeting.agenda})
    assert list(BallotMark.objects.values_list("scores", flat=True)) == [[8, 9]] * 3


def test_ballots_cannot_be_changed_or_deleted(cast):
    meeting = county_meeting(cast)
    ballot_cast(token=tokens(meeting, "区委常委")[0], grades=all_grades(meeting))
    with pytest.raises(ValidationError):
        BallotMark.objects.update(grade=Grade.POOR)
    with pytest.raises(ValidationError):
        Ballot.objects.all().delete()
    ballot = Ballot.objects.get()
    with pytest.raises(ValidationError):
        ballot.save()
    with pytest.raises(Exception, match=r"append-only|permission denied"), connection.cursor() as cursor:
        cursor.execute("UPDATE ballots_ballotmark SET grade = '差'")


def test_closing_counts_every_ballot_per_reporter_and_class(cast):
    meeting = county_meeting(cast)
    first, second, third = meeting.agenda
    for i, token in enumerate(tokens(meeting, "党员群众代表")[:6]):
        ballot_cast(
            token=token,
            grades={
                first: Grade.GOOD if i < 4 else Grade.FAIRLY_GOOD,
                second: Grade.AVERAGE,
                third: Grade.POOR,
            },
        )
    ballot_cast(
        token=tokens(meeting, "区委常委")[0],
        grades={first: Grade.GOOD, second: Grade.GOOD, third: Grade.GOOD},
    )
    meeting = voting_close(actor=cast.county_organiser, meeting=meeting)
    assert meeting.status == Meeting.Status.VOTING_CLOSED
    rows = {
        (r.reporter_id, r.voter_class.name): (r.good, r.fairly_good, r.average, r.poor, r.phone)
        for r in TallyRow.objects.all()
    }
    assert rows[(first, "党员群众代表")] == (4, 2, 0, 0, 6)
    assert rows[(second, "党员群众代表")] == (0, 0, 6, 0, 6)
    assert rows[(third, "区委常委")] == (1, 0, 0, 0, 1)
