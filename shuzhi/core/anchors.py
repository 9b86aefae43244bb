"""Anchors of the audit chain outside the database, and the auditor's signed digest.

Whoever holds the database alone could cut the newest events off and move the chain head back:
the rows left would still verify. So the head is also written where the database's holder cannot
reach it: appended, after every commit that adds events, to a file in AUDIT_ANCHOR_DIR (a folder
apart from the data, ideally append-only), and handed to the auditor as a digest signed with a
key derived from the audit key, which the auditor keeps. `verify_audit` checks the database
against both: every anchored (seq, hash) must still be in the chain.
"""

import base64
import hashlib
import hmac
import json
import logging
import os
import re
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.core.rules import Anchor, canonical_json

logger = logging.getLogger(__name__)

DIGEST_KIND = "shuzhi-audit-digest"


def audit_key() -> bytes:
    return settings.AUDIT_KEY.encode()


def database_label() -> str:
    """Which database the anchors belong to (one anchor folder may serve a test and a real one)."""
    name = Path(str(connection.settings_dict["NAME"])).name or "default"
    return f"{connection.vendor}-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}"[:120]


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_DIR) / f"audit-head-{database_label()}.log"


def anchor_append(seq: int, digest: str) -> None:
    """Append one head to the anchor file (O_APPEND: lines of concurrent writers never mix)."""
    if seq <= 0:
        return
    path = anchor_file()
    line = canonical_json({"seq": seq, "hash": digest, "at": timezone.now().isoformat()}) + "\n"
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    except OSError:
        # the change is already committed and must stand; the next commit anchors the head again
        logger.exception("could not write the audit anchor to %s", path)


def anchors_read() -> tuple[list[Anchor], list[str]]:
    """Every anchor in the file, and what is wrong with the file itself (absent, unreadable)."""
    path = anchor_file()
    if not path.exists():
        return [], []
    anchors: list[Anchor] = []
    problems: list[str] = []
    source = _("锚点文件第 %(line)s 行")
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                data = json.loads(line)
                anchors.append(Anchor(int(data["seq"]), str(data["hash"]), source % {"line": number}))
            except (ValueError, KeyError, TypeError):
                problems.append(_("锚点文件第 %(line)s 行无法读取") % {"line": number})
    return anchors, problems


# ---- the auditor's signed digest ------------------------------------------------------------


def _signing_key() -> Ed25519PrivateKey:
    seed = hmac.new(audit_key(), b"shuzhi audit digest signing key", hashlib.sha256).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_text() -> str:
    """The digest's public key, for the auditor to check a digest with any Ed25519 tool."""
    raw = _signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _signed_part(data: dict) -> bytes:
    return canonical_json({k: data[k] for k in ("kind", "database", "seq", "hash", "created_at")}).encode()


def digest_make(*, seq: int, digest: str, when: datetime) -> dict:
    data = {
        "kind": DIGEST_KIND,
        "database": database_label(),
        "seq": seq,
        "hash": digest,
        "created_at": when.isoformat(),
        "public_key": public_key_text(),
    }
    data["signature"] = base64.b64encode(_signing_key().sign(_signed_part(data))).decode()
    return data


def digest_read(text: str, *, source: str) -> Anchor:
    """Check a digest's signature against our key; its head as an anchor. ValueError if forged."""
    try:
        data = json.loads(text)
        if data.get("kind") != DIGEST_KIND:
            raise ValueError
        signature = base64.b64decode(data["signature"], validate=True)
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_text()))
        public.verify(signature, _signed_part(data))
        return Anchor(int(data["seq"]), str(data["hash"]), source)
    except (ValueError, KeyError, TypeError, InvalidSignature):
        raise ValueError(_("%(source)s 不是本系统签发的审计摘要，或已被改动") % {"source": source}) from None
