import io

import docx
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuzhi.ballots import rules
from shuzhi.ballots.models import BallotCode, Meeting, TallyRow
from shuzhi.ballots.services import (
    ballot_cast,
    comment_add,
    meeting_tally,
    meeting_update,
    paper_count_enter,
    paper_tally_enter,
    scrutineer_add,
    scrutineer_sign,
    voter_class_add,
    voting_close,
)
from shuzhi.core.grades import Counts, Grade
from shuzhi.core.models import AuditEvent
from shuzhi.core.roles import Role
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.meetings import all_grades, county_meeting, tokens

pytestmark = pytest.mark.django_db


def test_the_form_reporters_and_classes_are_frozen_when_voting_opens(cast):
    meeting = county_meeting(cast)
    with pytest.raises(ValidationError) as error:
        meeting_update(actor=cast.county_organiser, meeting=meeting, max_good_count=3)
    assert error.value.code == "frozen"
    with pytest.raises(ValidationError):
        voter_class_add(actor=cast.county_organiser, meeting=meeting, name="列席代表", ballots=5)
    # the agenda: on-site reporters in order, then the written one
    modes = [meeting.cycle.reporters.get(pk=pk).mode for pk in meeting.agenda]
    assert modes == ["onsite", "onsite", "written"]
    assert AuditEvent.objects.filter(action="meeting.open").exists()


def _close_with_phone_votes(cast):
    meeting = county_meeting(cast)
    for token in tokens(meeting, "党员群众代表")[:6]:
        ballot_cast(token=token, grades=all_grades(meeting, Grade.GOOD))
    for token in tokens(meeting, "区委常委")[:2]:
        ballot_cast(token=token, grades=all_grades(meeting, Grade.AVERAGE))
    return voting_close(actor=cast.county_organiser, meeting=meeting)


def test_paper_counts_are_entered_twice_by_two_people_and_must_agree(cast):
    meeting = _close_with_phone_votes(cast)
    second_person = UserFactory(role=Role.ORGANISER, organization=cast.county_a, full_name="第二录入人")
    members = meeting.classes.get(name="党员群众代表")
    first, second, third = meeting.agenda
    counts = {
        first: Counts(3, 1, 0, 0),
        second: Counts(0, 4, 0, 0),
        third: Counts(1, 1, 1, 1),
    }
    paper_count_enter(actor=cast.county_organiser, meeting=meeting, voter_class=members, entry=1,
                      issued=5, returned=4, valid=4, invalid=0)  # fmt: skip
    paper_tally_enter(
        actor=cast.county_organiser, meeting=meeting, voter_class=members, entry=1, counts=counts
    )
    with pytest.raises(ValidationError) as error:
        paper_tally_enter(
            actor=cast.county_organiser, meeting=meeting, voter_class=members, entry=2, counts=counts
        )
    assert error.value.code == "same_person"
    typo = {**counts, second: Counts(0, 3, 1, 0)}
    paper_tally_enter(actor=second_person, meeting=meeting, voter_class=members, entry=2, counts=typo)
    paper_count_enter(actor=second_person, meeting=meeting, voter_class=members, entry=2,
                      issued=5, returned=4, valid=4, invalid=0)  # fmt: skip
    scrutineer_user = UserFactory(role=Role.REVIEWER, organization=cast.county_a, full_name="赵监票")
    scrutineer = scrutineer_add(actor=cast.county_organiser, meeting=meeting, name="赵监票",
                                username=scrutineer_user.username)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        scrutineer_sign(actor=scrutineer_user, scrutineer=scrutineer)
    assert any("两遍录入不一致" in m for m in error.value.messages)
    with pytest.raises(ValidationError):
        meeting_tally(actor=cast.county_organiser, meeting=meeting)
    paper_tally_enter(actor=second_person, meeting=meeting, voter_class=members, entry=2, counts=counts)
    scrutineer_sign(actor=scrutineer_user, scrutineer=scrutineer)
    meeting = meeting_tally(actor=cast.county_organiser, meeting=meeting)
    assert meeting.status == Meeting.Status.TALLIED
    row = TallyRow.objects.get(reporter_id=first, voter_class=members)
    assert (row.good, row.fairly_good, row.phone, row.paper) == (6 + 3, 1, 6, 4)


def test_paper_counts_must_add_up(cast):
    meeting = _close_with_phone_votes(cast)
    members = meeting.classes.get(name="党员群众代表")
    with pytest.raises(ValidationError) as error:
        paper_count_enter(
            actor=cast.county_organiser,
            meeting=meeting,
            voter_class=members,
            issued=5,
            returned=6,
            valid=6,
            invalid=0,
        )
    assert "收回票数不能多于发出票数" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        paper_count_enter(
            actor=cast.county_organiser,
            meeting=meeting,
            voter_class=members,
            issued=5,
            returned=5,
            valid=3,
            invalid=1,
        )
    assert "有效票与无效票之和应等于收回票数" in error.value.messages[0]


def test_tallying_needs_every_scrutineer_signed(cast):
    meeting = _close_with_phone_votes(cast)
    with pytest.raises(ValidationError) as error:
        meeting_tally(actor=cast.county_organiser, meeting=meeting)
    assert "请先确定监票人" in error.value.messages[0]
    scrutineer_add(actor=cast.county_organiser, meeting=meeting, name="钱监票")
    with pytest.raises(ValidationError) as error:
        meeting_tally(actor=cast.county_organiser, meeting=meeting)
    assert "钱监票还没有签字确认" in error.value.messages[0]


