"""The audit log: appended in the change's transaction, chained by an HMAC under a key the
database never holds, refusing edits and deletions, anchored outside the database, and any silent
edit, deletion or truncation behind its back is found by `verify_audit` (which exits non-zero)."""

import importlib
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

import config.settings as settings_module
from shuzhi.core.anchors import anchor_file, digest_read
from shuzhi.core.models import AuditChainHead, AuditEvent
from shuzhi.core.rules import GENESIS_HASH
from shuzhi.core.selectors import audit_chain_verify
from shuzhi.core.services import audit_head_anchor, audit_record

# tampering needs the database owner's powers (which the app role lacks: test_app_role)
pytestmark = pytest.mark.owner


def _tamper(sql: str, params=()) -> None:
    """What a database administrator could do: switch the guard off, then change rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # user triggers off
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only")
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")
        cursor.execute(sql, params)


@pytest.fixture
def three_events(cast, django_capture_on_commit_callbacks):
    # each event's commit writes the head to the anchor file (the test's transaction never
    # commits, so its callbacks are run by hand)
    with django_capture_on_commit_callbacks(execute=True):
        audit_head_anchor()  # the cast's own events, as the worker would anchor them
        first = _three_events(cast)
    return first


def _three_events(cast):
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
    # the row after the gap, and the anchor of the deleted row that is no longer there
    assert {p.seq for p in report.problems} == {three_events[1].seq, three_events[2].seq}
    assert any("删除" in p.reason for p in report.problems)


def test_verify_finds_rows_cut_off_the_end(three_events):
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [three_events[2].pk])
    report = audit_chain_verify()
    assert not report.ok
    assert any("末尾" in p.reason for p in report.problems)


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


# ---- what someone holding the database alone (not the key, not the anchors) can try -----------


def _forge_tail(cut_after: int) -> None:
    """Delete the newest events and move the chain head back to the last one kept."""
    kept = AuditEvent.objects.get(seq=cut_after)
    _tamper("DELETE FROM core_auditevent WHERE seq > %s", [cut_after])
    AuditChainHead.objects.filter(pk=1).update(seq=kept.seq, hash=kept.hash)


def test_deleting_the_newest_events_and_moving_the_head_back_is_found(three_events):
    first, _second, third = three_events
    _forge_tail(first.seq)
    report = audit_chain_verify()
    assert not report.ok
    # the rows left are a consistent chain; only the anchors outside the database tell
    assert [p.seq for p in report.problems] == [first.seq + 1, third.seq]
    assert all("锚点" in p.reason and "截断" in p.reason for p in report.problems)
    with pytest.raises(CommandError, match="校验失败"):
        call_command("verify_audit", stdout=io.StringIO(), stderr=io.StringIO())


def _rehash_from(seq: int, *, digest) -> None:
    """Re-link every event from `seq` on with `digest` and point the head at the last one."""
    previous = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        entry = replace(event.as_chain_entry(), prev_hash=previous)
        new = digest(entry)
        _tamper(
            "UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [previous, new, event.pk]
        )
        previous = new
    AuditChainHead.objects.filter(pk=1).update(hash=previous)


@pytest.mark.parametrize(
    "digest",
    [
        pytest.param(lambda entry: entry.compute_unkeyed_hash(), id="plain-sha256"),
        pytest.param(lambda entry: entry.compute_hash(b"a guessed key"), id="hmac-wrong-key"),
    ],
)
def test_rewriting_one_event_and_rehashing_the_rest_without_the_key_is_found(three_events, digest):
    _first, second, third = three_events
    _tamper("UPDATE core_auditevent SET target_repr = 'forged' WHERE id = %s", [second.pk])
    _rehash_from(second.seq, digest=digest)
    report = audit_chain_verify()
    assert not report.ok
    changed = {p.seq for p in report.problems if "被改动" in p.reason}
    assert changed == {second.seq, third.seq}
    assert any("锚点" in p.reason for p in report.problems)
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=io.StringIO(), stderr=io.StringIO())


def test_an_intact_chain_passes_the_command_and_its_anchors(three_events):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)  # no CommandError: exit status 0
    assert "日志完整" in out.getvalue()
    lines = anchor_file().read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines][-3:] == [e.seq for e in three_events]
    assert not anchor_file().is_relative_to(settings.DATA_DIR)


def test_the_anchor_file_lives_apart_from_the_data_by_default():
    configured = Path(settings_module.AUDIT_ANCHOR_DIR)
    assert not configured.is_relative_to(settings_module.DATA_DIR)


def test_a_missing_anchor_file_is_a_problem_not_a_pass(three_events):
    anchor_file().unlink()
    report = audit_chain_verify()
    assert not report.ok
    assert "锚点文件" in report.problems[0].reason


def test_a_rolled_back_event_is_never_anchored(cast, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        audit_record(actor=cast.city_organiser, action="test.doomed", org_path="")
        raise RuntimeError
    assert callbacks == []
    assert not anchor_file().exists()


def test_the_key_never_enters_the_database(three_events):
    key = settings.AUDIT_KEY
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            assert key not in repr(cursor.fetchall()), table


def test_the_database_refuses_a_delete_even_in_raw_sql(three_events):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [three_events[2].pk])
    assert AuditEvent.objects.filter(pk=three_events[2].pk).exists()


# ---- the auditor's signed digest ------------------------------------------------------------------


def test_the_auditor_keeps_a_signed_digest_that_finds_a_truncation_even_without_the_anchor_file(
    client, cast, three_events, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(cast.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:audit_digest"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    kept = tmp_path / "digest.json"
    kept.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    digest = json.loads(kept.read_text())
    taken = digest["seq"]
    assert AuditEvent.objects.filter(action="audit.digest", actor=cast.auditor).exists()
    call_command("verify_audit", digest=[str(kept)], stdout=io.StringIO())

    # the digest names a head the database must still hold; someone who also removed the
    # anchor file is still caught by it
    _forge_tail(three_events[0].seq)
    anchor_file().unlink()
    report = audit_chain_verify(digests=[digest_read(kept.read_text(), source="digest.json")])
    assert any(p.seq == taken and "digest.json" in p.reason for p in report.problems)
    with pytest.raises(CommandError, match="校验失败"):
        call_command("verify_audit", digest=[str(kept)], stdout=io.StringIO(), stderr=io.StringIO())


def test_a_digest_not_signed_by_the_platform_is_refused(client, cast, three_events, tmp_path):
    client.force_login(cast.auditor)
    digest = json.loads(client.post(reverse("core:audit_digest")).content)
    digest["seq"] = 1  # moved back to fit a truncated log
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(digest))
    with pytest.raises(CommandError, match="不是本系统签发"):
        call_command("verify_audit", digest=[str(forged)], stdout=io.StringIO(), stderr=io.StringIO())


def test_only_the_auditor_downloads_the_digest(client, cast):
    for user in (cast.sysadmin, cast.secadmin, cast.city_organiser):
        client.force_login(user)
        assert client.post(reverse("core:audit_digest")).status_code == 403


# ---- chains written before the key ---------------------------------------------------------------


def test_the_migration_rekeys_an_old_unkeyed_chain_and_refuses_a_broken_one(three_events):
    rekey = importlib.import_module("shuzhi.core.migrations.0004_audit_keyed_chain")._rekey
    _rehash_from(1, digest=lambda entry: entry.compute_unkeyed_hash())  # as the first releases wrote it
    assert not audit_chain_verify().ok
    with connection.cursor() as cursor:  # the migration runs as the owner, triggers off
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only")
    rekey(django_apps, None)
    assert audit_chain_verify().ok

    _rehash_from(1, digest=lambda entry: entry.compute_unkeyed_hash())
    _tamper("UPDATE core_auditevent SET action = 'forged' WHERE id = %s", [three_events[1].pk])
    with pytest.raises(RuntimeError, match="校验失败"):
        rekey(django_apps, None)


def test_the_auditor_checks_a_kept_digest_on_the_page(
    client, cast, three_events, django_capture_on_commit_callbacks
):
    client.force_login(cast.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        kept = client.post(reverse("core:audit_digest")).content
    verify = reverse("core:audit_verify")
    response = client.post(verify, {"digests": SimpleUploadedFile("摘要.json", kept)})
    assert response.status_code == 200
    assert "已一并核对 1 份签名摘要" in response.content.decode() and "日志完整" in response.content.decode()

    _forge_tail(three_events[0].seq)
    anchor_file().unlink()  # someone reached the anchors too: the kept digest still tells
    page = client.post(verify, {"digests": SimpleUploadedFile("摘要.json", kept)}).content.decode()
    assert "摘要.json" in page and "截断" in page and "日志完整" not in page

    forged = json.loads(kept)
    forged["seq"] = three_events[0].seq
    response = client.post(
        verify, {"digests": SimpleUploadedFile("改过的.json", json.dumps(forged).encode())}
    )
    assert response.status_code == 400
    assert "不是本系统签发的审计摘要" in response.content.decode()
    response = client.post(verify, {"digests": SimpleUploadedFile("图片.png", b"\x89PNG\xff\xfe")})
    assert response.status_code == 400 and "无法读取该文件" in response.content.decode()
