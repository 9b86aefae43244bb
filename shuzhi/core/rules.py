"""The arithmetic of the audit chain: canonical form and keyed hashes, no ORM."""

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, non-ASCII kept, dates as ISO strings."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def normalise_changes(value: Any) -> Any:
    """Return the value as it will read back from a JSON column, so the hash survives storage."""
    return json.loads(canonical_json(value))


@dataclass(frozen=True)
class ChainEntry:
    seq: int
    created_at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    target_type: str
    target_id: str
    target_repr: str
    org_path: str
    ip: str
    changes: Any
    prev_hash: str
    hash: str = ""

    def payload(self) -> str:
        return canonical_json(
            {
                "seq": self.seq,
                "created_at": self.created_at.isoformat(),
                "actor_id": self.actor_id,
                "actor_name": self.actor_name,
                "action": self.action,
                "target_type": self.target_type,
                "target_id": self.target_id,
                "target_repr": self.target_repr,
                "org_path": self.org_path,
                "ip": self.ip,
                "changes": self.changes,
                "prev_hash": self.prev_hash,
            }
        )

    def compute_hash(self, key: bytes) -> str:
        """HMAC-SHA256 under the audit key: without the key no one can make a row that verifies."""
        return hmac.new(key, self.payload().encode(), hashlib.sha256).hexdigest()

    def compute_unkeyed_hash(self) -> str:
        """The hash of the first releases (plain SHA-256), read only to re-key an old chain."""
        return hashlib.sha256(self.payload().encode()).hexdigest()


@dataclass(frozen=True)
class Anchor:
    """A chain head recorded outside the database: (seq, hash) and where it was found."""

    seq: int
    hash: str
    source: str


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str


def verify_chain(
    entries: Iterable[ChainEntry],
    *,
    key: bytes,
    head_seq: int,
    head_hash: str,
    anchors: Iterable[Anchor] = (),
) -> tuple[int, list[ChainProblem]]:
    """Walk the entries in seq order; return how many were checked and every break found.

    A changed row breaks its own keyed hash (and without the key it cannot be re-hashed); a
    deleted row leaves a gap in seq and a prev_hash that no longer matches; rows cut off the end
    no longer reach the recorded head, and the head moved back with them no longer reaches the
    anchors kept outside the database.
    """
    anchored: dict[int, Anchor] = {}
    problems: list[ChainProblem] = []
    for anchor in anchors:
        seen = anchored.setdefault(anchor.seq, anchor)
        if seen.hash != anchor.hash:
            problems.append(
                ChainProblem(
                    anchor.seq,
                    _("两个锚点对同一条记录的哈希不一致（%(a)s 与 %(b)s）")
                    % {"a": seen.source, "b": anchor.source},
                )
            )
    expected_seq = 1
    previous = GENESIS_HASH
    checked = 0
    for entry in entries:
        checked += 1
        if entry.seq != expected_seq:
            problems.append(
                ChainProblem(
                    entry.seq,
                    _("序号不连续：应为 %(expected)s，实为 %(seq)s（有记录被删除）")
                    % {"expected": expected_seq, "seq": entry.seq},
                )
            )
        if entry.prev_hash != previous:
            problems.append(ChainProblem(entry.seq, _("前一条记录的哈希不符（前一条记录被删除或改动）")))
        if not hmac.compare_digest(entry.compute_hash(key), entry.hash):
            problems.append(ChainProblem(entry.seq, _("记录内容与其哈希不符（记录被改动）")))
        anchor = anchored.pop(entry.seq, None)
        if anchor is not None and anchor.hash != entry.hash:
            problems.append(
                ChainProblem(
                    entry.seq, _("记录与库外锚点不符（%(source)s）：记录被替换") % {"source": anchor.source}
                )
            )
        previous = entry.hash
        expected_seq = entry.seq + 1
    last_seq = expected_seq - 1
    if last_seq != head_seq or previous != head_hash:
        problems.append(
            ChainProblem(
                last_seq,
                _("日志末尾与链头不符：链头序号 %(head)s，实际最后一条 %(last)s（末尾记录被删除）")
                % {"head": head_seq, "last": last_seq},
            )
        )
    for anchor in sorted(anchored.values(), key=lambda a: a.seq):
        problems.append(
            ChainProblem(
                anchor.seq,
                _("库外锚点（%(source)s）记录了第 %(seq)s 条，数据库中没有这一条（日志被截断或删除）")
                % {"source": anchor.source, "seq": anchor.seq},
            )
        )
    return checked, problems
