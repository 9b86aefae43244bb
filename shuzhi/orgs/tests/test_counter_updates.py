"""Counters are changed in place on PostgreSQL: no index holds them and the organisations' pages
keep room (migration 0004), so that updating every organisation's counts at once (an import of
a whole roster) rewrites each row within its page and leaves the seven indexes alone. With an
index over a counter, or full pages, each of those updates went through every index. PostgreSQL
only: SQLite has no such thing as an in-place update."""

import pytest
from django.db import connection, transaction

from shuzhi.members.services import org_counters_add
from shuzhi.orgs.models import Organization

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's heap-only updates")


def _updates() -> tuple[int, int]:
    """(rows of the organisations updated, of which in place) in this transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_updated(%s::regclass), pg_stat_get_xact_tuples_hot_updated(%s::regclass)",
            [Organization._meta.db_table] * 2,
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)  # as in use: the organisations were added before, and committed
def test_adding_members_to_every_branch_updates_the_organisations_in_place(cast, add_villages):
    villages = add_villages(cast.township_b, 160)  # several pages of organisations

    with transaction.atomic():
        before_updated, before_in_place = _updates()
        changed = org_counters_add(root=cast.county_b, added={village.pk: (3, 1) for village in villages})
        updated, in_place = (
            now - before for now, before in zip(_updates(), (before_updated, before_in_place), strict=True)
        )

    updated, in_place = (
        now - before for now, before in zip(_updates(), (before_updated, before_in_place), strict=True)
    )
    assert changed == updated >= 160
    assert in_place == updated
    village = Organization.objects.get(pk=villages[0].pk)
    assert (village.member_count, village.probationary_count, village.total_members) == (3, 1, 3)
