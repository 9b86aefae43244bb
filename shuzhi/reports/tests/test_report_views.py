import io
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuzhi.core.models import AuditEvent
from shuzhi.core.roles import Role
from shuzhi.reports.models import Attachment, Report, ReportItem
from shuzhi.reports.services import report_submit
from shuzhi.testing.cycles import SECTION_TEXT, county_cycle, fill, township_report
from shuzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(cast):
    return township_report(county_cycle(cast), cast)


def _docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


USUAL_LAYOUT = [
    "柳泉镇党委书记抓基层党建工作述职报告",
    "一、履行主体责任情况",
    SECTION_TEXT["duty"],
    "二、存在问题",
    "1. 抓党建的精力投入不够均衡。",
    "2. 村级后备干部储备不足。",
    "三、原因剖析",
    SECTION_TEXT["causes"],
]


def test_the_secretary_writes_in_the_editor_and_it_autosaves(client, cast, report):
    client.force_login(cast.township_secretary)
    page = client.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert "履行主体责任情况" in page and "严守政治纪律和执行民主集中制情况" in page
    response = client.post(
        reverse("reports:edit", args=[report.pk]), {"duty": "自动保存的内容"}, headers={"HX-Request": "true"}
    )
    assert "已自动保存" in response.content.decode()
    report.refresh_from_db()
    assert report.sections["duty"] == "自动保存的内容" and report.status == Report.Status.DRAFT


def test_submitting_from_the_editor_lists_what_is_missing(client, cast, report):
    client.force_login(cast.township_secretary)
    response = client.post(
        reverse("reports:edit", args=[report.pk]), {"duty": "只写了一段", "action": "submit"}, follow=True
    )
    page = response.content.decode()
    assert "还不能提交" in page and "“个人履职情况”还没有填写。" in page
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT


def test_items_are_added_with_a_clear_message_when_wrong(client, cast, report):
    client.force_login(cast.township_secretary)
    url = reverse("reports:item_add", args=[report.pk])
    response = client.post(
        url, {"kind": "problem", "text": "问题一", "category": "组织建设", "severity": ""}, follow=True
    )
    assert "请为问题选择严重程度。" in response.content.decode()
    client.post(url, {"kind": "problem", "text": "问题一", "category": "组织建设", "severity": "serious"})
    item = ReportItem.objects.get(report=report)
    assert (item.text, item.category, item.severity) == ("问题一", "组织建设", "serious")


def test_another_units_secretary_cannot_see_or_touch_the_report(client, cast, report):
    other = UserFactory(role=Role.SECRETARY, organization=cast.township_b)
    client.force_login(other)
    for name in ("detail", "edit", "docx", "diff"):
        assert client.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 404
    assert client.post(reverse("reports:edit", args=[report.pk]), {"duty": "x"}).status_code == 404
    assert client.post(reverse("reports:accept", args=[report.pk])).status_code == 404
    client.force_login(cast.outsider)  # the neighbouring county's organiser
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404


def test_the_city_reads_the_report_but_only_the_county_reviews_it(client, cast, report):
    report = report_submit(actor=cast.township_secretary, report=fill(report, cast.township_secretary))
    client.force_login(cast.city_organiser)
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    assert client.post(reverse("reports:accept", args=[report.pk])).status_code == 403
    assert client.get(reverse("reports:edit", args=[report.pk])).status_code == 403
    client.force_login(cast.county_organiser)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "审核通过" in page and "退回修改" in page
    response = client.post(reverse("reports:return", args=[report.pk]), {"reason": "短"}, follow=True)
    assert "请写明退回理由" in response.content.decode()
    client.post(reverse("reports:return", args=[report.pk]), {"reason": "请补充具体案例"})
    assert Report.objects.get(pk=report.pk).status == Report.Status.RETURNED


def test_wrong_methods_and_roles(client, cast, report):
    client.force_login(cast.township_secretary)
    assert client.get(reverse("reports:accept", args=[report.pk])).status_code == 405
    assert client.get(reverse("reports:attach", args=[report.pk])).status_code == 405
    client.force_login(cast.member_user)
    assert client.get(reverse("reports:mine")).status_code == 403
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 403


