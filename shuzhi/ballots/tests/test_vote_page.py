import pytest
from django.urls import reverse

from shuzhi.ballots.models import Ballot, CodeUse
from shuzhi.core.grades import Grade
from shuzhi.testing.meetings import county_meeting, tokens

pytestmark = pytest.mark.django_db


def _post(meeting, grade=Grade.GOOD):
    return {f"grade_{r}": grade for r in meeting.agenda}


def test_the_phone_ballot_opens_without_login_and_counts_once(client, cast):
    meeting = county_meeting(cast)
    token = tokens(meeting, "党员群众代表")[0]
    url = reverse("ballots:vote", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert meeting.title in text and "中共东湖区青石镇委员会" in text and text.count('type="radio"') == 12
    response = client.post(url, _post(meeting, Grade.FAIRLY_GOOD))
    assert response.status_code == 302 and response.url == reverse("ballots:thanks")
    again = client.post(url, _post(meeting))
    assert again.status_code == 409 and "只能投一次" in again.content.decode()
    assert client.get(url).status_code == 409
    assert Ballot.objects.count() == 1 and CodeUse.objects.count() == 1


def test_an_incomplete_ballot_comes_back_with_the_choices_kept_and_a_message(client, cast):
    meeting = county_meeting(cast)
    url = reverse("ballots:vote", args=[tokens(meeting, "区委常委")[0]])
    data = _post(meeting, Grade.AVERAGE)
    del data[f"grade_{meeting.agenda[1]}"]
    response = client.post(url, data)
    text = response.content.decode()
    assert response.status_code == 400 and "还有 1 位没有评价" in text
    assert text.count("checked") == 2
    assert not Ballot.objects.exists() and not CodeUse.objects.exists()


def test_unknown_code_and_closed_meeting_are_refused_in_chinese(client, cast):
    assert client.get(reverse("ballots:vote", args=["nope"])).status_code == 404
    meeting = county_meeting(cast, open_voting=False)
    response = client.get(reverse("ballots:vote", args=[tokens(meeting, "区委常委")[0]]))
    assert response.status_code == 403 and "投票尚未开始" in response.content.decode()


def test_the_vote_page_accepts_only_get_and_post(client, cast):
    meeting = county_meeting(cast)
    assert client.put(reverse("ballots:vote", args=[tokens(meeting, "区委常委")[0]])).status_code == 405
