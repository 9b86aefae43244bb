"""Ballot secrecy against someone who reads the database after the vote.

The attacker here is a reader of the stored rows (a copy of the database, a report-writer with
SELECT rights, a backup): they see which codes were used (ballots_codeuse) and every ballot with
its marks, and try to pair the two by every order the storage offers: SQLite's hidden rowid,
PostgreSQL's physical position (ctid) and writing transaction (xmin), the ids, every date column,
and the codes' own serial numbers and issue times. Sixty ballots with sixty distinct grade
patterns are cast in a known order, so each pairing can be checked against the truth.

How many pairs a blind guess gets right: pairing two independent random orders of n = 60 is a
random permutation, whose number of fixed points is (very nearly) Poisson with mean 1.
P(≥ 10 right) = e⁻¹ · Σ_{k≥10} 1/k! ≈ 1.1 × 10⁻⁷ for one attack; this test tries fewer than 200
orders of codes against orders of ballots, forwards and backwards, so a correct implementation
fails it with probability below 3 × 10⁻⁵ (union bound). Before closing rewrote the rows, the same
attack paired 60 of 60 (PostgreSQL: ctid, xmin; SQLite: rowid against the codes' serial numbers).
"""

import itertools
import logging
import secrets
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.db.models import DateTimeField
from django.urls import reverse

from shuzhi.ballots.models import Ballot, BallotCode, BallotMark, CodeUse
from shuzhi.ballots.services import ballot_cast, voting_close
from shuzhi.core.grades import Grade
from shuzhi.core.models import AuditEvent
from shuzhi.testing.meetings import county_meeting, tokens

N = 60
CHANCE_BOUND = 9  # see the module's docstring: a random pairing exceeds it with probability ~1e-7


