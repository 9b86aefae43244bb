"""Uploaded and generated files go through Django's storage API only, so that with
SHUZHI_S3_BUCKET every app server keeps them in one S3-compatible object store: here a real one,
`rclone serve s3` over a folder of the test's own. Nothing is written under the data folder."""

import io
import re
from datetime import date
from pathlib import Path

import docx
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from storages.backends.s3 import S3Storage

from shuzhi.core.files import is_sealed, unseal
from shuzhi.exchange.models import ExchangeJob
from shuzhi.members.models import Member
from shuzhi.reports.models import Attachment
from shuzhi.testing.cycles import county_cycle, township_report
from shuzhi.testing.factories import make_id_number
from shuzhi.testing.jobs import run_queued_jobs
from shuzhi.testing.servers import object_store
from shuzhi.testing.sheets import MEMBER_HEADERS, member_row, xlsx

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with object_store(tmp_path_factory.mktemp("s3")) as running:
        yield running


@pytest.fixture
def s3(settings, store, tmp_path):
    """The default storage is the object store; the data folder's media folder must stay empty."""
    settings.STORAGES = {**settings.STORAGES, "default": store.storage()}
    settings.MEDIA_ROOT = tmp_path / "media"
    yield store
    assert not settings.MEDIA_ROOT.exists(), list(settings.MEDIA_ROOT.rglob("*"))


def _new_objects(store, before: dict[str, bytes]) -> dict[str, bytes]:
    """The new objects, opened with the file key: in the store itself each is sealed."""
    new = {key: data for key, data in store.objects().items() if key not in before}
    assert all(is_sealed(data) for data in new.values()), "a file left the app unencrypted"
    return {key: unseal(data) for key, data in new.items()}


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_the_default_storage_is_the_object_store(s3):
    assert isinstance(storages["default"], S3Storage)


def test_an_attachment_is_stored_in_the_object_store_and_read_back_from_it(client, cast, s3):
    report = township_report(county_cycle(cast), cast)
    before = s3.objects()
    content = _docx("村级后备干部储备不足，需加强培养。")
    client.force_login(cast.township_secretary)

    response = client.post(
        reverse("reports:attach", args=[report.pk]), {"file": SimpleUploadedFile("签字版.docx", content)}
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get(report=report)
    assert _new_objects(s3, before) == {attachment.file.name: content}
    assert "村级后备干部储备不足" in attachment.text
    download = client.get(reverse("reports:attachment", args=[report.pk, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == content


def test_an_import_reads_its_sheet_from_the_object_store_and_leaves_its_error_report_there(client, cast, s3):
    rows = [
        member_row("孙立", make_id_number(date(1984, 6, 6), "M"), "C01001001"),
        member_row("周强", make_id_number(date(1985, 7, 7), "M"), "C01001001", joined="去年"),
    ]
    sheet = xlsx(rows, headers=MEMBER_HEADERS)
    client.force_login(cast.county_organiser)
    before = s3.objects()

    response = client.post(
        reverse("exchange:upload", args=["members"]), {"file": SimpleUploadedFile("名册.xlsx", sheet)}
    )
    assert response.status_code == 302
    run_queued_jobs()

    job = ExchangeJob.objects.get()
    assert job.status == ExchangeJob.Status.REJECTED and job.error_count == 1
    stored = _new_objects(s3, before)
    assert stored.keys() == {job.file.name, job.report.name}
    assert stored[job.file.name] == sheet
    download = client.get(reverse("exchange:report", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert content == stored[job.report.name]
    assert load_workbook(io.BytesIO(content))["错误清单"]["E2"].value.startswith("日期格式不正确")
    assert not Member.objects.filter(name="孙立").exists()


def test_a_good_import_and_an_export_go_through_the_object_store(client, cast, s3):
    rows = [member_row("孙立", make_id_number(date(1984, 6, 6), "M"), "C01001001")]
    client.force_login(cast.county_organiser)
    client.post(
        reverse("exchange:upload", args=["members"]),
        {"file": SimpleUploadedFile("名册.xlsx", xlsx(rows, headers=MEMBER_HEADERS))},
    )
    run_queued_jobs()
    assert ExchangeJob.objects.get().status == ExchangeJob.Status.SUCCEEDED
    before = s3.objects()

    response = client.post(reverse("exchange:export_members"), {})
    assert response.status_code == 302
    run_queued_jobs()

    job = ExchangeJob.objects.get(direction=ExchangeJob.Direction.EXPORT)
    assert job.status == ExchangeJob.Status.SUCCEEDED, job.message
    stored = _new_objects(s3, before)
    assert list(stored) == [job.file.name]
    download = client.get(reverse("exchange:download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert content == stored[job.file.name]
    names = [
        row[0]
        for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(min_row=2, values_only=True)
    ]
    assert "孙立" in names


# what reaches around the storage API: a file's place on disk, or the media folder itself
AROUND_STORAGE = re.compile(r"MEDIA_ROOT|\.path\(|\b(file|report|template)\.path\b|\.temporary_file_path\(")


def test_no_code_reaches_stored_files_around_the_storage_api():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "shuzhi").rglob("*.py"))
        if "tests" not in path.parts and "testing" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if AROUND_STORAGE.search(line)
    ]
    assert found == []


def test_an_object_stored_in_clear_by_an_older_release_is_sealed_in_the_store(s3):
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    plain = b"PK an old roster 110101199003071233"
    S3Storage._save(
        storages["default"], "exchange/2025/old.xlsx", ContentFile(plain)
    )  # as an older release did
    assert s3.objects()["exchange/2025/old.xlsx"] == plain

    call_command("seal_stored_files", stdout=io.StringIO())

    stored = s3.objects()["exchange/2025/old.xlsx"]
    assert is_sealed(stored) and unseal(stored) == plain
    with storages["default"].open("exchange/2025/old.xlsx") as opened:
        assert opened.read() == plain
