"""PostgreSQL: the app runs under a role that does not own the tables (`manage.py grant_app_role`).
That role writes the platform's data and appends to the audit log, but cannot switch the audit
triggers off, truncate, drop or alter the audit tables, nor change or delete an audit row."""

import io
import os
import uuid
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from psycopg import sql

from shuzhi.core.models import AuditEvent
from shuzhi.core.services import audit_record

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's")


@pytest.fixture
def app_role(cast):
    """A role of this test only (roles are the cluster's; the test's transaction removes it)."""
    role = f"shuzhi_app_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    call_command("grant_app_role", role, stdout=io.StringIO())
    return role


@contextmanager
def as_role(role: str):
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _refused(statement: str, params=()) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return str(refused.value)


@pytest.mark.owner  # makes a role and switches to it
def test_the_app_role_cannot_switch_off_truncate_drop_or_rewrite_the_audit_log(app_role, cast):
    event = audit_record(actor=cast.city_organiser, action="test.kept", org_path=cast.city.path)
    with as_role(app_role):
        for statement in (
            "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
            "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
            "DROP TRIGGER core_auditevent_append_only ON core_auditevent",
            "DROP TABLE core_auditevent",
            "DROP TABLE core_auditchainhead",
            "ALTER TABLE core_auditevent RENAME TO core_auditevent_old",
        ):
            assert "must be owner" in _refused(statement), statement
        for statement in (
            "TRUNCATE core_auditevent",
            "TRUNCATE core_auditchainhead",
            "TRUNCATE core_auditevent CASCADE",
        ):
            assert "permission denied" in _refused(statement), statement
        assert "permission denied" in _refused("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
        assert "permission denied" in _refused(
            "UPDATE core_auditevent SET action = 'forged' WHERE id = %s", [event.pk]
        )
        # the switch that turns every user trigger off is the superuser's
        assert "permission denied" in _refused("SET session_replication_role = replica")
        # nor can it make tables of its own or hand itself more
        assert "permission denied" in _refused("CREATE TABLE forged (id int)")
        with connection.cursor() as cursor:
            cursor.execute("GRANT UPDATE, DELETE ON core_auditevent TO CURRENT_USER")  # a no-op, warned
            cursor.execute(
                "SELECT has_table_privilege('core_auditevent', 'UPDATE'), "
                "has_table_privilege('core_auditevent', 'DELETE'), has_table_privilege('core_auditevent', 'TRUNCATE')"
            )
            assert cursor.fetchone() == (False, False, False)
    assert AuditEvent.objects.get(pk=event.pk).action == "test.kept"


@pytest.mark.owner  # makes a role and switches to it
def test_the_app_role_still_does_its_work_and_appends_to_the_log(app_role, cast):
    with as_role(app_role):
        event = audit_record(actor=cast.city_organiser, action="test.as_app", org_path=cast.city.path)
        cast.member_a.name = "王新名"
        cast.member_a.save(update_fields=["name"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == app_role
            cursor.execute("CREATE TEMP TABLE scratch (h bytea) ON COMMIT DROP")  # imports use these
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.owner  # grants, as the owner does
def test_the_command_refuses_a_role_that_owns_the_tables(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="超级用户或表所有者"):
        call_command("grant_app_role", owner, stdout=io.StringIO())
    with pytest.raises(CommandError, match="不存在"):
        call_command("grant_app_role", "no_such_role_here", stdout=io.StringIO())


@pytest.mark.owner  # makes a role and switches to it
def test_the_command_prints_the_grants_for_the_readme(app_role):
    out = io.StringIO()
    call_command("grant_app_role", app_role, print_only=True, stdout=out)
    text = out.getvalue()
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES" in text
    assert f'REVOKE UPDATE, DELETE, TRUNCATE ON "core_auditevent" FROM "{app_role}"' in text
    # the ballots' trigger, not the grant, decides which DELETE passes: closing rewrites them
    assert f'REVOKE UPDATE, TRUNCATE ON "ballots_ballot" FROM "{app_role}"' in text
    assert f'REVOKE UPDATE, TRUNCATE ON "ballots_ballotmark" FROM "{app_role}"' in text


@pytest.mark.owner  # makes a role and switches to it
def test_imports_and_exports_run_under_the_app_role(app_role, cast, client):
    """The roster import's PostgreSQL path (temporary tables, COPY, deferred constraints, the
    watchdog's timeouts) and an export need nothing the app role lacks."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from shuzhi.exchange.models import ExchangeJob
    from shuzhi.members.models import Member
    from shuzhi.testing.factories import make_id_number
    from shuzhi.testing.jobs import run_queued_jobs
    from shuzhi.testing.sheets import MEMBER_HEADERS, member_row, xlsx

    client.force_login(cast.county_organiser)
    good = [
        member_row(f"角色{n}", make_id_number(date(1980, 3, n + 1), "F"), cast.village_a.code)
        for n in range(3)
    ]
    bad = [member_row("错行", make_id_number(date(1981, 3, 1), "F"), cast.village_a.code, joined="去年")]
    with as_role(app_role):
        for rows in (good, bad):
            sheet = SimpleUploadedFile("名册.xlsx", xlsx(rows, headers=MEMBER_HEADERS))
            assert (
                client.post(reverse("exchange:upload", args=["members"]), {"file": sheet}).status_code == 302
            )
            run_queued_jobs()
        assert client.post(reverse("exchange:export_members"), {}).status_code == 302
        run_queued_jobs()
        statuses = list(ExchangeJob.objects.order_by("id").values_list("status", flat=True))
        assert Member.objects.filter(name__startswith="角色").count() == 3
    assert statuses == ["succeeded", "rejected", "succeeded"]


def test_the_suite_under_the_app_role_really_runs_as_it(db):
    """`SHUZHI_TEST_APP_ROLE` (see conftest): every connection of the tests is the app role's."""
    role = os.environ.get("SHUZHI_TEST_APP_ROLE", "").strip()
    if not role:
        pytest.skip("the suite runs as the database's owner")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, has_table_privilege('core_auditevent', 'TRUNCATE')")
        assert cursor.fetchone() == (role, False)
