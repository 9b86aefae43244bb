"""An upload is judged by what it is, never by what it is called: what is not an accepted kind, or
is not safe to open, is refused with a message a person can act on, before anything unpacks it."""

import io
import os
import struct
import zipfile

import docx
import pytest
from django.core.exceptions import ValidationError

from shuzhi.core import uploads
from shuzhi.reports import documents

MB = 1024 * 1024
DOCUMENTS = frozenset({uploads.DOCX, uploads.PDF})
PHOTOS = frozenset({uploads.PNG, uploads.JPEG})
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def check(content: bytes, *, allowed=DOCUMENTS, max_bytes: int = 20 * MB, **limits) -> str:
    handle = io.BytesIO(content)
    kind = uploads.check_upload(
        handle, len(content), allowed=allowed, max_bytes=max_bytes, limits=uploads.ZipLimits(**limits)
    )
    assert handle.tell() == 0
    return kind


def refused(content: bytes, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check(content, **kwargs)
    return caught.value


def a_docx(text: str = "一、履行主体责任情况") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def with_members(content: bytes, members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def a_zip(members: dict[str, bytes]) -> bytes:
    return with_members(b"", members)


def replaced(content: bytes, name: str, data: bytes) -> bytes:
    """The archive with one member's content replaced."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, data if info.filename == name else source.read(info.filename))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A docx-shaped zip carrying 200 MB of zeros, written in a stream: about 200 KB."""
    buffer = io.BytesIO(a_docx())
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/image1.png", "w", force_zip64=True) as member,
    ):
        block = bytes(MB)
        for _ in range(200):
            member.write(block)
    return buffer.getvalue()


# ---- what a file is -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (a_docx(), "docx"),
        (a_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}), "xlsx"),
        (a_zip({"readme.txt": b"hello"}), "zip"),
        ("姓名,身份证号\n".encode(), None),
        (b"MZ\x90\x00%PDF-1.4", None),
        (b"", None),
    ],
    ids=["pdf", "png", "jpeg", "docx", "xlsx", "other zip", "text", "exe", "nothing"],
)
def test_sniff_tells_the_kind_from_the_first_bytes(head, kind):
    assert uploads.sniff(head[:4096]) == kind


def test_a_real_docx_pdf_png_and_jpeg_are_accepted_where_allowed():
    assert check(a_docx()) == "docx"
    assert check(PDF) == "pdf"
    assert check(PNG, allowed=PHOTOS) == "png"
    assert check(JPEG, allowed=PHOTOS) == "jpeg"


def test_a_photo_is_refused_where_only_documents_are_taken():
    error = refused(PNG)

    assert error.code == "wrong_type"
    assert error.message == "这是 PNG 文件。只接受 Word（.docx）或 PDF 文件。"


def test_a_workbook_is_refused_where_a_report_is_expected():
    workbook = a_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})

    error = refused(workbook)

    assert (error.code, error.message) == (
        "wrong_type",
        "这是 Excel（.xlsx）文件。只接受 Word（.docx）或 PDF 文件。",
    )


def test_a_file_of_no_known_kind_is_refused_saying_what_is_accepted():
    error = refused("述职报告正文".encode())

    assert (error.code, error.message) == (
        "wrong_type",
        "无法识别的文件类型。只接受 Word（.docx）或 PDF 文件。",
    )


# ---- refused at the door --------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    error = refused(b"")

    assert (error.code, error.message) == ("empty", "文件是空的。")


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit():
    content = with_members(a_docx(), {"word/media/image1.png": os.urandom(MB + MB // 2)})

    error = refused(content, max_bytes=MB)

    assert error.code == "too_large"
    assert error.message.startswith("文件太大（1.5 MB），上限是 1 MB。")


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200),
        b"\x7fELF\x02\x01\x01" + bytes(200),
        b"#!/bin/sh\nrm -rf /\n",
    ],
    ids=["windows", "linux", "script"],
)
def test_an_executable_renamed_docx_is_refused(content):
    error = refused(content)

    assert error.code == "executable"
    assert "疑似可执行文件" in error.message
    assert "只接受 Word（.docx）或 PDF 文件" in error.message


def test_an_old_doc_is_refused_with_how_to_fix_it():
    error = refused(uploads.OLE_MAGIC + bytes(4096))

    assert (error.code, error.message) == ("old_office", "这是旧版 Word（.doc）文件，请另存为 .docx 后上传。")


def test_an_office_file_with_a_password_is_refused_as_such_not_as_an_old_doc():
    header = bytearray(uploads.OLE_MAGIC + bytes(504))
    struct.pack_into("<H", header, 0x1E, 9)  # 512-byte sectors
    struct.pack_into("<I", header, 0x30, 0)  # the directory starts in the first sector
    directory = "Root Entry".encode("utf-16-le").ljust(128, b"\0") + "EncryptedPackage".encode("utf-16-le")

    error = refused(bytes(header) + directory.ljust(512, b"\0"))

    assert (error.code, error.message) == ("encrypted", "文件设置了打开密码，请取消密码后重新上传。")


