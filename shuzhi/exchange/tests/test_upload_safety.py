"""What is not a plain .xlsx workbook is refused at the door, judged by its content, with a message
a person can act on: no job, no stored file. What gets past the door is still only read."""

import io
import os
import struct
import zipfile
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuzhi.exchange import workbook
from shuzhi.exchange.models import ExchangeJob
from shuzhi.members.models import Member
from shuzhi.testing.factories import make_id_number
from shuzhi.testing.jobs import run_queued_jobs
from shuzhi.testing.sheets import MEMBER_HEADERS, member_row, xlsx

NOT_A_WORKBOOK = "这不是 Excel 工作簿（.xlsx）文件，请下载模板填写后上传。"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _roster() -> bytes:
    rows = [member_row("孙立", make_id_number(date(1985, 4, 12), "M"), "C01001001")]
    return xlsx(rows, headers=MEMBER_HEADERS)


def _with_members(content: bytes, extra: dict[str, bytes]) -> bytes:
    """The workbook with more files in its zip."""
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _bomb(unpacked_mb: int) -> bytes:
    """A real workbook carrying a file of zeros that unpacks to `unpacked_mb` MB, streamed in."""
    buffer = io.BytesIO(_roster())
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/image1.bin", "w", force_zip64=True) as member,
    ):
        block = bytes(MB)
        for _ in range(unpacked_mb):
            member.write(block)
    return buffer.getvalue()


def _post(client, user, content: bytes, name: str = "名册.xlsx", kind: str = "members"):
    client.force_login(user)
    return client.post(reverse("exchange:upload", args=[kind]), {"file": SimpleUploadedFile(name, content)})


def _assert_refused(response, message: str, media) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExchangeJob.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


CASES = {
    "plain text renamed .xlsx": (lambda: "姓名,身份证号\n孙立,1\n".encode(), NOT_A_WORKBOOK),
    "an old .xls": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096),
        "这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传。",
    ),
    "a cut-off zip": (lambda: _roster()[:600], "文件已损坏，无法打开。请重新保存后上传。"),
    "a zip that is not a workbook": (lambda: _zip({"readme.txt": "你好".encode()}), NOT_A_WORKBOOK),
    "a macro workbook": (
        lambda: _with_members(_roster(), {"xl/vbaProject.bin": b"\x01" * 512}),
        "文件中含有宏，请另存为不含宏的 .xlsx 文件后上传。",
    ),
    "an empty file": (lambda: b"", "文件是空的。"),
    "an executable renamed .xlsx": (
        lambda: b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200),
        "这不是文档或图片，疑似可执行文件，已拒绝。只接受 Excel（.xlsx）文件。",
    ),
    "a workbook saved with a password": (lambda: _locked(), "文件设置了打开密码，请取消密码后重新上传。"),
}


def _locked() -> bytes:
    """What Excel saves when a workbook is given an opening password: an OLE file whose directory
    names an EncryptedPackage stream (the old checks took it for an .xls)."""
    header = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    struct.pack_into("<H", header, 0x1E, 9)  # 512-byte sectors
    struct.pack_into("<I", header, 0x30, 0)  # the directory starts in the first sector
    directory = "Root Entry".encode("utf-16-le").ljust(128, b"\0") + "EncryptedPackage".encode("utf-16-le")
    return bytes(header) + directory.ljust(512, b"\0")


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_file_that_is_not_a_plain_workbook_is_refused_at_upload(client, cast, _media, case):
    content, message = CASES[case]
    name = "名册.xlsm" if case == "a macro workbook" else "名册.xlsx"

    response = _post(client, cast.county_organiser, content(), name=name)

    _assert_refused(response, message, _media)
    assert Member.objects.count() == 4


def test_a_zip_bomb_is_refused_by_its_compression_ratio(client, cast, _media):
    content = _bomb(64)
    assert len(content) * workbook.MAX_COMPRESSION_RATIO < 64 * MB < workbook.MAX_UNPACKED_BYTES

    response = _post(client, cast.county_organiser, content)

    _assert_refused(response, "文件解压后异常庞大，疑似恶意文件，已拒绝。", _media)


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_however_it_compresses(
    client, cast, _media, monkeypatch
):
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", MB)
    content = _with_members(_roster(), {"xl/media/image1.png": os.urandom(2 * MB)})  # hardly compresses

    response = _post(client, cast.county_organiser, content)

    _assert_refused(response, "文件解压后异常庞大，疑似恶意文件，已拒绝。", _media)


