from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from shuzhi.core.access import require
from shuzhi.core.anchors import anchor_append, audit_key, digest_make
from shuzhi.core.middleware import request_ip
from shuzhi.core.models import AuditChainHead, AuditEvent, Notification
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
