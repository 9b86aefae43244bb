"""点评: the presiding secretary's overall comment is the meeting's, not one reporter's (and so no
unit's rectification item); a clerk types a comment under the committee member who made it; no
comment can be added once the count is confirmed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuzhi.ballots.models import Comment
from shuzhi.ballots.services import comment_add
from shuzhi.core.models import AuditEvent
from shuzhi.core.roles import Role
from shuzhi.rectification.models import Item
from shuzhi.rectification.services import items_generate
from shuzhi.scoring.services import assessment_compute, assessment_publish
from shuzhi.testing.factories import UserFactory
from shuzhi.testing.meetings import county_meeting, tallied_cycle

pytestmark = pytest.mark.django_db

OVERALL = "全区抓党建责任落实总体较好，但发展不平衡。"


def _member(cast, name="区委书记王"):
    return UserFactory(role=Role.REVIEWER, organization=cast.county_a, full_name=name)


def test_the_overall_comment_belongs_to_the_meeting_and_is_no_units_rectification_item(cast):
    secretary = _member(cast)

    def comments(meeting):
        township = meeting.cycle.reporters.get(organization=cast.township_a)
        with pytest.raises(ValidationError) as refused:  # before: it was stored on one reporter
            comment_add(
                actor=cast.county_organiser, meeting=meeting, is_final=True, text="总体", reporter=township
            )
        assert refused.value.message_dict == {
            "reporter": ["主持人总体点评属于整个会议，不针对某一位述职人。"]
        }
        comment_add(
            actor=cast.county_organiser, author=secretary, meeting=meeting, is_final=True, text=OVERALL
        )
        comment_add(actor=cast.county_organiser, author=secretary, meeting=meeting, reporter=township,
                    portfolio="组织工作", text="软弱涣散村整顿进度偏慢")  # fmt: skip
        with pytest.raises(ValidationError):
            comment_add(actor=secretary, meeting=meeting, is_final=True, text="第二条总体点评")

    cycle, meeting = tallied_cycle(cast, before_tally=comments)
    overall = Comment.objects.get(meeting=meeting, is_final=True)
    assert overall.reporter is None and overall.author == secretary
    assessment_compute(actor=cast.county_organiser, cycle=cycle)
    assessment_publish(actor=cast.county_organiser, cycle=cycle, objection_days=0)
    cycle.refresh_from_db()
    assert items_generate(actor=cast.county_organiser, cycle=cycle) == 1
    assert list(Item.objects.values_list("title", "organization")) == [
        ("软弱涣散村整顿进度偏慢", cast.township_a.pk)
    ]
    assert not Item.objects.filter(title=OVERALL).exists()


def test_a_clerk_types_a_comment_under_the_committee_member_who_made_it(client, cast):
    meeting = county_meeting(cast)
    member = _member(cast, "区委常委张")
    reporter = meeting.cycle.reporters.get(pk=meeting.agenda[0])
    client.force_login(cast.county_organiser)
    page = client.get(reverse("ballots:comments", args=[meeting.pk])).content.decode()
    assert "区委常委张" in page and "点评人" in page
    response = client.post(reverse("ballots:comments", args=[meeting.pk]),
                           {"author": member.pk, "reporter": reporter.pk, "portfolio": "组织工作", "text": "后备干部储备不足"})  # fmt: skip
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.author == member and comment.entered_by == cast.county_organiser
    event = AuditEvent.objects.get(action="meeting.comment")
    assert event.actor_name == cast.county_organiser.username or event.changes["author"] == "区委常委张"
    assert event.changes["typed_by_clerk"] is True
    page = client.get(reverse("ballots:comments", args=[meeting.pk])).content.decode()
    assert f"区委常委张 · {cast.county_organiser.full_name}代录" in page
    # a committee member records only their own; a clerk only under a committee member
    other = _member(cast, "区委常委李")
    with pytest.raises(ValidationError) as refused:
        comment_add(actor=member, author=other, meeting=meeting, reporter=reporter, text="代别人点评")
    assert "只能以本人名义点评" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        comment_add(actor=cast.county_organiser, author=cast.township_secretary, meeting=meeting,
                    reporter=reporter, text="以书记名义")  # fmt: skip
    assert refused.value.message_dict == {"author": ["点评人应为本级或上级的评议人（常委）。"]}
    # the form sends back a final comment with a reporter, the text kept
    response = client.post(reverse("ballots:comments", args=[meeting.pk]),
                           {"author": member.pk, "is_final": "on", "reporter": reporter.pk, "text": "总体意见"})  # fmt: skip
    assert response.status_code == 400 and "请不要选择述职人" in response.content.decode()
    assert "总体意见</textarea>" in response.content.decode()
    assert Comment.objects.count() == 1


def test_comments_lock_when_the_tally_is_confirmed(client, cast):
    cycle, meeting = tallied_cycle(cast)
    reporter = cycle.reporters.get(pk=meeting.agenda[0])
    with pytest.raises(ValidationError) as refused:  # before: comments could be added any time
        comment_add(actor=cast.county_organiser, meeting=meeting, reporter=reporter, text="计票后补的点评")
    assert refused.value.code == "locked"
    client.force_login(cast.county_organiser)
    page = client.get(reverse("ballots:comments", args=[meeting.pk])).content.decode()
    assert "点评已锁定" in page and "保存点评" not in page
    response = client.post(reverse("ballots:comments", args=[meeting.pk]),
                           {"author": cast.county_organiser.pk, "reporter": reporter.pk, "text": "计票后补的点评"})  # fmt: skip
    assert response.status_code == 400 and "点评已锁定" in response.content.decode()
    assert not Comment.objects.exists()
