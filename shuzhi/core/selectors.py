from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core.access import in_subtree, require
from shuzhi.core.anchors import anchor_file, anchors_read, audit_key
from shuzhi.core.models import AuditChainHead, AuditEvent
from shuzhi.core.roles import Capability
from shuzhi.core.rules import GENESIS_HASH, Anchor, ChainProblem, verify_chain


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """The auditor reads events of their subtree; an auditor at a root also reads system events."""
    require(user, Capability.READ_AUDIT)
    scope = in_subtree("org_path", user.organization.path)
    if user.organization.depth == 1:
        scope |= Q(org_path="")
    return AuditEvent.objects.filter(scope)


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    target: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_event_list(*, viewer, filters: AuditFilter) -> QuerySet[AuditEvent]:
    events = audit_events_visible_to(viewer)
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.actor:
        events = events.filter(actor_name__icontains=filters.actor)
    if filters.target:
        events = events.filter(target_repr__icontains=filters.target)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        events = events.filter(created_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=tz))
    if filters.date_to:
        events = events.filter(created_at__lte=datetime.combine(filters.date_to, time.max, tzinfo=tz))
    return events.order_by("-seq")


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_seq: int
    head_hash: str
    problems: list[ChainProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_chain_verify(*, digests: list[Anchor] = ()) -> ChainReport:
    """Recompute every keyed hash of the whole chain (not only a subtree: the chain is one) and
    check it against the anchors outside the database: the anchor file and any signed digests
    the auditor kept."""
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    anchors, problems = anchors_read()
    file_problems = [ChainProblem(0, reason) for reason in problems]
    if not anchors and head_seq > 0:
        file_problems.append(
            ChainProblem(
                0, _("库外锚点文件 %(path)s 不存在或为空，无法发现末尾被截断") % {"path": anchor_file()}
            )
        )
    entries = (
        event.as_chain_entry() for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    )
    checked, chain_problems = verify_chain(
        entries, key=audit_key(), head_seq=head_seq, head_hash=head_hash, anchors=[*anchors, *digests]
    )
    return ChainReport(
        checked=checked, head_seq=head_seq, head_hash=head_hash, problems=file_problems + chain_problems
    )
