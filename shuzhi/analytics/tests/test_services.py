import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhi.analytics import services
from shuzhi.analytics.models import CopyFinding, Document, Fingerprint, TemplateText
from shuzhi.analytics.tests.conftest import SOURCE, county_b_cycle
from shuzhi.core.models import AuditEvent
from shuzhi.reports.models import Report
from shuzhi.reports.services import report_save


def _check(report) -> list[CopyFinding]:
    services.index_refresh()
    document = Document.objects.get(kind="report", object_id=report.pk)
    return services.document_check(document=document)


def test_a_passage_copied_from_another_countys_report_is_found_and_shown_on_both_original_texts(cast, copied):
    [finding] = _check(copied.report_a)
    document, source = finding.document, finding.source
    assert source.object_id == copied.report_b.pk
    assert document.text[finding.start : finding.end] == copied.copied
    assert source.text[finding.source_start : finding.source_end] == SOURCE
    assert finding.closeness == 1.0 and finding.length > 100
    document.refresh_from_db()
    assert 0.4 < document.copied_share < 0.8


def test_the_report_copied_from_also_learns_of_the_copy_when_it_is_checked(cast, copied):
    _check(copied.report_a)
    [finding] = _check(copied.report_b)
    assert finding.source.object_id == copied.report_a.pk


def test_a_report_without_copies_has_a_share_of_nothing(cast, copied):
    report_save(
        actor=copied.secretary_b, report=copied.report_b, sections={"achievements": "全镇发展党员12名。"}
    )
    assert _check(copied.report_a) == []
    assert Document.objects.get(kind="report", object_id=copied.report_a.pk).copied_share == 0.0


def test_a_later_years_report_is_never_the_source_of_an_earlier_one(cast, copied, secretary_b):
    later = county_b_cycle(cast, secretary_b, year=copied.cycle_a.year + 1)
    later_report = Report.objects.get(reporter__cycle=later)
    report_save(actor=secretary_b, report=later_report, sections={"achievements": SOURCE})
    report_save(actor=copied.secretary_b, report=copied.report_b, sections={"achievements": "无"})
    assert _check(copied.report_a) == []
    # the later report did copy from the earlier one
    [finding] = _check(later_report)
    assert finding.source.object_id == copied.report_a.pk


def test_a_template_counts_for_reports_in_its_uploaders_subtree_only(cast, copied):
    report_save(actor=copied.secretary_b, report=copied.report_b, sections={"achievements": "无"})
    upload = SimpleUploadedFile("范文.txt", ("网上范文：" + SOURCE).encode("gb18030"))
    services.template_add(actor=cast.outsider, title="网上流传的范文", upload=upload)
    assert _check(copied.report_a) == []  # 西山区's corpus does not judge 东湖区's reports
    upload = SimpleUploadedFile("范文.txt", ("网上范文：" + SOURCE).encode("utf-8"))
    template = services.template_add(actor=cast.city_organiser, title="网上流传的范文", upload=upload)
    [finding] = _check(copied.report_a)
    assert (finding.source.kind, finding.source.object_id) == ("template", template.pk)
    assert AuditEvent.objects.filter(action="analytics.template_add", target_id=str(template.pk)).exists()


def test_an_edit_is_indexed_again_and_its_old_findings_go(cast, copied):
    assert _check(copied.report_a)
    report_save(
        actor=cast.township_secretary, report=copied.report_a, sections={"achievements": "全部重写了。"}
    )
    assert _check(copied.report_a) == []
    assert not CopyFinding.objects.exists()


def test_the_refresh_indexes_changes_and_forgets_deleted_objects(cast, copied):
    assert services.index_refresh() == 2
    assert services.index_refresh() == 0
    report_save(actor=copied.secretary_b, report=copied.report_b, sections={"achievements": "改过了"})
    assert services.index_refresh() == 1
    document = Document.objects.get(kind="report", object_id=copied.report_b.pk)
    assert document.text.endswith("改过了")
    copied.report_b.delete()
    services.index_refresh()
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not Fingerprint.objects.filter(document_id=document.pk).exists()


def test_the_scheduled_refresh_checks_the_reports_that_changed(cast, copied):
    assert services.checks_refresh() == 2
    assert services.checks_refresh() == 0
    assert CopyFinding.objects.count() == 2  # each report shows the other as its source


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("空.txt", b"", "文件是空的"),
        ("程序.txt", b"MZ\x90\x00" + b"\x00" * 100, "不"),
        ("乱码.txt", b"\xff\xfe\x00\x00" + b"\x00\x01" * 50, "空字符"),
        ("短.txt", "只有几个字".encode(), "几乎没有文字"),
    ],
)
def test_a_template_that_is_not_a_text_is_refused_with_a_reason(cast, name, content, message):
    with pytest.raises(ValidationError) as error:
        services.template_add(actor=cast.county_organiser, title="", upload=SimpleUploadedFile(name, content))
    assert message in " ".join(error.value.messages)
    assert not TemplateText.objects.exists() and not Document.objects.exists()


