"""The audit log: appended in the change's transaction, hash-chained, refusing edits, and any
silent edit or deletion behind its back is found by `verify_audit`."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from shuzhi.core.models import AuditChainHead, AuditEvent
from shuzhi.core.rules import GENESIS_HASH
from shuzhi.core.selectors import audit_chain_verify
from shuzhi.core.services import audit_record


def _tamper(sql: str, params=()) -> None:
    """What a database administrator could do: switch the guard off, then change rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # user triggers off
        else:
            cursor.execute("DROP TRIGGER core_auditevent_append_only")
        cursor.execute(sql, params)


@pytest.fixture
def three_events(cast):
    first = audit_record(actor=cast.city_organiser, action="test.one", target=cast.member_a, org_path=cast.village_a.path,
                         before={"name": "甲"}, after={"name": "乙"})  # fmt: skip
    second = audit_record(
        actor=cast.county_organiser, action="test.two", target=cast.village_a, org_path=cast.village_a.path
    )
    third = audit_record(actor=None, action="test.three", target_repr="系统", org_path="")
    return first, second, third


def test_events_are_linked_each_to_the_one_before(three_events):
    first, second, third = three_events
    assert first.prev_hash == GENESIS_HASH or first.seq > 1
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert [first.seq + 1, first.seq + 2] == [second.seq, third.seq]
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (third.seq, third.hash)


def test_an_untouched_chain_verifies(three_events):
    report = audit_chain_verify()
    assert report.ok
    assert report.checked == AuditEvent.objects.count()


def test_it_keeps_who_what_and_the_before_and_after(three_events, cast):
    first = AuditEvent.objects.get(pk=three_events[0].pk)
    assert first.actor == cast.city_organiser
    assert first.actor_name == "city_org"
    assert first.target_type == "members.member"
    assert first.target_id == str(cast.member_a.pk)
    assert first.changes == {"before": {"name": "甲"}, "after": {"name": "乙"}}


def test_the_model_refuses_to_change_or_delete_an_event(three_events):
    event = AuditEvent.objects.get(pk=three_events[0].pk)
    event.action = "forged"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.one"


def test_the_database_refuses_an_update_even_in_raw_sql(three_events):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET action = 'forged' WHERE id = %s", [three_events[0].pk])
    assert AuditEvent.objects.get(pk=three_events[0].pk).action == "test.one"


def test_verify_finds_a_row_edited_behind_its_back(three_events):
    _tamper("UPDATE core_auditevent SET target_repr = 'forged' WHERE id = %s", [three_events[1].pk])
    report = audit_chain_verify()
    assert not report.ok
    assert [p.seq for p in report.problems] == [three_events[1].seq]
    assert "被改动" in report.problems[0].reason


def test_verify_finds_changed_before_and_after_values(three_events):
    _tamper(
        "UPDATE core_auditevent SET changes = %s WHERE id = %s",
        ['{"before": {"name": "甲"}, "after": {"name": "丙"}}', three_events[0].pk],
    )
    assert [p.seq for p in audit_chain_verify().problems] == [three_events[0].seq]


def test_verify_finds_a_deleted_row_in_the_middle(three_events):
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [three_events[1].pk])
    report = audit_chain_verify()
    assert not report.ok
    assert {p.seq for p in report.problems} == {three_events[2].seq}
    assert any("删除" in p.reason for p in report.problems)


def test_verify_finds_rows_cut_off_the_end(three_events):
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [three_events[2].pk])
    report = audit_chain_verify()
    assert not report.ok
    assert "末尾" in report.problems[-1].reason


def test_the_command_exits_with_an_error_when_the_chain_is_broken(three_events):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "日志完整" in out.getvalue()
    _tamper("UPDATE core_auditevent SET actor_name = 'someone' WHERE id = %s", [three_events[0].pk])
    with pytest.raises(CommandError, match="校验失败"):
        call_command("verify_audit", stdout=io.StringIO(), stderr=io.StringIO())


def test_an_event_is_rolled_back_with_the_change_it_records(cast):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=cast.city_organiser, action="test.doomed", org_path="")
        raise RuntimeError
    assert AuditEvent.objects.count() == before
    assert audit_chain_verify().ok