def test_a_cut_off_docx_is_refused_as_corrupt():
    error = refused(a_docx()[:2000])

    assert (error.code, error.message) == ("corrupt", "文件已损坏，无法打开。请重新保存后上传。")


def test_a_macro_docm_is_refused_though_it_is_named_and_shaped_like_a_docx():
    content = a_docx()
    types = zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml")
    docm = with_members(
        replaced(
            content,
            "[Content_Types].xml",
            types.replace(
                b"wordprocessingml.document.main+xml",
                b"application/vnd.ms-word.document.macroEnabled.main+xml",
            ),
        ),
        {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(512)},
    )

    error = refused(docm)

    assert (error.code, error.message) == ("macro", "文件中含有宏，请另存为不含宏的 .docx 文件后上传。")


def test_macros_are_found_by_the_content_types_alone():
    content = a_docx()
    types = zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml")
    docm = replaced(
        content,
        "[Content_Types].xml",
        types.replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
        ),
    )

    assert refused(docm).code == "macro"


# ---- bombs ----------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(bomb):
    assert len(bomb) < MB

    error = refused(bomb)

    assert (error.code, error.message) == ("zip_bomb", "文件解压后异常庞大，疑似恶意文件，已拒绝。")


def test_a_bomb_is_refused_by_its_declared_size_whatever_its_ratio(bomb):
    assert refused(bomb, unpacked_bytes=100 * MB, ratio=10**6).code == "zip_bomb"


def test_a_bomb_hidden_beside_a_large_photo_is_refused_by_its_own_ratio():
    content = a_docx()
    buffer = io.BytesIO(with_members(content, {"word/media/image2.jpg": os.urandom(MB)}))
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/image1.png", "w") as member,
    ):
        for _ in range(20):
            member.write(bytes(MB))
    content = buffer.getvalue()
    unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist())
    assert unpacked < len(content) * uploads.DEFAULT_LIMITS.ratio  # the archive as a whole looks fine

    assert refused(content).code == "zip_bomb"


def test_a_small_file_that_compresses_well_is_not_a_bomb():
    content = a_docx("一、履行主体责任情况" + "。" * 300_000)  # 900 KB of XML in a few KB

    assert check(content) == "docx"


def test_a_zip_with_too_many_entries_is_refused_before_its_directory_is_read():
    members = {f"word/media/image{i}.png": b"" for i in range(2001)}
    content = with_members(a_docx(), members)

    error = refused(content)

    assert error.code == "zip_bomb"
    assert "条目" in error.message
    assert check(content, entries=3000) == "docx"


@pytest.mark.parametrize("name", ["word/media/more.zip", "word/media/other.docx", "attachments/a.7z"])
def test_an_archive_nested_inside_is_refused(name):
    content = with_members(a_docx(), {name: a_zip({"a.txt": b"a"})})

    error = refused(content)

    assert (error.code, error.message) == ("zip_bomb", "文件中嵌套了压缩包，疑似恶意文件，已拒绝。")


def test_a_chart_workbook_embedded_by_word_is_not_taken_for_a_nested_archive():
    chart = a_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    content = with_members(a_docx(), {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": chart})

    assert check(content) == "docx"
    macro_chart = with_members(a_docx(), {"word/embeddings/Microsoft_Excel_Worksheet.xlsm": chart})
    assert refused(macro_chart).code == "macro"


def test_a_member_is_read_only_up_to_its_cap():
    content = with_members(a_docx(), {"word/media/image1.png": bytes(2 * MB)})
    archive = zipfile.ZipFile(io.BytesIO(content))

    with pytest.raises(ValidationError) as caught:
        uploads.read_member(archive, "word/media/image1.png", max_bytes=MB)

    assert caught.value.code == "zip_bomb"
    assert len(uploads.read_member(archive, "word/media/image1.png", max_bytes=3 * MB)) == 2 * MB


def test_a_member_that_lies_about_its_size_is_refused_when_read():
    content = with_members(a_docx(), {"word/media/image1.png": bytes(4 * MB)})
    forged = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, directory
        at = -1
        while (at := forged.find(signature, at + 1)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if forged[name_at : name_at + 21] == b"word/media/image1.png":
                struct.pack_into("<I", forged, at + offset, 1000)
    archive = zipfile.ZipFile(io.BytesIO(bytes(forged)))
    assert archive.getinfo("word/media/image1.png").file_size == 1000
    assert check(bytes(forged)) == "docx"  # the door sees only what the file declares

    with pytest.raises(ValidationError) as caught:
        uploads.read_member(archive, "word/media/image1.png", max_bytes=10 * MB)

    assert caught.value.code == "corrupt"


def test_a_malformed_docx_passes_the_door_but_its_text_is_refused_as_corrupt():
    content = replaced(a_docx(), "word/document.xml", b"\x00\x01 this is not XML <w:document")
    assert check(content) == "docx"

    with pytest.raises(ValidationError) as caught:
        documents.extract_text(content, "docx")

    assert caught.value.code == "corrupt"
    assert "无法读取" in caught.value.message
