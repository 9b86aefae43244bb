"""Counters are changed in place on PostgreSQL: no index holds them and the organisations' pages
keep room (migration 0004), so that updating every organisation's counts at once (an import of
a whole roster) rewrites each row within its page and leaves the seven indexes alone. With an
index over a counter, or full pages, each of those updates went through every index. PostgreSQL
only: SQLite has no such thing as an in-place update."""

import pytest
from django.db import connection

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


def _villages(parent: Organization, count: int) -> list[Organization]:
    """`count` branches under `parent`, each row written once (as an import leaves them once
    the versions its own updates made are pruned: whether that has happened yet depends on
    every other transaction of the server, which a test cannot wait for)."""
    return Organization.objects.bulk_create(
        Organization(
            name=f"第{n:03d}村党支部",
            code=f"{parent.code}9{n:03d}",
            kind=Organization.Kind.BRANCH,
            level=Organization.Level.VILLAGE,
            field=parent.field,
            path=Organization._get_path(parent.path, parent.depth + 1, parent.numchild + n),
            depth=parent.depth + 1,
        )
        for n in range(1, count + 1)
    )


def test_adding_members_to_every_branch_updates_the_organisations_in_place(cast):
    villages = _villages(cast.township_b, 160)  # several pages of organisations
    before = _updates()

    changed = org_counters_add(root=cast.county_b, added={village.pk: (3, 1) for village in villages})

    updated, in_place = (now - then for now, then in zip(_updates(), before, strict=True))
    assert changed == updated >= 160
    # every branch; the township and those above it may have been rewritten too often in this
    # test's transaction for their page to hold one version more
    assert in_place >= 160
    village = Organization.objects.get(pk=villages[0].pk)
    assert (village.member_count, village.probationary_count, village.total_members) == (3, 1, 3)
