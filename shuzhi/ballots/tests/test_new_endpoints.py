"""Every page added for issue 11 B answers only its methods, and only to those it is for."""

import pytest
from django.test import Client
from django.urls import reverse

from shuzhi.ballots.services import scrutineer_add, voting_close
from shuzhi.testing.meetings import county_meeting

pytestmark = pytest.mark.django_db

# (url name, needs the scrutineer's id, the methods it answers)
MANAGED = [
    ("class_point", "class", "POST"),
    ("code_void", None, "POST"),
    ("suggestions", None, "GET"),
    ("rehearsal_start", None, "POST"),
    ("rehearsal_close", None, "POST"),
    ("rehearsal_clear", None, "POST"),
    ("scrutineer_code", "scrutineer", "POST"),
    ("count_sheet", None, "GET"),
]


def _url(meeting, name, extra):
    args = [meeting.pk]
    if extra == "class":
        args.append(meeting.classes.first().pk)
    elif extra == "scrutineer":
        args.append(meeting.scrutineers.first().pk)
    return reverse(f"ballots:{name}", args=args)


@pytest.fixture
def closed(cast):
    meeting = voting_close(actor=cast.county_organiser, meeting=county_meeting(cast))
    scrutineer_add(actor=cast.county_organiser, meeting=meeting, name="钱监票")
    return meeting


@pytest.mark.parametrize(("name", "extra", "method"), MANAGED)
def test_the_wrong_method_is_refused(client, cast, closed, name, extra, method):
    client.force_login(cast.county_organiser)
    url = _url(closed, name, extra)
    wrong = client.get(url) if method == "POST" else client.post(url)
    assert wrong.status_code == 405


@pytest.mark.parametrize(("name", "extra", "method"), MANAGED)
def test_a_secretary_and_an_outsider_are_refused_and_nobody_anonymous_gets_in(
    client, cast, closed, name, extra, method
):
    url = _url(closed, name, extra)
    send = client.post if method == "POST" else client.get
    anonymous = send(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    for user in (cast.township_secretary, cast.outsider, cast.reviewer):
        client.force_login(user)
        assert send(url).status_code in (403, 404), user


def test_the_pages_without_login_answer_only_get_and_post(cast):
    anonymous = Client()
    for name in ("vote_enter", "sign_with_code"):
        assert anonymous.put(reverse(f"ballots:{name}")).status_code == 405
        assert anonymous.get(reverse(f"ballots:{name}")).status_code == 200


def test_signing_answers_only_post(client, cast, closed):
    client.force_login(cast.county_organiser)
    url = reverse("ballots:scrutineer_sign", args=[closed.pk, closed.scrutineers.first().pk])
    assert client.get(url).status_code == 405