def test_results_hide_the_breakdown_of_a_class_with_too_few_ballots(client, cast):
    meeting = _close_with_phone_votes(cast)  # 6 members' ballots, 2 committee ballots
    client.force_login(cast.county_organiser)
    page = client.get(reverse("ballots:meeting", args=[meeting.pk])).content.decode()
    assert "区委常委：" in page and "区委常委：0 / 0 / 2 / 0" not in page and "不足 5 票，不单列" in page
    # the total is shown, so the members' 6 / 0 / 0 / 0 beside it would give the committee's away
    assert "党员群众代表：6 / 0 / 0 / 0" not in page and page.count("不足 5 票，不单列") == 2 * len(
        meeting.agenda
    )


def test_one_small_class_is_never_hidden_alone():
    assert rules.shown_classes({1: 2, 2: 6, 3: 40}, 5) == {3}  # 1 alone hidden: 2 goes with it
    assert rules.shown_classes({1: 2, 2: 3, 3: 40}, 5) == {3}  # two hidden already
    assert rules.shown_classes({1: 0, 2: 6, 3: 40}, 5) == {2, 3}  # an empty class tells nothing
    assert rules.shown_classes({1: 2}, 5) == set()
    assert rules.shown_classes({1: 6, 2: 40}, 5) == {1, 2}


def test_nothing_of_the_results_shows_while_voting_is_open(client, cast):
    meeting = county_meeting(cast, announce=True)
    ballot_cast(token=tokens(meeting, "区委常委")[0], grades=all_grades(meeting, Grade.POOR))
    client.force_login(cast.county_organiser)
    for name in ("meeting", "screen"):
        page = client.get(reverse(f"ballots:{name}", args=[meeting.pk])).content.decode()
        assert 'data-testid="results"' not in page
    screen = client.get(
        reverse("ballots:screen", args=[meeting.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-cast="区委常委"' not in screen and ">1<" in screen  # the turnout, no results
    voting_close(actor=cast.county_organiser, meeting=meeting)
    screen = client.get(
        reverse("ballots:screen", args=[meeting.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-testid="results"' in screen  # 当场公布


def test_slips_print_every_code_as_a_qr_code_and_download_as_docx(client, cast):
    meeting = county_meeting(cast, open_voting=False)
    client.force_login(cast.county_organiser)
    page = client.get(reverse("ballots:slips", args=[meeting.pk])).content.decode()
    assert page.count('class="segno"') == BallotCode.objects.filter(meeting=meeting).count() == 13
    response = client.get(reverse("ballots:slips", args=[meeting.pk]), {"format": "docx"})
    document = docx.Document(io.BytesIO(response.content))
    cells = [cell for row in document.tables[0].rows for cell in row.cells]
    assert meeting.title in cells[0].text and "票码 " in cells[0].text
    assert all("号" not in cell.text.split("✂")[0] for cell in cells)  # no serial on the voter's part
    assert len(document.inline_shapes) == 13
    assert AuditEvent.objects.filter(action="meeting.slips").count() == 2


def test_only_the_organising_level_manages_the_meeting(client, cast):
    meeting = county_meeting(cast, open_voting=False)
    client.force_login(cast.city_organiser)
    assert client.get(reverse("ballots:meeting", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("ballots:slips", args=[meeting.pk])).status_code == 403
    assert client.post(reverse("ballots:open", args=[meeting.pk])).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(reverse("ballots:meeting", args=[meeting.pk])).status_code == 404
    client.force_login(cast.township_secretary)
    assert client.get(reverse("ballots:meeting", args=[meeting.pk])).status_code == 403
    client.force_login(cast.county_organiser)
    assert client.get(reverse("ballots:open", args=[meeting.pk])).status_code == 405


def test_committee_members_comment_and_one_final_comment_per_meeting(client, cast):
    meeting = county_meeting(cast)
    reviewer = UserFactory(role=Role.REVIEWER, organization=cast.county_a, full_name="区委常委张")
    reporter = meeting.cycle.reporters.get(pk=meeting.agenda[0])
    client.force_login(reviewer)
    response = client.post(reverse("ballots:comments", args=[meeting.pk]),
                           {"reporter": reporter.pk, "portfolio": "组织工作", "text": "抓党建的精力投入还需加强"})  # fmt: skip
    assert response.status_code == 302
    comment_add(actor=cast.county_organiser, meeting=meeting, text="总体较好，问题要限期整改", is_final=True)
    with pytest.raises(ValidationError):
        comment_add(actor=reviewer, meeting=meeting, text="第二个总体点评", is_final=True)
    page = client.get(reverse("ballots:comments", args=[meeting.pk])).content.decode()
    assert "抓党建的精力投入还需加强" in page and "总体较好" in page
    with pytest.raises(ValidationError):
        comment_add(actor=cast.outsider, meeting=meeting, reporter=reporter, text="越权点评")


def test_a_scrutineer_without_a_name_is_refused_with_a_message(client, cast):
    meeting = county_meeting(cast)
    client.force_login(cast.county_organiser)
    response = client.post(reverse("ballots:scrutineer_add", args=[meeting.pk]), {"name": " "}, follow=True)
    assert "监票人姓名" in response.content.decode() and "这个字段是必填项" in response.content.decode()
    assert not meeting.scrutineers.exists()
