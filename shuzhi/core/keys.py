"""The field-encryption keys in the secrets file, and the columns encrypted under them."""

import base64
import json
import os
import secrets
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models

from shuzhi.core.protection import EncryptedCharField, current_key_id


def encrypted_columns() -> list[tuple[type[models.Model], list[EncryptedCharField]]]:
    """Every model with encrypted columns (members' ID numbers and phones, ballot codes…)."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
        if fields and not model._meta.proxy:
            found.append((model, fields))
    return found


def rows_under_other_keys(model: type[models.Model], fields: list[EncryptedCharField]) -> int:
    """How many rows still hold a value encrypted under a key other than the current one."""
    where, params = not_current(fields)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)  # noqa: S608
        return cursor.fetchone()[0]


def not_current(fields: list[EncryptedCharField]) -> tuple[str, list[str]]:
    prefix = f"enc:{current_key_id()}:%"
    quote = connection.ops.quote_name
    where = " OR ".join(f"({quote(f.column)} <> '' AND {quote(f.column)} NOT LIKE %s)" for f in fields)
    return f"({where})", [prefix] * len(fields)


def secrets_file_keys() -> tuple[Path, dict]:
    path = Path(settings.SECRETS_FILE)
    return path, json.loads(path.read_text())


def _write_secrets(path: Path, data: dict) -> None:
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    os.replace(temporary, path)


def secrets_file_add_field_key() -> str:
    """Put a new field-encryption key first in the secrets file; the older ones stay, to decrypt."""
    path, data = secrets_file_keys()
    keys = data.get("field_encryption_keys") or [data["field_encryption_key"]]
    new = base64.b64encode(secrets.token_bytes(32)).decode()
    data["field_encryption_keys"] = [new, *keys]
    _write_secrets(path, data)
    return new


def secrets_file_retire_field_keys() -> int:
    """Keep only the current field-encryption key in the secrets file; how many were removed."""
    path, data = secrets_file_keys()
    keys = data.get("field_encryption_keys") or [data["field_encryption_key"]]
    current = settings.FIELD_ENCRYPTION_KEYS[0]
    data["field_encryption_keys"] = [current]
    data["field_encryption_key"] = current
    _write_secrets(path, data)
    return len([key for key in keys if key != current])
