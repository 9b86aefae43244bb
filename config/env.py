"""Strict readers for settings taken from the environment, and the local secrets file.

A value that is present but malformed stops the start-up with a message naming the variable:
a typo in production must not silently fall back to a default.
"""

import base64
import fcntl
import json
import os
import secrets
import time
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum {maximum}")
    return value


def env_url(name: str) -> str:
    """An address such as http://192.168.1.20:8000 (scheme and host, no path), without the
    trailing slash; "" when unset."""
    from urllib.parse import urlsplit

    raw = env_str(name).rstrip("/")
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an address like http://192.168.1.20:8000")
    return raw


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def _new_secrets() -> dict[str, str]:
    return {
        "secret_key": secrets.token_urlsafe(50),
        "field_encryption_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "field_hash_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        # keys the HMAC of the audit chain and the signature of the auditor's digest
        "audit_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        # encrypts stored files (uploaded and exported sheets, error reports) at rest
        "file_encryption_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


# keys added after the first release: a secrets file without them gets them on the next start
_ADDED_LATER = ("audit_key", "file_encryption_key")


def local_secrets(path: Path) -> dict[str, str]:
    """Read the secrets file, creating it (mode 0600) on first use.

    Creation uses O_EXCL so that several processes starting at once (test workers, app servers)
    agree on one set of keys instead of each writing its own.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            json.dump(_new_secrets(), handle)
    for _attempt in range(50):
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError:
            # another process created the file and has not finished writing it
            time.sleep(0.05)
            continue
        missing = set(_new_secrets()) - set(data)
        if missing and missing <= set(_ADDED_LATER):
            return _add_keys(path, missing)
        if missing:
            raise ImproperlyConfigured(f"{path} lacks {', '.join(sorted(missing))}")
        return data
    raise ImproperlyConfigured(f"{path} is not valid JSON")


def _add_keys(path: Path, missing: set[str]) -> dict[str, str]:
    """Add newly introduced keys to an existing secrets file, under a lock so that processes
    starting together agree on one value, and by an atomic rename (mode 0600)."""
    with open(path.with_name(path.name + ".lock"), "a", opener=lambda p, f: os.open(p, f, 0o600)) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(path.read_text())
        fresh = _new_secrets()
        for name in missing:
            data.setdefault(name, fresh[name])
        temporary = path.with_name(path.name + ".new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
        os.replace(temporary, path)
        return data
