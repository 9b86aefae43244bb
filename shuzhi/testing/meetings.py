"""Helpers for tests of review meetings: a county meeting with three reporters, two voter
classes and their codes, voting open."""

from django.utils import timezone

from shuzhi.ballots.models import BallotCode, Meeting
from shuzhi.ballots.services import (
    ballot_cast,
    codes_issue,
    meeting_create,
    meeting_tally,
    scrutineer_add,
    scrutineer_sign,
    voter_class_add,
    voting_close,
    voting_open,
)
from shuzhi.core.grades import Grade
from shuzhi.core.roles import Role
from shuzhi.cycles.models import Cycle
from shuzhi.cycles.services import cycle_advance, reporters_add
from shuzhi.testing.cycles import county_cycle
from shuzhi.testing.factories import OrganizationFactory, UserFactory


def county_meeting(
    cast,
    *,
    open_voting: bool = True,
    classes=(("区委常委", 5, "党委常委"), ("党员群众代表", 8, "")),
    class_weights: dict[str, int] | None = None,
    **settings,
) -> Meeting:
    """The county cycle with 柳泉镇 (on site) and two more units (one written), at its meeting.
    `classes`: (name, ballots) or (name, ballots, the scheme class it counts under);
    `class_weights`: the scheme's, if not the default (党委常委 50, 其他 50)."""
    cycle = county_cycle(cast, open_reports=False)
    if class_weights is not None:
        Cycle.objects.filter(pk=cycle.pk).update(scheme={**cycle.scheme, "class_weights": class_weights})
        cycle.refresh_from_db()
    units = [
        OrganizationFactory(
            name=name, kind="committee", level="township", field="rural", parent=cast.county_a
        )
        for name in ("中共东湖区青石镇委员会", "中共东湖区城关街道工作委员会")
    ]
    for unit in units:
        UserFactory(role=Role.SECRETARY, organization=unit)
    reporters_add(
        actor=cast.county_organiser, cycle=cycle, organizations=units[:1], group="乡镇街道", mode="onsite"
    )
    reporters_add(
        actor=cast.county_organiser, cycle=cycle, organizations=units[1:], group="乡镇街道", mode="written"
    )
    cycle = cycle_advance(actor=cast.county_organiser, cycle=cycle)
    cycle = cycle_advance(actor=cast.county_organiser, cycle=cycle)
    assert cycle.status == Cycle.Status.MEETING
    meeting = meeting_create(
        actor=cast.county_organiser,
        cycle=cycle,
        title="东湖区基层党建述职评议会",
        held_on=timezone.localdate(),
        **settings,
    )
    for name, ballots, *scheme_class in classes:
        voter_class_add(
            actor=cast.county_organiser, meeting=meeting, name=name, ballots=ballots,
            scheme_class=scheme_class[0] if scheme_class else None,
        )  # fmt: skip
    codes_issue(actor=cast.county_organiser, meeting=meeting)
    if open_voting:
        meeting = voting_open(actor=cast.county_organiser, meeting=meeting)
    return meeting


def sign_off(cast, meeting: Meeting, name: str = "监票人甲"):
    """A scrutineer with an account of their own, named by the organiser, who signs the count."""
    user = UserFactory(role=Role.REVIEWER, organization=cast.county_a, full_name=name)
    scrutineer = scrutineer_add(
        actor=cast.county_organiser, meeting=meeting, name=name, username=user.username
    )
    return scrutineer_sign(actor=user, scrutineer=scrutineer)


def tokens(meeting: Meeting, class_name: str) -> list[str]:
    return [code.token for code in BallotCode.objects.filter(meeting=meeting, voter_class__name=class_name)]


def all_grades(meeting: Meeting, grade: str = Grade.FAIRLY_GOOD) -> dict[int, str]:
    return dict.fromkeys(meeting.agenda, grade)


def tallied_cycle(cast, *, good_for: int = 0, before_tally=None):
    """The county meeting with 8 members' ballots (reporter `good_for` graded 好, the others
    较好) and 5 committee ballots (all 好 for `good_for`, 一般 for the others), tallied and signed,
    and the cycle moved on to 考核评定."""
    meeting = county_meeting(cast)
    best = meeting.agenda[good_for]
    for token in tokens(meeting, "党员群众代表"):
        ballot_cast(
            token=token, grades={r: Grade.GOOD if r == best else Grade.FAIRLY_GOOD for r in meeting.agenda}
        )
    for token in tokens(meeting, "区委常委"):
        ballot_cast(
            token=token, grades={r: Grade.GOOD if r == best else Grade.AVERAGE for r in meeting.agenda}
        )
    meeting = voting_close(actor=cast.county_organiser, meeting=meeting)
    if before_tally is not None:
        before_tally(meeting)
    sign_off(cast, meeting)
    meeting = meeting_tally(actor=cast.county_organiser, meeting=meeting)
    cycle = cycle_advance(actor=cast.county_organiser, cycle=meeting.cycle)
    assert cycle.status == Cycle.Status.ASSESSING
    return cycle, meeting
