from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core.access import require
from shuzhi.core.anchors import anchor_append, audit_key, digest_make
from shuzhi.core.keys import encrypted_columns
from shuzhi.core.keys import not_current as keys_not_current
from shuzhi.core.middleware import request_ip
from shuzhi.core.models import AuditChainHead, AuditEvent, Notification
from shuzhi.core.protection import current_key_id, decrypt, key_id_of
from shuzhi.core.roles import Capability
from shuzhi.core.rules import GENESIS_HASH, ChainEntry, normalise_changes
from shuzhi.core.tasks import send_notification_mail


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_repr: str = "",
    org_path: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit chain, in the caller's transaction.

    `before`/`after` are snapshots of the fields that changed; personal data in them must
    already be masked (see audit_snapshot callers).
    """
    changes: dict[str, Any] = {}
    if before is not None:
        changes["before"] = before
    if after is not None:
        changes["after"] = after
    if extra:
        changes.update(extra)
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
    )
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    entry = ChainEntry(
        seq=head.seq + 1,
        created_at=timezone.now(),
        actor_id=actor.pk if is_user else None,
        actor_name=actor.get_username() if is_user else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=(target_repr or (str(target) if target is not None else ""))[:200],
        org_path=org_path,
        ip=request_ip.get(),
        changes=normalise_changes(changes),
        prev_hash=head.hash,
    )
    digest = entry.compute_hash(audit_key())
    event = AuditEvent.objects.create(
        seq=entry.seq,
        created_at=entry.created_at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        target_repr=entry.target_repr,
        org_path=entry.org_path,
        ip=entry.ip,
        changes=entry.changes,
        prev_hash=entry.prev_hash,
        hash=digest,
    )
    head.seq = entry.seq
    head.hash = digest
    head.save(update_fields=["seq", "hash", "updated_at"])
    # the head outside the database once it is committed (a rolled-back event is never anchored)
    transaction.on_commit(lambda: anchor_append(entry.seq, digest))
    return event


def audit_diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the fields whose value changed, for a readable before/after pair."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def notify(*, recipients, text: str, link: str = "") -> int:
    """Tell users something in the app (and by e-mail when a mail server is configured)."""
    recipients = [user for user in recipients if user.is_active]
    if not recipients:
        return 0
    Notification.objects.bulk_create(
        Notification(recipient=user, text=text, link=link) for user in recipients
    )
    get_user_model().objects.filter(pk__in=[user.pk for user in recipients]).update(
        unread_notifications=models.F("unread_notifications") + 1
    )
    addresses = [user.email for user in recipients if user.email]
    if settings.EMAIL_HOST and addresses:
        transaction.on_commit(lambda: send_notification_mail.enqueue(addresses, text, link))
    return len(recipients)


@transaction.atomic
def notifications_mark_read(*, user) -> int:
    """Mark every unread notification of the user read."""
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    get_user_model().objects.filter(pk=user.pk).update(unread_notifications=0)
    user.unread_notifications = 0
    return count


def audit_head_anchor() -> tuple[int, str]:
    """Write the committed chain head to the anchor file (every commit does; the worker repeats
    it every few minutes, so a head whose commit-time write failed is anchored too)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        return 0, GENESIS_HASH
    anchor_append(head.seq, head.hash)
    return head.seq, head.hash


def audit_digest_issue(*, actor) -> dict:
    """The signed digest of the chain head the auditor downloads and keeps outside the system;
    audited (who took which head)."""
    require(actor, Capability.READ_AUDIT)
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        seq, digest = (head.seq, head.hash) if head else (0, GENESIS_HASH)
        signed = digest_make(seq=seq, digest=digest, when=timezone.now())
        audit_record(actor=actor, action="audit.digest", target_repr=f"#{seq}", extra={"seq": seq})
    return signed


@dataclass
class RotationProgress:
    rows: dict[str, int]
    finished: bool


def field_key_rotate(
    *, actor=None, batch_size: int = 500, max_batches: int | None = None
) -> RotationProgress:
    """Re-encrypt every encrypted column still under an older key with the current one (the first
    of FIELD_ENCRYPTION_KEYS), one committed batch at a time: an interrupted run loses at most
    its open batch, and the next run goes on from there (it takes only rows not yet under the
    current key). Each run is audited: what it re-encrypted, and whether it finished."""
    key = current_key_id()
    done: dict[str, int] = {}
    batches = 0
    finished = True
    try:
        for model, fields in encrypted_columns():
            label = model._meta.label_lower
            done.setdefault(label, 0)
            table, quote = model._meta.db_table, connection.ops.quote_name
            pk = quote(model._meta.pk.column)
            columns = ", ".join(quote(f.column) for f in fields)
            where, params = keys_not_current(fields)
            while True:
                if max_batches is not None and batches >= max_batches:
                    finished = False
                    return RotationProgress(done, finished)
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {pk}, {columns} FROM {quote(table)} WHERE {where} ORDER BY {pk} LIMIT %s",  # noqa: S608
                        [*params, batch_size],
                    )
                    rows = cursor.fetchall()
                    if not rows:
                        break
                    updates = []
                    for row_pk, *values in rows:
                        sealed = []
                        for field, value in zip(fields, values, strict=True):
                            if value and key_id_of(value) != key:
                                value = field.seal(decrypt(value, context=field._context()))
                            sealed.append(value)
                        updates.append([*sealed, row_pk])
                    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
                    cursor.executemany(f"UPDATE {quote(table)} SET {assignments} WHERE {pk} = %s", updates)  # noqa: S608
                done[label] += len(rows)
                batches += 1
    except BaseException:
        finished = False
        raise
    finally:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="keys.field_rotation",
                target_repr=_("字段加密密钥轮换") + ("" if finished else _("（未完成，可再次运行继续）")),
                extra={"key": key, "rows": done, "finished": finished},
            )
    return RotationProgress(done, finished)
