"""Uploaded files judged by their content, never by their name: what kind a file is, and whether it
is safe to open. Nothing in a file is ever run; the worst a file can do here is be large, so every
size a zip declares is checked before anything is unpacked, and every member read is capped.

Used for Word and PDF reports, Excel sheets (every sheet upload through `exchange.workbook.
check_upload`, which only words two refusals for spreadsheets) and photo evidence.
"""

import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DOCX, PDF, XLSX, PNG, JPEG, ZIP = "docx", "pdf", "xlsx", "png", "jpeg", "zip"
OFFICE = frozenset({DOCX, XLSX})

MB = 1024 * 1024
HEAD_BYTES = 64 * 1024  # enough for the first members' local headers in a zip
CONTENT_TYPES_MAX_BYTES = MB  # [Content_Types].xml is a few KB in any real file

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a first member; an empty archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, and Office files saved with a password
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows .exe, .dll
    b"\x7fELF",  # Linux
    b"#!",  # scripts
    b"\xfe\xed\xfa\xce",  # Mach-O, both word orders and widths
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java classes
)
ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".cab", ".jar", ".zst")
OFFICE_SUFFIXES = (".xlsx", ".docx", ".pptx", ".xlsm", ".docm", ".pptm", ".xlsb")  # zips themselves
MACRO_SUFFIXES = (".xlsm", ".docm", ".pptm", ".xlsb")

LABELS = {
    DOCX: "Word（.docx）",
    XLSX: "Excel（.xlsx）",
    PDF: "PDF",
    PNG: "PNG",
    JPEG: "JPEG（.jpg）",
    ZIP: "ZIP",
}


@dataclass(frozen=True)
class ZipLimits:
    """What an archive may declare before it is taken for a bomb."""

    unpacked_bytes: int = 256 * MB  # all members together
    ratio: int = 200  # Office files compress about 10:1; bombs, hundreds or thousands to one
    ratio_floor_bytes: int = 8 * MB  # below this nothing is large enough to harm, whatever the ratio
    entries: int = 2000  # a report with many photos has a few hundred


DEFAULT_LIMITS = ZipLimits()
# One entry of a zip's central directory is 46 bytes plus its name; a longer directory than this
# per allowed entry is refused before Python builds an object for each entry.
DIRECTORY_BYTES_PER_ENTRY = 1024


@dataclass(frozen=True)
class ZipContents:
    kind: str  # DOCX, XLSX or ZIP
    names: frozenset[str]
    macros: bool


def sniff(head: bytes) -> str | None:
    """The kind of file that starts with `head`, by its magic bytes; None if it is none we take.

    A zip is told apart by the members named in `head`: pass the first few KB of the file, or all
    of it. `check_upload` reads the archive's directory instead and is the final word.
    """
    if head.startswith(EXECUTABLE_MAGIC):
        return None
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(_local_names(head), content_types=b"")
    return None


def check_upload(
    handle: IO[bytes],
    size: int,
    *,
    allowed: frozenset[str],
    max_bytes: int,
    limits: ZipLimits = DEFAULT_LIMITS,
) -> str:
    """Return the kind of the uploaded file if it is one of `allowed` and safe to open; else raise
    ValidationError with a message a person can act on. The handle is left at its start."""
    if size == 0:
        raise ValidationError(_("文件是空的。"), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("文件太大（%(size).1f MB），上限是 %(max)s MB。请压缩图片或删去不必要的内容后重新上传。")
            % {"size": size / MB, "max": f"{max_bytes / MB:g}"},
            code="too_large",
        )
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    kind = sniff(head)
    if kind is None:
        raise _unknown(handle, head, allowed)
    if kind in (DOCX, XLSX, ZIP):
        contents = inspect_zip(handle, size, limits=limits)
        kind = contents.kind
        if kind not in allowed:
            raise _wrong_type(allowed, found=kind)
        if contents.macros:
            raise ValidationError(
                _("文件中含有宏，请另存为不含宏的 %(ext)s 文件后上传。")
                % {"ext": ".docx" if kind == DOCX else ".xlsx" if kind == XLSX else _("文件")},
                code="macro",
            )
        return kind
    if kind not in allowed:
        raise _wrong_type(allowed, found=kind)
    return kind


def is_old_office(head: bytes) -> bool:
    """An OLE compound file: a .doc or .xls, or a newer Office file saved with a password."""
    return head.startswith(OLE_MAGIC[:4])