def _rows(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _physical(alias: str) -> list[str]:
    """The columns a reader gets for free: the hidden row order and the writing transaction."""
    if connection.vendor == "postgresql":
        return [f"{alias}.ctid", f"{alias}.xmin::text::bigint"]
    return [f"{alias}.rowid"]


def _dates(alias: str, model) -> list[str]:
    return [f"{alias}.{f.column}" for f in model._meta.concrete_fields if isinstance(f, DateTimeField)]


def _code_orders(meeting_id: int) -> dict[str, list[int]]:
    """Every order of the used codes a reader can make: each a list of code ids."""
    keys = [
        *_physical("u"),
        "u.code_id",
        *_dates("u", CodeUse),
        *_physical("c"),
        "c.serial",
        *_dates("c", BallotCode),
    ]
    return {
        f"codes by {key}": [
            row[0]
            for row in _rows(
                "SELECT u.code_id FROM ballots_codeuse u JOIN ballots_ballotcode c ON c.id = u.code_id "  # noqa: S608
                f"WHERE u.meeting_id = %s ORDER BY {key}, u.code_id",
                [meeting_id],
            )
        ]
        for key in keys
    }


def _ballot_orders(meeting_id: int) -> dict[str, list[str]]:
    """Every order of the ballots a reader can make, from the ballot rows and from their marks
    (a ballot placed where its first mark is): each a list of ballot ids."""
    orders = {}
    for key in [
        *_physical("b"),
        "b.id",
        *_dates("b", Ballot),
        *_physical("m"),
        "m.id",
        *_dates("m", BallotMark),
    ]:
        rows = _rows(
            "SELECT b.id FROM ballots_ballotmark m JOIN ballots_ballot b ON b.id = m.ballot_id "  # noqa: S608
            f"WHERE b.meeting_id = %s ORDER BY {key}, m.id",
            [meeting_id],
        )
        orders[f"ballots by {key}"] = list(dict.fromkeys(uuid.UUID(str(row[0])).hex for row in rows))
    return orders


def _patterns(meeting) -> dict[str, tuple[str, ...]]:
    """ballot id → its grades in agenda order."""
    marks: dict[str, dict[int, str]] = {}
    for ballot, reporter, grade in BallotMark.objects.filter(ballot__meeting=meeting).values_list(
        "ballot_id", "reporter_id", "grade"
    ):
        marks.setdefault(ballot.hex, {})[reporter] = grade
    return {ballot: tuple(grades[r] for r in meeting.agenda) for ballot, grades in marks.items()}


def _best_attack(meeting, truth: dict[int, tuple[str, ...]]) -> tuple[int, str]:
    """The most pairs any order of codes against any order of ballots gets right."""
    patterns = _patterns(meeting)
    codes, ballots = _code_orders(meeting.pk), _ballot_orders(meeting.pk)
    best = (-1, "")
    for (code_key, code_order), (ballot_key, ballot_order) in itertools.product(
        codes.items(), ballots.items()
    ):
        assert len(code_order) == len(ballot_order) == N
        for direction, order in (("", ballot_order), (" reversed", ballot_order[::-1])):
            right = sum(
                truth[code] == patterns[ballot] for code, ballot in zip(code_order, order, strict=True)
            )
            best = max(best, (right, f"{code_key} ~ {ballot_key}{direction}"))
    return best


def _cast_sixty(cast, *, order: str):
    meeting = county_meeting(cast, classes=(("党员群众代表", N),), class_weights={"*": 100})
    assert len(meeting.agenda) == 3  # 4³ = 64 distinct patterns for 60 ballots
    patterns = list(itertools.product(list(Grade), repeat=3))[:N]
    codes = list(BallotCode.objects.filter(meeting=meeting).order_by("serial").values_list("pk", "token"))
    if order == "shuffled":
        secrets.SystemRandom().shuffle(codes)
    truth, events = {}, AuditEvent.objects.count()
    for (code, token), pattern in zip(codes, patterns, strict=True):
        ballot_cast(token=token, grades=dict(zip(meeting.agenda, pattern, strict=True)))
        truth[code] = tuple(str(g) for g in pattern)
    assert AuditEvent.objects.count() == events  # casting writes no audit event: no time, no order
    return meeting, truth


@pytest.mark.django_db(transaction=True)  # each ballot in its own committed transaction, as served
@pytest.mark.parametrize("order", ["serial", "shuffled"])
def test_after_closing_no_order_in_the_database_pairs_codes_with_ballots(cast, order):
    meeting, truth = _cast_sixty(cast, order=order)
    voting_close(actor=cast.county_organiser, meeting=meeting)

    assert CodeUse.objects.filter(meeting=meeting).count() == N
    assert sorted(_patterns(meeting).values()) == sorted(truth.values())  # every ballot kept as cast
    right, how = _best_attack(meeting, truth)
    assert right <= CHANCE_BOUND, f"{right} of {N} codes paired with their ballots by {how}"
    if connection.vendor == "postgresql":  # one writing transaction for all of them: xmin tells nothing
        xmins = _rows(
            "SELECT DISTINCT xmin::text FROM ballots_codeuse WHERE meeting_id = %s UNION "
            "SELECT DISTINCT b.xmin::text FROM ballots_ballot b WHERE b.meeting_id = %s UNION "
            "SELECT DISTINCT m.xmin::text FROM ballots_ballotmark m JOIN ballots_ballot b ON b.id = m.ballot_id "
            "WHERE b.meeting_id = %s",
            [meeting.pk] * 3,
        )
        assert len(xmins) == 1


@pytest.mark.django_db(transaction=True)
def test_while_voting_the_attack_works_which_is_why_closing_rewrites(cast):
    """The attack above is a real one: on the rows as cast it pairs (nearly) every ballot. (The
    live database during the vote is what the README says remains.)"""
    meeting, truth = _cast_sixty(cast, order="serial")
    right, how = _best_attack(meeting, truth)
    assert right == N, how


def _dump(table: str) -> str:
    return repr(_rows(f"SELECT * FROM {table}"))  # noqa: S608


@pytest.mark.django_db
def test_codes_appear_in_no_ballot_table_log_audit_entry_or_results(client, cast, caplog):
    """The codes themselves stay out of the ballots, the logs, the audit log and the pages."""
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
    assert not Session.objects.exists()  # voting keeps no session: no row with a time per voter
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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger is PostgreSQL's")
@pytest.mark.django_db
def test_the_database_lets_only_the_closing_rewrite_of_that_meeting_delete_ballots(cast):
    meeting = county_meeting(cast)
    ballot_cast(token=tokens(meeting, "区委常委")[0], grades=dict.fromkeys(meeting.agenda, Grade.GOOD))
    attempts = {
        "no scope": (None, "DELETE FROM ballots_ballotmark"),
        "another meeting": (f"ballots.meeting:{meeting.pk + 1}", "DELETE FROM ballots_ballotmark"),
        "an update, even in scope": (
            f"ballots.meeting:{meeting.pk}",
            "UPDATE ballots_ballot SET suggestion = 'x'",
        ),
        "another scope": ("members.evaluation:1", "DELETE FROM ballots_ballotmark"),
    }
    for what, (scope, statement) in attempts.items():
        with (
            # as the app role (SHUZHI_TEST_APP_ROLE) an UPDATE is refused by privilege first
            pytest.raises(DatabaseError, match=r"append-only|permission denied"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            if scope:
                cursor.execute("SELECT set_config('shuzhi.rewrite', %s, true)", [scope])
            cursor.execute(statement)
            pytest.fail(f"{what}: the trigger let it through")
    assert BallotMark.objects.filter(ballot__meeting=meeting).count() == len(meeting.agenda)
    voting_close(actor=cast.county_organiser, meeting=meeting)  # the one way through
    assert BallotMark.objects.filter(ballot__meeting=meeting).count() == len(meeting.agenda)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM ballots_ballot")  # the scope ended with the rewrite
