"""The member list's total at city scale: counting the probationary members of an age range must
be answerable from the partial index member_probationary_age (an index-only range), not by
reading every member, which took 80 ms on 290,000. PostgreSQL only: SQLite's planner is not asked."""

from datetime import date

import pytest
from django.db import connection

from shuzhi.members import selectors

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # an empty test table: ask what is usable
        cursor.execute(f"EXPLAIN SELECT count(*) FROM ({sql}) counted", params)  # noqa: S608
        return "\n".join(row[0] for row in cursor.fetchall())


def test_counting_young_probationary_members_uses_the_partial_index(cast):
    members = selectors.member_list(
        viewer=cast.city_organiser,
        filters=selectors.MemberFilter(status="probationary", min_age=18, max_age=35),
        today=date(2026, 11, 1),
    ).order_by()

    assert "member_probationary_age" in _plan(members)


def test_counting_full_members_does_not_claim_it(cast):
    """The index holds probationary members only: any other status cannot use it."""
    members = selectors.member_list(
        viewer=cast.city_organiser,
        filters=selectors.MemberFilter(status="full", min_age=18, max_age=35),
        today=date(2026, 11, 1),
    ).order_by()

    assert "member_probationary_age" not in _plan(members)
