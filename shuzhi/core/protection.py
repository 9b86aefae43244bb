"""Personal data at rest: authenticated encryption of a field, and a keyed hash to look it up.

Ciphertext is stored as ``enc:<key id>:<base64(nonce || ciphertext)>``. The first key in
settings.FIELD_ENCRYPTION_KEYS encrypts; every key listed can decrypt, so keys can be rotated by
prepending a new one and re-saving the rows.
"""

import base64
import binascii
import hashlib
import os
import threading
from collections.abc import Callable
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
def _hash_pads() -> tuple:
    """HMAC-SHA256's inner and outer states after the key (RFC 2104), computed once: each hash
    then costs two compressions instead of four, which imports of whole rosters notice."""
    key = base64.b64decode(settings.FIELD_HASH_KEY)
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def encrypt(plaintext: str, *, context: bytes) -> str:
    """Encrypt; `context` binds the ciphertext to its column so it cannot be moved to another."""
    return _encryptor(context)(plaintext)


def _encryptor(context: bytes) -> Callable[[str], str]:
    """encrypt() with the key and the context looked up once, for many values in a row."""
    encrypt = _byte_encryptor(context)
    return lambda plaintext: encrypt(plaintext.encode()).decode()


def _byte_encryptor(context: bytes) -> Callable[[bytes], bytes]:
    """encrypt() from UTF-8 to the stored form's ASCII, for writers that deal in bytes (a binary
    COPY): no text to make and encode again for each value."""
    key_id, aead = _keyring()[0]
    prefix, seal = f"{PREFIX}:{key_id}:".encode(), aead.encrypt
    b64 = binascii.b2a_base64

    def encrypt(plaintext: bytes) -> bytes:
        nonce = _nonce()
        return prefix + b64(nonce + seal(nonce, plaintext, context), newline=False)

    return encrypt


NONCE_BYTES = 12
_NONCES_AT_ONCE = 1024  # asked of the OS together: one call instead of one per value


class _Nonces(threading.local):
    """Random nonces, taken from the OS a block at a time: a roster import encrypts two values a
    row, and a system call for each (0.5 µs here) was a twentieth of its checking. Never the
    same nonce twice under one key: each thread has its own block, and a forked process starts
    with none (see _forget_nonces), so it cannot use again what its parent had left."""

    def __init__(self):
        self.block, self.at = b"", 0


_nonces = _Nonces()


def _forget_nonces() -> None:
    global _nonces
    _nonces = _Nonces()


os.register_at_fork(after_in_child=_forget_nonces)


def _nonce() -> bytes:
    nonces = _nonces
    at = nonces.at
    if at == len(nonces.block):
        nonces.block, at = os.urandom(NONCE_BYTES * _NONCES_AT_ONCE), 0
    nonces.at = at + NONCE_BYTES
    return nonces.block[at : at + NONCE_BYTES]


def decrypt(stored: str, *, context: bytes) -> str:
    prefix, key_id, body = stored.split(":", 2)
    if prefix != PREFIX:
        raise ValueError("not an encrypted value")
    for candidate_id, aead in _keyring():
        if candidate_id == key_id:
            raw = base64.b64decode(body)
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context).decode()
    raise ImproperlyConfigured(f"no encryption key with id {key_id} is configured")


KEYED_HASH_BYTES = hashlib.sha256().digest_size  # 32: what keyed_hash gives


def keyed_hash(value: str, *, purpose: str) -> bytes:
    """HMAC-SHA256 of a normalised value, 32 bytes; equal inputs give equal hashes, usable in an
    index. Stored as bytes rather than hex: half the index, compared bytewise under any collation."""
    return keyed_hasher(purpose)(value)


def keyed_hasher(purpose: str) -> Callable[[str], bytes]:
    """keyed_hash() for one purpose, for hashing a great many values (a roster's ID numbers):
    the purpose goes into the inner state once, not again for each value."""
    inner, outer = _hash_pads()
    inner = inner.copy()
    inner.update(f"{purpose}\x00".encode())
    inner_copy, outer_copy = inner.copy, outer.copy

    def digest(value: str) -> bytes:
        hashed, result = inner_copy(), outer_copy()
        hashed.update(value.encode())
        result.update(hashed.digest())
        return result.digest()

    return digest


class EncryptedCharField(models.TextField):
    """A text column whose value is encrypted before it reaches the database.

    Values cannot be searched or compared in SQL: look them up through a keyed-hash column.
    """

    def _context(self) -> bytes:
        return f"{self.model._meta.db_table}.{self.column}".encode()

    def seal(self, value: str) -> str:
        """The stored form of a value, for writers that bypass the ORM (COPY, bulk SQL)."""
        return value if value == "" else encrypt(value, context=self._context())

    def sealer(self) -> Callable[[str], str]:
        """seal(), for a writer that seals a great many values (a roster import): the key and
        the context are looked up once, not for each value."""
        encrypt = _encryptor(self._context())
        return lambda value: value if value == "" else encrypt(value)

    def byte_sealer(self) -> Callable[[bytes], bytes]:
        """sealer() from UTF-8 to the stored form's ASCII, for a writer in bytes (a binary COPY)."""
        encrypt = _byte_encryptor(self._context())
        return lambda value: value and encrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return self.seal(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value, context=self._context())

    def get_lookup(self, lookup_name):
        # Only emptiness can be asked of ciphertext; anything else would silently match nothing.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def current_key_id() -> str:
    """The id of the key new values are encrypted under."""
    return _keyring()[0][0]


def key_id_of(stored: str) -> str:
    """The id of the key a stored value was encrypted under ("" for an empty value)."""
    return stored.split(":", 2)[1] if stored else ""
