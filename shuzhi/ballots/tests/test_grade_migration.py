import pytest
from django.db import DatabaseError, connection, transaction

from shuzhi.ballots.services import ballot_cast
from shuzhi.core.grades import Grade
from shuzhi.testing.meetings import all_grades, county_meeting, tokens
from shuzhi.testing.migrations import migrate_to

BEFORE = ("ballots", "0003_grade_choices")
AFTER = ("ballots", "0004_grade_words")


def _stored() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT grade FROM ballots_ballotmark ORDER BY grade")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.owner  # runs migrations
@pytest.mark.django_db(transaction=True)
def test_ballot_marks_are_respelled_as_words_and_back_and_stay_append_only(cast):
    meeting = county_meeting(cast)
    for token, grade in zip(tokens(meeting, "党员群众代表"), Grade, strict=False):
        ballot_cast(token=token, grades=all_grades(meeting, grade))
    assert _stored() == sorted(Grade.values)

    migrate_to(BEFORE)
    assert _stored() == sorted(["good", "fairly_good", "average", "poor"])
    migrate_to(AFTER)
    assert _stored() == sorted(Grade.values)

    # the append-only trigger is back after the rewrite
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ballots_ballotmark SET grade = %s", [Grade.POOR.value])
