"""No table of ballots, no log line, no audit entry and no page of results holds a ballot code."""

import logging

import pytest
from django.db import connection
from django.urls import reverse

from shuzhi.ballots.services import voting_close
from shuzhi.core.grades import Grade
from shuzhi.testing.meetings import county_meeting, tokens

pytestmark = pytest.mark.django_db


def _dump(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        return repr(cursor.fetchall())


def test_codes_appear_in_no_ballot_table_log_audit_entry_or_results(client, cast, caplog):
    caplog.set_level(logging.DEBUG)
    meeting = county_meeting(cast)
    used = tokens(meeting, "党员群众代表")[:6]
    for token in used:
        url = reverse("ballots:vote", args=[token])
        client.get(url)
        client.post(
            url, {f"grade_{r}": Grade.GOOD for r in meeting.agenda[:2]}
        )  # incomplete: refused, logged as 400
        client.post(url, {f"grade_{r}": Grade.FAIRLY_GOOD for r in meeting.agenda})
        client.post(url, {f"grade_{r}": Grade.POOR for r in meeting.agenda})  # used: refused, logged as 409
    voting_close(actor=cast.county_organiser, meeting=meeting)
    client.force_login(cast.county_organiser)
    pages = [
        client.get(reverse(name, args=[meeting.pk])).content.decode()
        for name in ("ballots:meeting", "ballots:screen")
    ]
    haystacks = {
        "logs": caplog.text + "".join(str(r.__dict__) for r in caplog.records),
        "ballots": _dump("ballots_ballot") + _dump("ballots_ballotmark"),
        "tally": _dump("ballots_tallyrow"),
        "audit": _dump("core_auditevent"),
        "pages": "".join(pages),
    }
    assert "Bad Request" in caplog.text and "Conflict" in caplog.text  # the refusals were logged
    for where, text in haystacks.items():
        for token in used:
            assert token not in text, f"a ballot code appears in the {where}"