def test_a_file_over_the_size_limit_is_refused(client, cast, _media, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_UPLOAD_BYTES", MB)
    content = _with_members(_roster(), {"xl/media/image1.png": os.urandom(MB + MB // 10)})

    response = _post(client, cast.county_organiser, content)

    _assert_refused(response, "文件太大（1.1 MB），上限是 1 MB。请分成几个文件上传。", _media)


def test_a_bad_file_is_refused_for_the_tree_as_well(client, cast, _media):
    response = _post(client, cast.county_organiser, b"\xd0\xcf\x11\xe0" + bytes(100), kind="orgs")

    _assert_refused(response, "这是旧版 Excel（.xls）文件", _media)
    assert 'data-testid="upload-orgs"' in response.content.decode()


def test_a_post_without_a_file_asks_for_one(client, cast, _media):
    client.force_login(cast.county_organiser)

    response = client.post(reverse("exchange:upload", args=["members"]), {})

    _assert_refused(response, "请选择要上传的文件。", _media)


# ---- past the door: only read --------------------------------------------------------------------


def _lying_about_its_size(content: bytes, member: str, padding_mb: int) -> bytes:
    """The workbook with `member` padded by whitespace, its directory claiming it is tiny."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != member:
                archive.writestr(info.filename, data)
                continue
            cut = data.index(b"<sheetData>")
            with archive.open(info.filename, "w") as out:
                out.write(data[:cut])
                for _ in range(padding_mb):
                    out.write(b" " * MB)
                out.write(data[cut:])
    forged = bytearray(buffer.getvalue())
    offset = zipfile.ZipFile(io.BytesIO(bytes(forged))).getinfo(member).header_offset
    struct.pack_into("<I", forged, offset + 22, 1000)  # local header: uncompressed size
    name = member.encode()
    at = -1
    while (at := forged.find(b"PK\x01\x02", at + 1)) >= 0:
        length = struct.unpack_from("<H", forged, at + 28)[0]
        if forged[at + 46 : at + 46 + length] == name:
            struct.pack_into("<I", forged, at + 24, 1000)  # central directory: uncompressed size
    return bytes(forged)


def test_a_bomb_that_lies_about_its_size_passes_the_door_but_is_refused_when_read(client, cast):
    content = _lying_about_its_size(_roster(), "xl/worksheets/sheet1.xml", 50)
    declared = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist())
    assert declared < len(content) * workbook.MAX_COMPRESSION_RATIO

    response = _post(client, cast.county_organiser, content)
    assert response.status_code == 302
    run_queued_jobs()

    job = ExchangeJob.objects.get()
    assert job.status == ExchangeJob.Status.REJECTED
    assert job.message == (
        "无法读取该文件：文件已损坏或内容不完整（例如压缩包中的大小与声明不符）。"
        "请在 Excel 或 WPS 中打开，另存为 .xlsx 后重新上传。"
    )  # not calamine's "I/O error: File is larger than its declared uncompressed size"
    assert not Member.objects.filter(name="孙立").exists()
    assert "无法读取该文件" in client.get(response["Location"]).content.decode()


def test_a_zip_with_a_broken_workbook_inside_is_refused_when_read(client, cast):
    content = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"not xml at all"})

    response = _post(client, cast.county_organiser, content)
    run_queued_jobs()

    job = ExchangeJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.message[:8]) == (ExchangeJob.Status.REJECTED, "无法读取该文件：")
    assert Member.objects.count() == 4


def test_a_formula_in_a_cell_is_never_a_formula_in_the_error_report(client, cast):
    rows = [
        member_row("=HYPERLINK(\"http://example.com\",\"点我\")", make_id_number(date(1985, 4, 12), "M"), "C01001001",
                   joined="去年"),
        member_row("@SUM(1+1)", make_id_number(date(1986, 4, 12), "M"), "+C09"),
    ]  # fmt: skip

    response = _post(client, cast.county_organiser, xlsx(rows, headers=MEMBER_HEADERS))
    run_queued_jobs()

    job = ExchangeJob.objects.get()
    assert response.status_code == 302 and job.status == ExchangeJob.Status.REJECTED
    book = openpyxl.load_workbook(job.report.open("rb"))
    data, listing = book.worksheets
    assert data["A2"].value == '\'=HYPERLINK("http://example.com","点我")'
    assert data["A3"].value == "'@SUM(1+1)"
    assert data["L3"].value == "'+C09"
    for sheet in (data, listing):
        assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert [row[3] for row in listing.iter_rows(min_row=2, values_only=True)] == ["去年", "'+C09"]
    assert not Member.objects.filter(name__contains="SUM").exists()