def inspect_zip(handle: IO[bytes], size: int, *, limits: ZipLimits = DEFAULT_LIMITS) -> ZipContents:
    """Read an archive's directory and its [Content_Types].xml, nothing else, and refuse it if it
    is broken, locked with a password, or declares more than `limits` allow. The handle is left
    at its start."""
    try:
        _check_directory_size(handle, size, limits)
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            if len(infos) > limits.entries:
                raise _too_many_entries(len(infos))
            _check_sizes(infos, size, limits)
            names = frozenset(info.filename for info in infos)
            if any(info.flag_bits & 0x1 for info in infos):
                raise _encrypted()
            content_types = b""
            if "[Content_Types].xml" in names:
                content_types = read_member(archive, "[Content_Types].xml", max_bytes=CONTENT_TYPES_MAX_BYTES)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error):
        raise _corrupt() from None
    finally:
        handle.seek(0)
    lowered = [name.lower() for name in names]
    # Word keeps a chart's data as a workbook in word/embeddings/; it is never opened here, so it may
    # stay. Any other archive inside is refused.
    nested = [
        name
        for name in lowered
        if name.endswith(ARCHIVE_SUFFIXES + OFFICE_SUFFIXES)
        and not (_embedded(name) and name.endswith(OFFICE_SUFFIXES))
    ]
    if nested:
        raise ValidationError(_("文件中嵌套了压缩包，疑似恶意文件，已拒绝。"), code="zip_bomb")
    types = content_types.lower()
    macros = (
        any(name.endswith(("vbaproject.bin", "vbadata.xml")) or "/macrosheets/" in name for name in lowered)
        or any(_embedded(name) and name.endswith(MACRO_SUFFIXES) for name in lowered)
        or b"macroenabled" in types
        or b"vbaproject" in types
        or b"macrosheet" in types
    )
    return ZipContents(kind=_zip_kind(names, content_types=types), names=names, macros=macros)


def read_member(archive: zipfile.ZipFile, name: str, *, max_bytes: int) -> bytes:
    """One member's bytes, refusing it once it unpacks past `max_bytes`, whatever its header says."""
    chunks, total = [], 0
    try:
        with archive.open(name) as member:
            while chunk := member.read(MB):
                total += len(chunk)
                if total > max_bytes:
                    raise ValidationError(_("文件解压后异常庞大，疑似恶意文件，已拒绝。"), code="zip_bomb")
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, KeyError, struct.error):
        raise _corrupt() from None
    except RuntimeError:  # a member locked with a password
        raise _encrypted() from None
    return b"".join(chunks)


def _check_directory_size(handle: IO[bytes], size: int, limits: ZipLimits) -> None:
    """Refuse an archive that claims more entries than allowed, from its end record alone."""
    tail_size = min(size, 22 + 65535)  # the end record, then a comment of at most 64 KB
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise _corrupt()
    entries, directory_bytes = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF:  # zip64: the real figures are further back
        locator = at - 20
        if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
            raise _corrupt()
        (record_offset,) = struct.unpack_from("<Q", tail, locator + 8)
        handle.seek(record_offset)
        record = handle.read(56)
        if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
            raise _corrupt()
        entries, directory_bytes = struct.unpack_from("<QQ", record, 32)
    if entries > limits.entries or directory_bytes > limits.entries * DIRECTORY_BYTES_PER_ENTRY:
        raise _too_many_entries(entries)


def _check_sizes(infos: list[zipfile.ZipInfo], size: int, limits: ZipLimits) -> None:
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.unpacked_bytes or (
        unpacked > limits.ratio_floor_bytes and unpacked > size * limits.ratio
    ):
        raise _bomb()
    # one bomb beside a large photo would pass the archive's overall ratio
    for info in infos:
        if info.file_size > limits.ratio_floor_bytes and info.file_size > info.compress_size * limits.ratio:
            raise _bomb()


def _local_names(head: bytes) -> list[str]:
    """The member names in the local headers found in `head`, walking from one to the next."""
    names, at = [], 0
    while head.startswith(b"PK\x03\x04", at) and len(head) >= at + 30:
        flags, compressed, name_length, extra_length = struct.unpack_from("<H10xI4xHH", head, at + 6)
        start = at + 30 + name_length + extra_length
        names.append(head[at + 30 : at + 30 + name_length].decode("utf-8" if flags & 0x800 else "cp437"))
        if flags & 0x8 or compressed == 0xFFFFFFFF:  # size only known after the data: look for the next
            following = head.find(b"PK\x03\x04", start)
            if following < 0:
                break
            at = following
        else:
            at = start + compressed
    return names


