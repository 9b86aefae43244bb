"""The data migrations of issue 11 B on rows made before it: a class named like a weighted scheme
class keeps counting under it; of the overall comments once stored per reporter, the latest
becomes the meeting's and the others stay on their reporter as ordinary comments."""

import pytest
from django.utils import timezone

from shuzhi.ballots.models import Comment, VoterClass
from shuzhi.testing.meetings import county_meeting
from shuzhi.testing.migrations import latest, migrate_to

BEFORE = ("ballots", "0005_voter_class_scheme_class")


@pytest.mark.owner  # runs migrations
@pytest.mark.django_db(transaction=True)
def test_old_meetings_keep_their_weights_and_their_overall_comment_moves_to_the_meeting(cast):
    meeting = county_meeting(
        cast, open_voting=False, classes=(("党委常委", 5, "党委常委"), ("党员群众代表", 8, ""))
    )
    newest = latest("ballots")[0]
    old = migrate_to(BEFORE)
    OldClass, OldComment = old.get_model("ballots", "VoterClass"), old.get_model("ballots", "Comment")
    OldClass.objects.update(scheme_class="")  # as every class was before it could point anywhere
    first, second, _third = meeting.cycle.reporters.order_by("pk")
    now = timezone.now()
    for reporter, text, minutes in ((first, "较早的总体点评", 2), (second, "最后的总体点评", 1)):
        OldComment.objects.create(meeting_id=meeting.pk, reporter_id=reporter.pk, author_id=cast.county_organiser.pk,
                                  text=text, is_final=True, created_at=now - timezone.timedelta(minutes=minutes),
                                  updated_at=now)  # fmt: skip
    migrate_to(newest)
    assert dict(VoterClass.objects.values_list("name", "scheme_class")) == {
        "党委常委": "党委常委",
        "党员群众代表": "",
    }
    final = Comment.objects.get(is_final=True)
    assert final.text == "最后的总体点评" and final.reporter is None
    earlier = Comment.objects.get(is_final=False)
    assert (
        earlier.text == "较早的总体点评"
        and earlier.reporter_id == first.pk
        and earlier.portfolio == "主持人点评"
    )
