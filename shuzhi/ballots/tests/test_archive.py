"""At closing the phone ballots become the meeting's original record (原始票据): every ballot, in
an order that says nothing, linked to no code, with a SHA-256 digest that the audit log carries,
the meeting page shows and the downloaded file matches, for those who run the cycle only."""

import csv
import hashlib
import io
import itertools
from collections import Counter

import pytest
from django.urls import reverse

from shuzhi.ballots.selectors import ballot_archive, ballot_archive_digest
from shuzhi.ballots.services import ballot_cast, meeting_tally, voting_close
from shuzhi.core.grades import Grade
from shuzhi.core.models import AuditEvent
from shuzhi.testing.meetings import county_meeting, sign_off, tokens

pytestmark = pytest.mark.django_db


def _cast(meeting, class_name: str, patterns) -> list[tuple[str, tuple[str, ...]]]:
    cast_ = []
    for token, pattern in zip(tokens(meeting, class_name), patterns, strict=False):
        ballot_cast(token=token, grades=dict(zip(meeting.agenda, pattern, strict=True)))
        cast_.append((class_name, tuple(str(g) for g in pattern)))
    return cast_


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_archive_holds_every_ballot_and_its_digest_is_in_the_audit_log_the_page_and_the_file(
    client, cast
):
    meeting = county_meeting(cast)  # 区委常委 5, 党员群众代表 8
    patterns = list(itertools.product(list(Grade), repeat=3))
    voted = _cast(meeting, "区委常委", patterns[:5]) + _cast(meeting, "党员群众代表", patterns[5:13])
    assert ballot_archive_digest(meeting) is None
    meeting = voting_close(actor=cast.county_organiser, meeting=meeting)

    event = AuditEvent.objects.get(action="meeting.close", target_id=str(meeting.pk))
    digest = event.changes["ballot_archive_sha256"]
    assert len(digest) == 64 and digest == ballot_archive_digest(meeting)
    client.force_login(cast.county_organiser)
    page = client.get(reverse("ballots:meeting", args=[meeting.pk])).content.decode()
    assert digest in page
    response = client.get(reverse("ballots:archive", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert hashlib.sha256(response.content).hexdigest() == digest
    assert AuditEvent.objects.filter(
        action="meeting.archive_download", changes__matches_closing=True
    ).exists()

    header, *rows = _rows(response.content)
    names = [r.organization.name for r in meeting.cycle.reporters.filter(pk__in=meeting.agenda)]
    assert header[:2] == ["序号", "投票人类别"] and sorted(header[2:]) == sorted(names)
    assert [row[0] for row in rows] == [str(n) for n in range(1, 14)]
    assert Counter((row[1], tuple(row[2:])) for row in rows) == Counter(voted)  # every ballot, as cast
    text = response.content.decode("utf-8-sig")
    assert not any(token in text for token in tokens(meeting, "区委常委") + tokens(meeting, "党员群众代表"))

    sign_off(cast, meeting)  # the count made final later changes nothing in the record
    meeting_tally(actor=cast.county_organiser, meeting=meeting)
    assert hashlib.sha256(ballot_archive(meeting)).hexdigest() == digest


def test_a_small_class_is_not_named_in_the_archive(cast):
    meeting = county_meeting(cast, classes=(("区委常委", 2, "党委常委"), ("党员群众代表", 8)))
    _cast(meeting, "区委常委", [(Grade.POOR,) * 3] * 2)
    _cast(meeting, "党员群众代表", [(Grade.GOOD,) * 3] * 8)
    meeting = voting_close(actor=cast.county_organiser, meeting=meeting)
    _header, *rows = _rows(ballot_archive(meeting))
    assert {row[1] for row in rows} == {"其他类别（合并）"}  # 2 alone hidden, 8 hidden with it


def test_only_those_who_run_the_cycle_download_it_and_only_after_closing(client, cast):
    meeting = county_meeting(cast)
    _cast(meeting, "区委常委", [(Grade.GOOD,) * 3])
    url = reverse("ballots:archive", args=[meeting.pk])
    client.force_login(cast.county_organiser)
    assert client.get(url).status_code == 404  # voting still open: no record yet
    voting_close(actor=cast.county_organiser, meeting=meeting)
    assert client.get(url).status_code == 200
    for who in ("reviewer", "city_organiser", "township_secretary", "member_user", "outsider"):
        client.force_login(getattr(cast, who))
        assert client.get(url).status_code in (403, 404), who
        page = client.get(reverse("ballots:meeting", args=[meeting.pk]))
        assert "ballot-archive" not in page.content.decode(), who
