"""An attachment's text is read before the report's row is locked (the editor's autosave must not
wait on a long PDF); a refused or failed attachment leaves no file behind; pdfminer's inflation
limit holds only while an extraction runs and is put back after, in every thread."""

import threading
import zlib as real_zlib

import pdfminer.pdftypes
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhi.reports import documents, services
from shuzhi.reports.models import Attachment
from shuzhi.reports.tests.test_documents import a_pdf, text_page
from shuzhi.testing.cycles import county_cycle, township_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(cast):
    return township_report(county_cycle(cast), cast)


def _pdf_upload(text="Signed report"):
    content = a_pdf(text_page(text))
    return SimpleUploadedFile("signed.pdf", content, content_type="application/pdf")


def test_the_text_is_extracted_before_the_report_is_locked(cast, report, monkeypatch):
    order = []
    locked, extract = services._locked, documents.extract_text
    monkeypatch.setattr(services, "_locked", lambda r: order.append("lock") or locked(r))
    monkeypatch.setattr(
        documents, "extract_text", lambda data, kind: order.append("extract") or extract(data, kind)
    )
    upload = _pdf_upload()
    attachment = services.report_attach(
        actor=cast.township_secretary, report=report, upload=upload, name=upload.name, size=upload.size
    )
    assert order == ["extract", "lock"]
    assert attachment.text == "Signed report"


def test_someone_who_may_not_write_is_refused_before_anything_is_read(cast, report, monkeypatch):
    read = []
    monkeypatch.setattr(documents, "extract_text", lambda data, kind: read.append(kind) or "")
    upload = _pdf_upload()
    with pytest.raises(ValidationError):
        services.report_attach(
            actor=cast.outsider, report=report, upload=upload, name=upload.name, size=upload.size
        )
    assert read == [] and not Attachment.objects.exists()


def test_an_attachment_whose_audit_fails_leaves_no_file(cast, report, monkeypatch, settings):
    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_record", broken)
    upload = _pdf_upload()
    with pytest.raises(RuntimeError):
        services.report_attach(
            actor=cast.township_secretary, report=report, upload=upload, name=upload.name, size=upload.size
        )
    assert not Attachment.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []


def test_pdfminer_sees_the_real_zlib_outside_an_extraction():
    assert pdfminer.pdftypes.zlib is real_zlib
    with documents.inflation_limited(1024) as budget:
        assert pdfminer.pdftypes.zlib is not real_zlib
        with pytest.raises(documents._TooMuchData):  # the bounded one: past the budget
            pdfminer.pdftypes.zlib.decompress(real_zlib.compress(b" " * 100_000))
        assert budget.exceeded
    assert pdfminer.pdftypes.zlib is real_zlib
    assert documents.extract_text(a_pdf(text_page("after")), "pdf") == "after"
    assert pdfminer.pdftypes.zlib is real_zlib


def test_the_limit_stays_while_another_thread_still_extracts():
    inside, leave = threading.Event(), threading.Event()
    seen = []

    def other():
        with documents.inflation_limited(1024):
            inside.set()
            leave.wait(5)
            seen.append(pdfminer.pdftypes.zlib is not real_zlib)

    thread = threading.Thread(target=other)
    with documents.inflation_limited(1024):
        thread.start()
        inside.wait(5)
    # this thread is done; the other is still inside: the bounded zlib stays for it
    assert pdfminer.pdftypes.zlib is not real_zlib
    leave.set()
    thread.join(5)
    assert seen == [True]
    assert pdfminer.pdftypes.zlib is real_zlib


def test_a_thread_without_a_budget_inflates_freely_while_another_extracts():
    big = real_zlib.compress(b" " * 2_000_000)
    with documents.inflation_limited(1024):
        result = []
        thread = threading.Thread(target=lambda: result.append(len(pdfminer.pdftypes.zlib.decompress(big))))
        thread.start()
        thread.join(5)
    assert result == [2_000_000]
