"""The audit chain becomes an HMAC under the audit key (kept with the other secrets, never in the
database), and SQLite refuses DELETE of audit rows as PostgreSQL already does.

Existing rows are re-keyed in order, but only if the old, unkeyed chain still verifies: a broken
chain is not laundered into a valid-looking one. The re-keyed head is written to the anchor file
outside the database.
"""

from django.db import migrations

from shuzhi.core.anchors import anchor_append, audit_key
from shuzhi.core.rules import GENESIS_HASH, ChainEntry

FIELDS = ("seq", "created_at", "actor_id", "actor_name", "action", "target_type", "target_id", "target_repr",
          "org_path", "ip", "changes", "prev_hash", "hash")  # fmt: skip

SQLITE_NO_DELETE = """
CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
WHEN shuzhi_audit_rows_deletable() = 0
BEGIN
    SELECT RAISE(ABORT, 'core_auditevent is append-only');
END;
"""
SQLITE_NO_UPDATE = """
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE ON core_auditevent
BEGIN
    SELECT RAISE(ABORT, 'core_auditevent is append-only');
END;
"""


def _rekey(apps, schema_editor):
    event_model = apps.get_model("core", "AuditEvent")
    head = apps.get_model("core", "AuditChainHead").objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return
    key = audit_key()
    previous_old = previous_new = GENESIS_HASH
    expected = 1
    rekeyed = []
    for row in event_model.objects.order_by("seq").values_list(*FIELDS).iterator(chunk_size=2000):
        entry = ChainEntry(*row)
        if (
            entry.seq != expected
            or entry.prev_hash != previous_old
            or entry.compute_unkeyed_hash() != entry.hash
        ):
            raise RuntimeError(
                f"审计日志第 {entry.seq} 条校验失败，未重新加密：请先用旧版本运行 verify_audit 查明原因。"
            )
        new = ChainEntry(*row[:-2], prev_hash=previous_new)
        digest = new.compute_hash(key)
        rekeyed.append((entry.seq, previous_new, digest))
        previous_old, previous_new, expected = entry.hash, digest, entry.seq + 1
    if expected - 1 != head.seq or previous_old != head.hash:
        raise RuntimeError("审计日志末尾与链头不符，未重新加密：请先用旧版本运行 verify_audit 查明原因。")
    for seq, prev_hash, digest in rekeyed:
        event_model._base_manager.filter(seq=seq).update(prev_hash=prev_hash, hash=digest)
    head.hash = previous_new
    head.save(update_fields=["hash"])
    anchor_append(head.seq, head.hash)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        _rekey(apps, schema_editor)
        schema_editor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only")
        _rekey(apps, schema_editor)
        schema_editor.execute(SQLITE_NO_UPDATE)
        schema_editor.execute(SQLITE_NO_DELETE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_notification")]

    operations = [migrations.RunPython(forwards, backwards)]
