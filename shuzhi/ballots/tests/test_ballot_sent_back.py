"""A ballot sent back keeps everything entered and marks the field at fault; the 意见建议 reach
the organiser after the vote closes, apart from any grades."""

import re

import pytest
from django.urls import reverse

from shuzhi.ballots.models import Ballot, CodeUse
from shuzhi.ballots.services import ballot_cast, voting_close
from shuzhi.core.grades import Grade
from shuzhi.core.models import AuditEvent, Notification
from shuzhi.testing.meetings import county_meeting, tokens

pytestmark = pytest.mark.django_db


def _value(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag[0]) if tag else None
    return value[1] if value else None


def test_a_ballot_sent_back_keeps_grades_item_scores_and_suggestion_and_marks_the_fields_at_fault(
    client, cast
):
    meeting = county_meeting(cast, items=["班子建设", "基层基础"], item_max=10)
    first, second, third = meeting.agenda
    url = reverse("ballots:vote", args=[tokens(meeting, "党员群众代表")[0]])
    data = {
        f"grade_{first}": Grade.GOOD, f"grade_{second}": Grade.AVERAGE,  # the third left out
        f"score_{first}_0": "9", f"score_{first}_1": "8",
        f"score_{second}_0": "11", f"score_{second}_1": "7",  # 11 is over the item's 10
        f"score_{third}_0": "6", f"score_{third}_1": "",  # one left empty
        "suggestion": "建议加强村级后备干部培养。",
    }  # fmt: skip
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    # everything entered is still there (before: every item score came back empty)
    assert _value(page, f"score_{first}_0") == "9" and _value(page, f"score_{first}_1") == "8"
    assert _value(page, f"score_{second}_0") == "11" and _value(page, f"score_{second}_1") == "7"
    assert _value(page, f"score_{third}_0") == "6" and _value(page, f"score_{third}_1") == ""
    assert re.search(rf'name="grade_{first}"[^>]*value="好"[^>]*checked', page)
    assert re.search(rf'name="grade_{second}"[^>]*value="一般"[^>]*checked', page)
    assert page.count(" checked") == 2
    assert "建议加强村级后备干部培养。</textarea>" in page
    # and the fields at fault are marked, each with its reason
    assert re.search(rf'class="form-control is-invalid"[^>]*name="score_{second}_0"', page)
    assert re.search(rf'class="form-control is-invalid"[^>]*name="score_{third}_1"', page)
    assert not re.search(rf'is-invalid"[^>]*name="score_{first}_0"', page)
    assert f'id="e{third}" data-testid="field-error">请选择等次。' in page
    assert f'id="se{second}_0" data-testid="field-error">应为 0 到 10 的整数。' in page
    assert f'id="se{third}_1" data-testid="field-error">请填写得分。' in page
    assert "还有 1 位没有评价" in page
    assert not Ballot.objects.exists() and not CodeUse.objects.exists()


def test_too_many_good_marks_the_good_grades(client, cast):
    meeting = county_meeting(cast, max_good_count=1)
    url = reverse("ballots:vote", args=[tokens(meeting, "党员群众代表")[0]])
    page = client.post(url, {f"grade_{r}": Grade.GOOD for r in meeting.agenda}).content.decode()
    assert page.count("“好”最多只能评 1 个。") == 3 and page.count(" checked") == 3


def test_suggestions_reach_the_organiser_after_the_vote_closes_apart_from_the_grades(client, cast):
    meeting = county_meeting(cast)
    url = reverse("ballots:suggestions", args=[meeting.pk])
    texts = {"区委常委": "希望压实书记第一责任。", "党员群众代表": "建议多听群众意见。"}
    for class_name, text in texts.items():
        ballot_cast(token=tokens(meeting, class_name)[0], grades=dict.fromkeys(meeting.agenda, Grade.POOR),
                    suggestion=text)  # fmt: skip
    ballot_cast(token=tokens(meeting, "党员群众代表")[1], grades=dict.fromkeys(meeting.agenda, Grade.GOOD))
    client.force_login(cast.county_organiser)
    before = client.get(url).content.decode()
    assert "投票结束后才能查看意见建议" in before and "群众" not in before.split("意见建议")[-1]
    assert not Notification.objects.filter(link=url).exists()
    voting_close(actor=cast.county_organiser, meeting=meeting)
    note = Notification.objects.get(recipient=cast.county_organiser, link=url)
    assert "收到意见建议 2 条" in note.text and note.link == url
    page = client.get(url).content.decode()
    listed = re.findall(r'<li class="list-group-item text-as-written">([^<]*)</li>', page)
    assert listed == sorted(texts.values())
    for word in ("差", "好", "区委常委", "党员群众代表"):  # no grade, no class next to a text
        assert word not in page.split('data-testid="suggestions"')[1]
    assert AuditEvent.objects.filter(action="meeting.suggestions_read").count() == 1
    assert client.post(url).status_code == 405
    for outsider in (cast.reviewer, cast.township_secretary, cast.city_organiser):
        client.force_login(outsider)
        assert client.get(url).status_code in (403, 404)