def test_a_signed_docx_is_attached_and_its_text_kept(client, cast, report):
    client.force_login(cast.township_secretary)
    upload = SimpleUploadedFile("签字版.docx", _docx(USUAL_LAYOUT))
    response = client.post(reverse("reports:attach", args=[report.pk]), {"file": upload}, follow=True)
    assert "已上传“签字版.docx”" in response.content.decode()
    attachment = Attachment.objects.get(report=report)
    assert attachment.kind == "docx" and "村级后备干部储备不足" in attachment.text
    assert AuditEvent.objects.filter(action="report.attach").exists()
    download = client.get(reverse("reports:attachment", args=[report.pk, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"PK")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报告.docx", b"MZ\x90\x00" + b"\x00" * 200, "可执行"),
        ("报告.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".doc"),
        ("报告.pdf", b"%PDF-1.4\n garbage that is not a pdf", "损坏"),
        ("报告.docx", b"just some text", "只接受"),
    ],
)
def test_bad_attachments_are_refused_with_a_clear_message_and_nothing_kept(
    client, cast, report, name, content, message
):
    client.force_login(cast.township_secretary)
    response = client.post(
        reverse("reports:attach", args=[report.pk]), {"file": SimpleUploadedFile(name, content)}, follow=True
    )
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_zip_bomb_dressed_as_docx_is_refused(client, cast, report):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    client.force_login(cast.township_secretary)
    upload = SimpleUploadedFile("报告.docx", buffer.getvalue())
    response = client.post(reverse("reports:attach", args=[report.pk]), {"file": upload}, follow=True)
    assert "恶意" in response.content.decode() or "异常" in response.content.decode()
    assert not Attachment.objects.exists()


def test_importing_a_docx_prefills_for_confirmation_and_writes_only_on_confirm(client, cast, report):
    client.force_login(cast.township_secretary)
    upload = SimpleUploadedFile("述职报告.docx", _docx(USUAL_LAYOUT))
    page = client.post(reverse("reports:import", args=[report.pk]), {"file": upload}).content.decode()
    assert "确认从 Word 导入的内容" in page and "村级后备干部储备不足" in page
    report.refresh_from_db()
    assert report.sections == {} and not report.items.exists()  # nothing written yet
    client.post(
        reverse("reports:import_apply", args=[report.pk]),
        {
            "duty": SECTION_TEXT["duty"],
            "causes": SECTION_TEXT["causes"],
            "problems": "抓党建的精力投入不够均衡。\n村级后备干部储备不足。",
        },
    )
    report.refresh_from_db()
    assert report.sections["duty"] == SECTION_TEXT["duty"]
    assert list(report.items.values_list("text", flat=True)) == [
        "抓党建的精力投入不够均衡。",
        "村级后备干部储备不足。",
    ]


def test_a_pdf_cannot_be_imported_as_text(client, cast, report):
    client.force_login(cast.township_secretary)
    pdf = SimpleUploadedFile("报告.pdf", b"%PDF-1.4\n%%EOF")
    response = client.post(reverse("reports:import", args=[report.pk]), {"file": pdf}, follow=True)
    assert "只能从 Word（.docx）文件导入" in response.content.decode()


def test_the_report_exports_to_docx_in_the_official_layout(client, cast, report):
    fill(report, cast.township_secretary)
    client.force_login(cast.county_organiser)
    response = client.get(reverse("reports:docx", args=[report.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "柳泉镇委员会党组织书记抓基层党建工作述职报告" in text
    headings = ["履行主体责任情况", "个人履职情况", "成绩", "存在问题", "原因剖析", "整改措施"]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "村级后备干部储备不足" in cells


def test_the_meeting_book_compiles_every_report_in_agenda_order(client, cast, report):
    fill(report, cast.township_secretary)
    client.force_login(cast.county_organiser)
    cycle = report.reporter.cycle
    response = client.get(reverse("reports:book", args=[cycle.pk]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert cycle.title in text and SECTION_TEXT["achievements"] in text
    agenda = document.tables[0]
    assert cast.township_a.name in agenda.rows[1].cells[1].text


def test_versions_show_what_changed(client, cast, report):
    secretary, organiser = cast.township_secretary, cast.county_organiser
    from shuzhi.reports.services import report_return, report_save

    report = report_submit(actor=secretary, report=fill(report, secretary))
    report = report_return(actor=organiser, report=report, reason="请补充案例")
    report = report_save(
        actor=secretary, report=report, sections={"achievements": "新增典型案例：党建引领合作社增收"}
    )
    report_submit(actor=secretary, report=report)
    client.force_login(organiser)
    page = client.get(reverse("reports:diff", args=[report.pk])).content.decode()
    assert 'diff-line diff-added">+ 新增典型案例：党建引领合作社增收' in page
    assert "diff-removed" in page


def test_an_oversized_attachment_is_refused_before_it_is_read(client, cast, report, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    client.force_login(cast.township_secretary)
    big = SimpleUploadedFile("很大的报告.pdf", b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024))
    response = client.post(reverse("reports:attach", args=[report.pk]), {"file": big}, follow=True)
    assert "文件太大" in response.content.decode() and "上限是 20 MB" in response.content.decode()
    assert not Attachment.objects.exists()