def test_the_same_template_twice_is_refused(cast):
    data = ("范文：" + SOURCE).encode()
    services.template_add(actor=cast.county_organiser, title="甲", upload=SimpleUploadedFile("a.txt", data))
    with pytest.raises(ValidationError, match="已经上传过"):
        services.template_add(
            actor=cast.county_organiser, title="乙", upload=SimpleUploadedFile("b.txt", data)
        )


def test_a_docx_template_is_read_through_the_checked_upload_path(cast):
    import io

    import docx

    document = docx.Document()
    document.add_paragraph(SOURCE)
    buffer = io.BytesIO()
    document.save(buffer)
    upload = SimpleUploadedFile("范文.docx", buffer.getvalue())
    template = services.template_add(actor=cast.county_organiser, title="", upload=upload)
    assert template.kind == "docx" and SOURCE in template.text and template.title == "范文.docx"


def test_the_cycle_check_is_audited(cast, copied):
    assert services.cycle_check(actor=cast.county_organiser, cycle=copied.cycle_a) == 1
    assert AuditEvent.objects.filter(action="analytics.cycle_check").count() == 1


def test_fingerprints_common_to_much_of_the_corpus_find_no_candidates(cast, copied, monkeypatch):
    from shuzhi.analytics import copies
    from shuzhi.analytics.models import CommonPrint

    services.index_refresh()
    monkeypatch.setattr(copies, "COMMON_FLOOR", 1)  # in both reports is more than one: common
    assert services.common_refresh(force=True) > 0
    assert CommonPrint.objects.exists()
    document = Document.objects.get(kind="report", object_id=copied.report_a.pk)
    assert services.document_check(document=document) == []
    CommonPrint.objects.all().delete()
    assert services.document_check(document=document)


def test_candidates_are_looked_up_by_the_rare_fingerprints_and_the_frequent_ones_within_the_budget(
    monkeypatch,
):
    monkeypatch.setattr(services, "POSTINGS", 1500)
    shared = {10: 2, 11: 5, 12: 400, 13: 900, 14: 3000}
    hashes = {1, 10, 11, 12, 13, 14}
    # every rare one (1 is in no other text at the last count); then the frequent ones, rarest
    # first, while their index rows fit; each weighs 1 / the other texts holding it
    assert services._lookup(hashes, shared) == {1: 1.0, 10: 1.0, 11: 0.25, 12: 1 / 399, 13: 1 / 899}
    assert set(services._lookup(hashes, {**shared, 13: 1200})) == {1, 10, 11, 12}
    assert services._lookup({14}, shared) == {}


def test_candidates_are_scored_by_how_rare_their_shared_fingerprints_are(cast, copied, monkeypatch):
    services.index_refresh()
    services.common_refresh(force=True)
    document = Document.objects.get(kind="report", object_id=copied.report_a.pk)
    source = Document.objects.get(kind="report", object_id=copied.report_b.pk)
    assert [c.pk for c in services.candidates(document)] == [source.pk]
    # the same fingerprints in many texts would weigh too little to make a candidate
    monkeypatch.setattr(services, "MIN_SCORE", 1000.0)
    assert services.candidates(document) == []
    assert services.document_check(document=document) == []


def test_a_copy_shared_only_by_frequent_fingerprints_is_found_while_they_fit_the_budget(
    cast, copied, monkeypatch
):
    services.index_refresh()
    monkeypatch.setattr(services, "RARE_DOCUMENTS", 1)  # in both reports is frequent
    services.common_refresh(force=True)
    document = Document.objects.get(kind="report", object_id=copied.report_a.pk)
    assert services.document_check(document=document)
    monkeypatch.setattr(services, "POSTINGS", 0)  # and none of them fits
    assert services.document_check(document=document) == []
    assert services.documents_check(documents=[document]) == 1
    assert not CopyFinding.objects.filter(document=document).exists()


def test_a_template_copied_into_many_reports_stays_their_source(cast, copied, monkeypatch):
    """Templates are matched on all their fingerprints, however frequent."""
    report_save(actor=copied.secretary_b, report=copied.report_b, sections={"achievements": "无"})
    upload = SimpleUploadedFile("范文.txt", ("网上范文：" + SOURCE).encode("utf-8"))
    template = services.template_add(actor=cast.city_organiser, title="网上流传的范文", upload=upload)
    services.index_refresh()
    monkeypatch.setattr(services, "RARE_DOCUMENTS", 1)
    monkeypatch.setattr(services, "POSTINGS", 0)
    services.common_refresh(force=True)
    document = Document.objects.get(kind="report", object_id=copied.report_a.pk)
    [finding] = services.document_check(document=document)
    assert finding.source_id == Document.objects.get(kind="template", object_id=template.pk).pk
    services.documents_check(documents=[document])
    assert CopyFinding.objects.filter(document=document, source__kind="template").count() == 1
