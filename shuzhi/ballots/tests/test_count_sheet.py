"""Paper counts entered twice by two people and reconciled; scrutineers sign the printable 计票单
by their own act (their account, or a one-time code handed to them), never the organiser for
them; a count sheet changed after signing must be signed again."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from shuzhi.ballots.models import Meeting, PaperCount, Scrutineer
from shuzhi.ballots.services import (
    ballot_cast,
    meeting_tally,
    paper_count_enter,
    paper_problems,
    paper_tally_enter,
    scrutineer_add,
    scrutineer_sign,
    voting_close,
)
from shuzhi.core.grades import Counts, Grade
from shuzhi.core.models import AuditEvent
from shuzhi.core.roles import Role
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.meetings import county_meeting, tokens

pytestmark = pytest.mark.django_db


def _closed(cast) -> Meeting:
    meeting = county_meeting(cast)
    for token in tokens(meeting, "党员群众代表")[:6]:
        ballot_cast(token=token, grades=dict.fromkeys(meeting.agenda, Grade.GOOD))
    for token in tokens(meeting, "区委常委")[:2]:
        ballot_cast(token=token, grades=dict.fromkeys(meeting.agenda, Grade.POOR))
    return voting_close(actor=cast.county_organiser, meeting=meeting)


def _scrutineer(cast, meeting, name="赵监票"):
    user = UserFactory(role=Role.SECRETARY, organization=cast.township_a, full_name=name)
    return user, scrutineer_add(
        actor=cast.county_organiser, meeting=meeting, name=name, username=user.username
    )


def _paper(cast, meeting, second_person, *, second=(5, 4, 4, 0)):
    members = meeting.classes.get(name="党员群众代表")
    counts = dict.fromkeys(meeting.agenda, Counts(2, 2, 0, 0))
    for entry, person, figures in ((1, cast.county_organiser, (5, 4, 4, 0)), (2, second_person, second)):
        paper_tally_enter(actor=person, meeting=meeting, voter_class=members, entry=entry, counts=counts)
        issued, returned, valid, invalid = figures
        paper_count_enter(actor=person, meeting=meeting, voter_class=members, entry=entry,
                          issued=issued, returned=returned, valid=valid, invalid=invalid)  # fmt: skip
    return members


def test_paper_counts_are_entered_twice_by_two_people_and_reconciled(cast):
    meeting = _closed(cast)
    members = meeting.classes.get(name="党员群众代表")
    paper_count_enter(actor=cast.county_organiser, meeting=meeting, voter_class=members, entry=1,
                      issued=5, returned=4, valid=4, invalid=0)  # fmt: skip
    with pytest.raises(ValidationError) as error:  # before: one entry, by anyone, was the count
        paper_count_enter(actor=cast.county_organiser, meeting=meeting, voter_class=members, entry=2,
                          issued=5, returned=4, valid=4, invalid=0)  # fmt: skip
    assert error.value.code == "same_person"
    assert any("还要由另一人录入第二遍" in p for p in paper_problems(meeting))
    second = UserFactory(role=Role.ORGANISER, organization=cast.county_a, full_name="第二录入人")
    _paper(cast, meeting, second, second=(5, 4, 3, 1))
    assert any("纸质票数两遍录入不一致（第一遍 5/4/4/0，第二遍 5/4/3/1" in p for p in paper_problems(meeting))
    user, scrutineer = _scrutineer(cast, meeting)
    with pytest.raises(ValidationError):
        scrutineer_sign(actor=user, scrutineer=scrutineer)
    paper_count_enter(actor=second, meeting=meeting, voter_class=members, entry=2,
                      issued=5, returned=4, valid=4, invalid=0)  # fmt: skip
    assert paper_problems(meeting) == []
    assert PaperCount.objects.filter(voter_class=members).count() == 2


def test_the_organiser_cannot_sign_for_a_scrutineer(client, cast):
    meeting = _closed(cast)
    _user, scrutineer = _scrutineer(cast, meeting)
    with pytest.raises(ValidationError) as error:  # before: the organiser clicked 签字 for them
        scrutineer_sign(actor=cast.county_organiser, scrutineer=scrutineer)
    assert error.value.code == "not_the_scrutineer"
    client.force_login(cast.county_organiser)
    response = client.post(reverse("ballots:scrutineer_sign", args=[meeting.pk, scrutineer.pk]))
    assert response.status_code == 403
    scrutineer.refresh_from_db()
    assert scrutineer.signed_at is None
    with pytest.raises(ValidationError) as error:
        scrutineer_add(
            actor=cast.county_organiser,
            meeting=meeting,
            name="我自己",
            username=cast.county_organiser.username,
        )
    assert error.value.message_dict == {
        "username": ["监票人不能用组织计票的本人账号签字，请填写监票人自己的账号。"]
    }
    with pytest.raises(ValidationError):
        scrutineer_add(
            actor=cast.county_organiser, meeting=meeting, name="外区", username=cast.outsider.username
        )


def test_a_scrutineer_signs_the_count_sheet_from_their_own_session(client, cast):
    meeting = _closed(cast)
    user, scrutineer = _scrutineer(cast, meeting)
    sheet_url = reverse("ballots:count_sheet", args=[meeting.pk])
    client.force_login(user)  # a township secretary: cannot open the meeting itself
    assert client.get(reverse("ballots:meeting", args=[meeting.pk])).status_code == 403
    page = client.get(sheet_url).content.decode()
    assert "计票单" in page and "本人核对无误，签字确认" in page
    assert "原始票据摘要：（待接入" in page  # the archive digest of issue 11 A is wired here
    # the 区委常委's 2 ballots are too few to show apart (min_class_size 5), here as everywhere
    assert "区委常委：<span" in page and "不足 5 票，不单列" in page
    response = client.post(reverse("ballots:scrutineer_sign", args=[meeting.pk, scrutineer.pk]))
    assert response.status_code == 302
    scrutineer.refresh_from_db()
    assert (
        scrutineer.signed_by == user
        and scrutineer.signed_via == "account"
        and len(scrutineer.signed_digest) == 64
    )
    event = AuditEvent.objects.get(action="meeting.scrutineer_sign")
    assert event.changes["count_sheet_digest"] == scrutineer.signed_digest and event.actor_name
    assert "已签字（本人账号" in client.get(sheet_url).content.decode()
    other = UserFactory(role=Role.SECRETARY, organization=cast.township_a)
    client.force_login(other)
    assert client.get(sheet_url).status_code == 403
    assert (
        client.post(reverse("ballots:scrutineer_sign", args=[meeting.pk, scrutineer.pk])).status_code == 403
    )
    meeting = meeting_tally(actor=cast.county_organiser, meeting=meeting)
    assert (
        AuditEvent.objects.get(action="meeting.tally").changes["count_sheet_digest"]
        == scrutineer.signed_digest
    )


def test_a_scrutineer_without_an_account_signs_with_a_one_time_code(cast):
    meeting = _closed(cast)
    scrutineer = scrutineer_add(actor=cast.county_organiser, meeting=meeting, name="孙监票")
    organiser = Client()
    organiser.force_login(cast.county_organiser)
    page = organiser.post(
        reverse("ballots:scrutineer_code", args=[meeting.pk, scrutineer.pk])
    ).content.decode()
    code = re.search(r'data-testid="sign-code">([A-Z0-9]{8})<', page)[1]
    scrutineer.refresh_from_db()
    assert scrutineer.code_hash and code.encode() not in bytes(scrutineer.code_hash)
    phone = Client()  # the scrutineer's own phone, no account
    sign = reverse("ballots:sign_with_code")
    wrong = phone.post(sign, {"code": "AAAAAAAA"})
    assert wrong.status_code == 400 and "签字码无效或已经用过" in wrong.content.decode()
    preview = phone.post(sign, {"code": code.lower()}).content.decode()
    assert "孙监票同志：请核对下面的计票单" in preview and 'data-testid="count-sheet"' in preview
    scrutineer.refresh_from_db()
    assert scrutineer.signed_at is None  # seeing the sheet is not signing it
    done = phone.post(sign, {"code": code, "confirm": "1"})
    assert done.status_code == 200 and "您已签字确认计票" in done.content.decode()
    scrutineer.refresh_from_db()
    assert scrutineer.signed_via == "code" and scrutineer.signed_by is None and scrutineer.code_hash is None
    again = phone.post(sign, {"code": code, "confirm": "1"})
    assert again.status_code == 400 and "已经用过" in again.content.decode()
    assert meeting_tally(actor=cast.county_organiser, meeting=meeting).status == Meeting.Status.TALLIED


def test_a_count_sheet_changed_after_signing_is_signed_again(cast):
    meeting = _closed(cast)
    second = UserFactory(role=Role.ORGANISER, organization=cast.county_a)
    members = _paper(cast, meeting, second)
    user, scrutineer = _scrutineer(cast, meeting)
    scrutineer_sign(actor=user, scrutineer=scrutineer)
    with pytest.raises(ValidationError) as error:
        scrutineer_sign(actor=user, scrutineer=scrutineer)
    assert error.value.code == "signed"
    changed = dict.fromkeys(meeting.agenda, Counts(3, 1, 0, 0))
    for entry, person in ((1, cast.county_organiser), (2, second)):
        paper_tally_enter(actor=person, meeting=meeting, voter_class=members, entry=entry, counts=changed)
    with pytest.raises(ValidationError) as error:
        meeting_tally(actor=cast.county_organiser, meeting=meeting)
    assert "监票人赵监票签字后计票单有改动，请其重新签字。" in error.value.messages
    scrutineer_sign(actor=user, scrutineer=scrutineer)
    assert meeting_tally(actor=cast.county_organiser, meeting=meeting).status == Meeting.Status.TALLIED
    assert Scrutineer.objects.get().signed_via == "account"


def test_the_count_sheet_is_not_there_before_voting_closes(client, cast):
    meeting = county_meeting(cast)
    client.force_login(cast.county_organiser)
    assert client.get(reverse("ballots:count_sheet", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("ballots:count_sheet", args=[meeting.pk])).status_code == 405
