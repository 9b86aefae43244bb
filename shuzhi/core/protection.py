"""Personal data at rest: authenticated encryption of a field, and a keyed hash to look it up.

Ciphertext is stored as ``enc:<key id>:<base64(nonce || ciphertext)>``. The first key in
settings.FIELD_ENCRYPTION_KEYS encrypts; every key listed can decrypt, so keys can be rotated by
prepending a new one and re-saving the rows.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc"


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


@cache
def _keyring() -> tuple[tuple[str, AESGCM], ...]:
    ring = []
    for encoded in settings.FIELD_ENCRYPTION_KEYS:
        key = base64.b64decode(encoded)
        if len(key) != 32:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS entries must be 32 bytes, base64-encoded")
        ring.append((_key_id(key), AESGCM(key)))
    if not ring:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    return tuple(ring)


@cache
def _hash_key() -> bytes:
    return base64.b64decode(settings.FIELD_HASH_KEY)


def encrypt(plaintext: str, *, context: bytes) -> str:
    """Encrypt; `context` binds the ciphertext to its column so it cannot be moved to another."""
    key_id, aead = _keyring()[0]
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plaintext.encode(), context)
    return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(stored: str, *, context: bytes) -> str:
    prefix, key_id, body = stored.split(":", 2)
    if prefix != PREFIX:
        raise ValueError("not an encrypted value")
    for candidate_id, aead in _keyring():
        if candidate_id == key_id:
            raw = base64.b64decode(body)
            return aead.decrypt(raw[:12], raw[12:], context).decode()
    raise ImproperlyConfigured(f"no encryption key with id {key_id} is configured")


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value; equal inputs give equal hashes, usable in an index."""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(_hash_key(), message, hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A text column whose value is encrypted before it reaches the database.

    Values cannot be searched or compared in SQL: look them up through a keyed-hash column.
    """

    def _context(self) -> bytes:
        return f"{self.model._meta.db_table}.{self.column}".encode()

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value, context=self._context())

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value, context=self._context())

    def get_lookup(self, lookup_name):
        # Only emptiness can be asked of ciphertext; anything else would silently match nothing.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)
