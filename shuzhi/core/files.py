"""Stored files encrypted at rest: uploaded and exported sheets, error reports, attachments.

Every file written through the storage API is sealed with AES-256-GCM under the first key of
settings.FILE_ENCRYPTION_KEYS (kept with the other secrets, not with the data) and opened with
whichever listed key sealed it; so a copy of the media folder or of the bucket without the
secrets reveals nothing. A file is ``MAGIC || key id (8) || nonce (12) || ciphertext+tag``; a
file stored before encryption (no MAGIC) is read as it is.
"""

import base64
import hashlib
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage

MAGIC = b"SZF1"
_ID, _NONCE, _TAG = 8, 12, 16
HEADER = len(MAGIC) + _ID + _NONCE
CONTEXT = b"shuzhi stored file"


@cache
def _ring(keys: tuple[str, ...]) -> tuple[tuple[bytes, AESGCM], ...]:
    ring = []
    for encoded in keys:
        key = base64.b64decode(encoded)
        if len(key) != 32:
            raise ImproperlyConfigured("FILE_ENCRYPTION_KEYS entries must be 32 bytes, base64-encoded")
        ring.append((hashlib.sha256(key).digest()[:_ID], AESGCM(key)))
    if not ring:
        raise ImproperlyConfigured("FILE_ENCRYPTION_KEYS is empty")
    return tuple(ring)


def keyring() -> tuple[tuple[bytes, AESGCM], ...]:
    return _ring(tuple(settings.FILE_ENCRYPTION_KEYS))


def seal(data: bytes) -> bytes:
    key_id, aead = keyring()[0]
    nonce = os.urandom(_NONCE)
    return MAGIC + key_id + nonce + aead.encrypt(nonce, data, CONTEXT)


def is_sealed(data: bytes) -> bool:
    return data[: len(MAGIC)] == MAGIC


def unseal(data: bytes) -> bytes:
    if not is_sealed(data):
        return data  # stored before files were encrypted
    key_id, nonce = data[len(MAGIC) : len(MAGIC) + _ID], data[len(MAGIC) + _ID : HEADER]
    for candidate, aead in keyring():
        if candidate == key_id:
            return aead.decrypt(nonce, data[HEADER:], CONTEXT)
    raise ImproperlyConfigured("no file encryption key in FILE_ENCRYPTION_KEYS opens this file")


class EncryptedStorageMixin:
    """Seal on save, unseal on open; every other method is the backend's own."""

    def _save(self, name, content):
        if hasattr(content, "seek"):
            content.seek(0)
        return super()._save(name, ContentFile(seal(content.read())))

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("stored files are written through save() only")
        with super()._open(name, "rb") as stored:
            data = stored.read()
        return ContentFile(unseal(data), name=name)

    def size(self, name):
        raw = super().size(name)
        with super()._open(name, "rb") as stored:
            sealed = is_sealed(stored.read(len(MAGIC)))
        return raw - HEADER - _TAG if sealed else raw

    def seal_in_place(self, name) -> bool:
        """Encrypt a file stored in clear by an older release; False if it already is sealed."""
        with super()._open(name, "rb") as stored:
            data = stored.read()
        if is_sealed(data):
            return False
        self._replace(name, seal(data))
        return True

    def _replace(self, name, data: bytes) -> None:
        raise NotImplementedError


class EncryptedFileSystemStorage(EncryptedStorageMixin, FileSystemStorage):
    def _replace(self, name, data: bytes) -> None:
        """Write beside the file and rename over it: a crash leaves the old file or the new one."""
        target = os.path.join(self.location, name)
        temporary = f"{target}.sealing"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)

    def listdir_all(self, folder: str = "") -> list[str]:
        directories, files = self.listdir(folder)
        found = [f"{folder}/{name}".lstrip("/") for name in files if not name.endswith(".sealing")]
        for directory in directories:
            found += self.listdir_all(f"{folder}/{directory}".lstrip("/"))
        return found


class EncryptedS3Storage(EncryptedStorageMixin, S3Storage):
    def _replace(self, name, data: bytes) -> None:
        S3Storage._save(self, name, ContentFile(data))  # the backend's own: an object is replaced whole

    def listdir_all(self, folder: str = "") -> list[str]:
        directories, files = self.listdir(folder)
        found = [f"{folder}/{name}".lstrip("/") for name in files]
        for directory in directories:
            found += self.listdir_all(f"{folder}/{directory}".lstrip("/"))
        return found