def _zip_kind(names, *, content_types: bytes) -> str:
    if "word/document.xml" in names or b"wordprocessingml.document.main" in content_types:
        return DOCX
    if "xl/workbook.xml" in names or b"spreadsheetml.sheet.main" in content_types:
        return XLSX
    return ZIP


def _embedded(name: str) -> bool:
    return "/embeddings/" in name


def _unknown(handle: IO[bytes], head: bytes, allowed: frozenset[str]) -> ValidationError:
    if head.startswith(EXECUTABLE_MAGIC):
        return ValidationError(
            _("这不是文档或图片，疑似可执行文件，已拒绝。%(accepted)s") % {"accepted": _accepted(allowed)},
            code="executable",
        )
    if is_old_office(head):
        if _ole_encrypted(handle, head):
            return _encrypted()
        if DOCX in allowed:
            message = _("这是旧版 Word（.doc）文件，请另存为 .docx 后上传。")
        elif XLSX in allowed:
            message = _("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传。")
        else:
            message = _("这是旧版 Office 文件（.doc 或 .xls）。%(accepted)s") % {
                "accepted": _accepted(allowed)
            }
        return ValidationError(message, code="old_office")
    return _wrong_type(allowed, found=None)


def _ole_encrypted(handle: IO[bytes], head: bytes) -> bool:
    """Whether an OLE file is an Office file locked with a password (its directory names an
    EncryptedPackage stream)."""
    if len(head) < 0x34:
        return False
    sector_shift = struct.unpack_from("<H", head, 0x1E)[0]
    first_directory_sector = struct.unpack_from("<I", head, 0x30)[0]
    if sector_shift not in (9, 12) or first_directory_sector >= 0xFFFFFFFA:
        return False
    handle.seek((first_directory_sector + 1) << sector_shift)
    directory = handle.read(1 << sector_shift)
    handle.seek(0)
    return "EncryptedPackage".encode("utf-16-le") in directory


def _accepted(allowed: frozenset[str]) -> str:
    labels = [LABELS[kind] for kind in LABELS if kind in allowed]
    if not labels:
        return ""
    joined = labels[0] if len(labels) == 1 else "、".join(labels[:-1]) + _("或") + " " + labels[-1]
    return _("只接受 %(kinds)s文件。") % {"kinds": _before_chinese(joined)}


def _wrong_type(allowed: frozenset[str], *, found: str | None) -> ValidationError:
    if found is None:
        message = _("无法识别的文件类型。%(accepted)s") % {"accepted": _accepted(allowed)}
    else:
        message = _("这是 %(found)s文件。%(accepted)s") % {
            "found": _before_chinese(LABELS[found]),
            "accepted": _accepted(allowed),
        }
    return ValidationError(message, code="wrong_type")


def _before_chinese(label: str) -> str:
    """A label followed by a space where Latin letters meet the Chinese after it."""
    return label if label.endswith("）") else label + " "


def _corrupt() -> ValidationError:
    return ValidationError(_("文件已损坏，无法打开。请重新保存后上传。"), code="corrupt")


def _encrypted() -> ValidationError:
    return ValidationError(_("文件设置了打开密码，请取消密码后重新上传。"), code="encrypted")


def _bomb() -> ValidationError:
    return ValidationError(_("文件解压后异常庞大，疑似恶意文件，已拒绝。"), code="zip_bomb")


def _too_many_entries(count: int) -> ValidationError:
    return ValidationError(
        _("文件中包含 %(count)d 个条目，远超正常文件，疑似恶意文件，已拒绝。") % {"count": count},
        code="zip_bomb",
    )


@contextmanager
def files_removed_on_error() -> Iterator[list]:
    """Collect the FieldFiles stored inside the block; if the block ends in an error (and so the
    rows naming them are rolled back), delete the files again: a refused upload leaves nothing
    behind on disk or in the bucket."""
    stored: list = []
    try:
        yield stored
    except BaseException:
        for field_file in stored:
            if field_file.name:
                field_file.storage.delete(field_file.name)
        raise
