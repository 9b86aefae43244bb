"""Reports as documents: a report written in Word is read back into its sections and items, the
text of an attachment is extracted, and a report and a meeting book come out in the official layout.
Pure functions: no database."""

import io
import re
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from django.core.exceptions import ValidationError
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from shuzhi.reports import documents
from shuzhi.reports.documents import CarryOverItem, ListItem, ReportDocument

SEEDS = Path(__file__).resolve().parents[2] / "testing" / "seeds"
NUMBERED_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")


def seed_lines(prefix: str) -> list[str]:
    """The seed text's paragraphs of some length, without its own headings."""
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    return [
        line.strip()
        for line in text.splitlines()
        if len(line.strip()) > 40 and not NUMBERED_HEADING.match(line.strip())
    ]


SPEECH = seed_lines("001")  # simplified
POINTS = [line for line in seed_lines("003") if re.match(r"^\d\.", line)]  # "1.抓好基层党建工作……"
TRADITIONAL = seed_lines("002")


def as_docx(build) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def usual_report(document) -> None:
    """A report as secretaries write it: title, signature, 一、… headings, numbered problems."""
    document.add_paragraph("中共某某镇委员会书记2024年度抓基层党建工作述职报告")
    document.add_paragraph("某某镇党委书记　张三")
    document.add_paragraph("一、履行主体责任情况")
    document.add_paragraph(SPEECH[1])
    document.add_paragraph(SPEECH[2])
    document.add_paragraph("二、个人履职情况：" + SPEECH[3])
    document.add_paragraph("三、主要成绩")
    document.add_paragraph(SPEECH[4])
    document.add_paragraph("四、存在的问题")
    document.add_paragraph("对照市委要求，我在抓基层党建工作中还存在以下问题：")
    for line in POINTS[:3]:  # 1. 2. 3.
        document.add_paragraph(line)
    document.add_paragraph("五、原因剖析")
    document.add_paragraph("一是理论学习不够深入；二是责任传导层层递减；三是考核问责不够严格。")
    document.add_paragraph("六、整改措施")
    document.add_paragraph("（1）每季度专题研究基层党建工作一次。")
    document.add_paragraph("（2）年内完成软弱涣散村党组织整顿。")
    document.add_paragraph("七、上年问题整改和承诺落实情况")
    document.add_paragraph(SPEECH[5])
    document.add_paragraph("八、严守政治纪律和执行民主集中制情况")
    document.add_paragraph(SPEECH[6])


# ---- reading a report written in Word -------------------------------------------------------------


def test_it_reads_the_title_and_the_eight_sections_of_a_report_in_the_usual_layout():
    imported = documents.parse_report_docx(as_docx(usual_report))

    assert imported.title == "中共某某镇委员会书记2024年度抓基层党建工作述职报告"
    assert list(imported.sections) == [key for key, _heading in documents.SECTIONS]
    assert imported.sections["duty"] == f"{SPEECH[1]}\n{SPEECH[2]}"
    assert imported.sections["personal"] == SPEECH[3]  # the body after the heading's colon
    assert imported.sections["achievements"] == SPEECH[4]
    assert imported.sections["last_year"] == SPEECH[5]
    assert imported.sections["discipline"] == SPEECH[6]
    assert imported.unrecognised == []


def test_it_splits_the_problems_at_their_numbers_and_leaves_out_the_lead_in():
    imported = documents.parse_report_docx(as_docx(usual_report))

    assert imported.problems == [line[2:] for line in POINTS[:3]]
    assert imported.commitments == ["每季度专题研究基层党建工作一次。", "年内完成软弱涣散村党组织整顿。"]


def test_an_yi_shi_er_shi_run_in_one_paragraph_splits_into_items():
    def build(document):
        document.add_paragraph("述职报告")
        document.add_paragraph("一、存在问题")
        document.add_paragraph(
            "主要有三个方面：一是理论学习不够深入；二是抓党建精力投入不够；三是统一是前提的认识不足。"
        )

    imported = documents.parse_report_docx(as_docx(build))

    assert imported.problems == ["理论学习不够深入", "抓党建精力投入不够", "统一是前提的认识不足。"]


@pytest.mark.parametrize(
    "lines",
    [
        ["1.理论学习不深入。", "2、组织生活不规范。", "3．阵地建设滞后。"],
        ["（1）理论学习不深入。", "（2）组织生活不规范。", "（3）阵地建设滞后。"],
        ["（一）理论学习不深入。", "（二）组织生活不规范。", "（三）阵地建设滞后。"],
        ["①理论学习不深入。", "②组织生活不规范。", "③阵地建设滞后。"],
    ],
    ids=["1.", "(1)", "(一)", "①"],
)
def test_problems_numbered_in_each_usual_way_are_split(lines):
    def build(document):
        document.add_paragraph("述职报告")
        document.add_paragraph("四、存在问题")
        for line in lines:
            document.add_paragraph(line)

    assert documents.parse_report_docx(as_docx(build)).problems == [
        "理论学习不深入。",
        "组织生活不规范。",
        "阵地建设滞后。",
    ]


def test_numbers_out_of_sequence_do_not_split_an_item():
    def build(document):
        document.add_paragraph("述职报告")
        document.add_paragraph("四、存在问题")
        document.add_paragraph("1.经费保障不足，去年投入")
        document.add_paragraph("5.3 万元，低于标准。")
        document.add_paragraph("2.阵地建设滞后。")

    assert documents.parse_report_docx(as_docx(build)).problems == [
        "经费保障不足，去年投入\n5.3 万元，低于标准。",
        "阵地建设滞后。",
    ]


def test_headings_in_word_heading_styles_or_bold_without_numbers_are_recognised():
    def build(document):
        document.add_paragraph("述职报告")
        document.add_heading("履行主体责任情况", level=1)
        document.add_paragraph(SPEECH[1])
        document.add_paragraph().add_run("存在问题").bold = True
        document.add_paragraph(SPEECH[2])
        document.add_paragraph("整改措施")  # plain and unnumbered: could be body text, stays body
        document.add_paragraph(SPEECH[3])

    imported = documents.parse_report_docx(as_docx(build))

    assert imported.sections == {"duty": SPEECH[1], "problems": f"{SPEECH[2]}\n整改措施\n{SPEECH[3]}"}


def test_a_heading_naming_two_sections_is_split_at_its_sub_headings():
    def build(document):
        document.add_paragraph("述职报告")
        document.add_paragraph("一、存在问题及原因分析")
        document.add_paragraph("（一）存在问题")
        document.add_paragraph("1.理论学习不深入。")
        document.add_paragraph("2.组织生活不规范。")
        document.add_paragraph("（二）原因剖析")
        document.add_paragraph("思想认识不到位。")
        document.add_paragraph("二、主要工作成效")
        document.add_paragraph("（一）压实主体责任，以上率下。")  # a point of the achievements, not a section

    imported = documents.parse_report_docx(as_docx(build))

    assert imported.sections == {
        "problems": "1.理论学习不深入。\n2.组织生活不规范。",
        "causes": "思想认识不到位。",
        "achievements": "（一）压实主体责任，以上率下。",
    }
    assert imported.problems == ["理论学习不深入。", "组织生活不规范。"]


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("存在问题及原因分析", "problems"),
        ("问题产生的原因", "causes"),
        ("针对问题的整改措施", "measures"),
        ("履行主体责任存在的问题", "problems"),
        ("上年度问题整改情况", "last_year"),
        ("本人履职情况", "personal"),
        ("下一步工作打算", "measures"),
        ("抓基层党建工作主要做法和成效", "achievements"),
        ("严守政治纪律和执行民主集中制情况", "discipline"),
        ("基本情况", None),
    ],
)
def test_a_heading_names_the_section_its_last_keyword_names_unless_it_joins_two(heading, key):
    assert documents.section_key(heading) == key


def test_a_report_in_traditional_characters_is_recognised():
    def build(document):
        document.add_paragraph("市委書記抓基層黨建工作述職報告")
        for number, heading, body in [
            ("一", "履行主體責任情況", TRADITIONAL[0]),
            ("二", "個人履職情況", TRADITIONAL[1]),
            ("三", "工作成績", TRADITIONAL[2]),
            ("四", "存在問題", "一是學習不夠深入；二是調研不夠紮實。"),
            ("五", "原因剖析", TRADITIONAL[3]),
            ("六", "整改舉措", "1.加強學習。\n2.深入調研。"),
            ("七", "上年問題整改和承諾落實情況", TRADITIONAL[4]),
            ("八", "嚴守政治紀律和執行民主集中制情況", TRADITIONAL[5]),
        ]:
            document.add_paragraph(f"{number}、{heading}")
            for line in body.split("\n"):
                document.add_paragraph(line)

    imported = documents.parse_report_docx(as_docx(build))

    assert list(imported.sections) == [key for key, _heading in documents.SECTIONS]
    assert imported.sections["duty"] == TRADITIONAL[0]
    assert imported.problems == ["學習不夠深入", "調研不夠紮實。"]
    assert imported.commitments == ["加強學習。", "深入調研。"]


def test_a_heading_that_names_no_section_is_reported_and_its_text_left_out():
    def build(document):
        document.add_paragraph("述职报告")
        document.add_paragraph("一、基本情况")
        document.add_paragraph("全镇有党员 1200 名。")
        document.add_paragraph("二、存在问题")
        document.add_paragraph("1.阵地建设滞后。")
        document.add_paragraph("2.经费保障不足。")

    imported = documents.parse_report_docx(as_docx(build))

    assert imported.unrecognised == ["基本情况"]
    assert imported.sections == {"problems": "1.阵地建设滞后。\n2.经费保障不足。"}


def test_a_document_without_headings_gives_empty_sections():
    def build(document):
        for line in SPEECH[:5]:
            document.add_paragraph(line)
        document.add_table(rows=2, cols=2).cell(0, 0).text = "表格"

    imported = documents.parse_report_docx(as_docx(build))

    assert imported.title == SPEECH[0]
    assert (imported.sections, imported.problems, imported.commitments, imported.unrecognised) == (
        {},
        [],
        [],
        [],
    )


def test_an_empty_document_gives_an_empty_report():
    imported = documents.parse_report_docx(as_docx(lambda document: None))

    assert imported == documents.ImportedReport(
        title="", sections={}, problems=[], commitments=[], unrecognised=[]
    )


def test_a_pdf_report_can_be_read_from_its_text():
    text = "述职报告\n一、存在问题\n1.阵地建设滞后。\n2.经费保障\n不足。\n二、整改措施\n一是新建阵地；二是争取经费。"

    imported = documents.parse_report_text(text)

    assert imported.problems == ["阵地建设滞后。", "经费保障\n不足。"]
    assert imported.commitments == ["新建阵地", "争取经费。"]


# ---- extracting text ------------------------------------------------------------------------------


def test_the_text_of_a_docx_keeps_paragraphs_and_tables_in_document_order():
    def build(document):
        document.add_paragraph("第一段")
        table = document.add_table(rows=2, cols=3)
        for row, values in zip(
            table.rows, [("序号", "问题", "时限"), ("1", "阵地建设滞后", "6月底")], strict=True
        ):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
        paragraph = document.add_paragraph("第二段，")
        paragraph.add_run("加粗").bold = True
        paragraph.add_run("\t有制表符")
        document.add_paragraph("")
        document.add_paragraph("第三段")

    text = documents.extract_text(as_docx(build), "docx")

    assert text == "第一段\n序号\t问题\t时限\n1\t阵地建设滞后\t6月底\n第二段，加粗\t有制表符\n第三段"


def test_deleted_revisions_are_not_text_and_inserted_ones_are():
    def build(document):
        paragraph = document.add_paragraph("保留")
        for tag, text_tag, text in (("w:del", "w:delText", "删去的"), ("w:ins", "w:t", "插入的")):
            change = paragraph._p.makeelement(qn(tag), {qn("w:id"): "1", qn("w:author"): "x"})
            run = change.makeelement(qn("w:r"), {})
            run_text = run.makeelement(qn(text_tag), {})
            run_text.text = text
            run.append(run_text)
            change.append(run)
            paragraph._p.append(change)

    assert documents.extract_text(as_docx(build), "docx") == "保留插入的"


def a_pdf(*pages: bytes, encrypt: bytes = b"", stream_filter: bytes = b"") -> bytes:
    """A small valid PDF, written by hand: one Helvetica text line per page."""
    count = len(pages)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count)), count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, content in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(content), stream_filter, content))
    if encrypt:
        objects.append(encrypt)
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    extra = b"/Encrypt %d 0 R /ID [<%s> <%s>] " % (len(objects), b"ab" * 16, b"ab" * 16) if encrypt else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        extra,
        xref,
    )
    return out


def text_page(text: str) -> bytes:
    return b"BT /F1 18 Tf 72 760 Td (%s) Tj ET" % text.encode("latin-1")


def test_the_text_of_a_pdf_is_extracted_page_by_page():
    content = a_pdf(text_page("Report of the secretary"), text_page("Page two"))

    assert documents.extract_text(content, "pdf") == "Report of the secretary\nPage two"


def test_a_broken_pdf_is_refused_as_corrupt():
    with pytest.raises(ValidationError) as caught:
        documents.extract_text(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R", "pdf")

    assert caught.value.code == "corrupt"


def test_a_pdf_locked_with_a_password_is_refused_as_encrypted():
    lock = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (b"11" * 32, b"22" * 32)

    with pytest.raises(ValidationError) as caught:
        documents.extract_text(a_pdf(text_page("secret"), encrypt=lock), "pdf")

    assert (caught.value.code, caught.value.message) == (
        "encrypted",
        "PDF 设置了打开密码，请取消密码后重新上传。",
    )


def test_a_pdf_over_the_page_limit_is_refused(monkeypatch):
    monkeypatch.setattr(documents, "MAX_PDF_PAGES", 2)

    with pytest.raises(ValidationError) as caught:
        documents.extract_text(a_pdf(*(text_page(f"Page {i}") for i in range(3))), "pdf")

    assert caught.value.code == "too_long"
    assert "PDF 有 3 页，超过 2 页的上限" in caught.value.message


def test_a_pdf_whose_stream_unpacks_past_the_budget_is_refused(monkeypatch):
    monkeypatch.setattr(documents, "MAX_PDF_INFLATED_BYTES", 1024 * 1024)
    bomb = zlib.compress(text_page("x") + b" " * (8 * 1024 * 1024))  # 8 MB in about 8 KB
    assert len(bomb) < 20_000

    with pytest.raises(ValidationError) as caught:
        documents.extract_text(a_pdf(bomb, stream_filter=b"/Filter /FlateDecode "), "pdf")

    assert caught.value.code == "zip_bomb"
    small = zlib.compress(text_page("Within the budget"))
    assert (
        documents.extract_text(a_pdf(small, stream_filter=b"/Filter /FlateDecode "), "pdf")
        == "Within the budget"
    )


def test_a_malformed_docx_is_refused_as_corrupt_when_read():
    good = as_docx(lambda document: document.add_paragraph("正文"))
    source = zipfile.ZipFile(io.BytesIO(good))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            data = b"<w:document><w:body><w:p>" if info.filename == "word/document.xml" else source.read(info)
            archive.writestr(info.filename, data)

    for read in (lambda data: documents.extract_text(data, "docx"), documents.parse_report_docx):
        with pytest.raises(ValidationError) as caught:
            read(buffer.getvalue())
        assert caught.value.code == "corrupt"


def test_a_photo_has_no_text():
    assert documents.extract_text(b"\x89PNG\r\n\x1a\n", "png") == ""


# ---- writing a report in the official layout -----------------------------------------------------


def a_report(**changes) -> ReportDocument:
    values = {
        "title": "中共某某镇委员会书记抓基层党建工作述职报告",
        "cycle_title": "2024年度基层党建工作述职评议考核",
        "year": 2024,
        "unit_name": "中共某某镇委员会",
        "secretary_name": "张三",
        "mode_label": "大会述职",
        "sections": [
            (heading, f"{SPEECH[i]}\n{SPEECH[i + 8]}") for i, (_key, heading) in enumerate(documents.SECTIONS)
        ],
        "problems": [
            ListItem("理论学习不够深入", "思想建设", "一般"),
            ListItem("组织生活不规范", "组织建设", "较重"),
        ],
        "responsibilities": [ListItem("抓好村“两委”班子建设", "组织建设")],
        "commitments": [
            ListItem("每季度讲一次党课", "思想建设"),
            ListItem("年内整顿 3 个软弱涣散村", "组织建设"),
        ],
        "carried_over": [CarryOverItem("村级阵地建设滞后", "问题", "已整改", "新建阵地 4 处")],
        "status_label": "已提交",
    }
    return ReportDocument(**{**values, **changes})


def body_order(document) -> list[str]:
    """The body as a list: each paragraph's text, and "table:<first header cell>" for a table."""
    order = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            text = "".join(t.text or "" for t in element.iter(qn("w:t")))
            if text:
                order.append(text)
        elif element.tag == qn("w:tbl"):
            order.append("table:" + "".join(t.text for t in element.find(qn("w:tr")).iter(qn("w:t"))))
    return order


def test_a_report_renders_in_the_official_layout():
    report = a_report()

    document = docx.Document(io.BytesIO(documents.render_report_docx(report)))

    section = document.sections[0]
    measures = (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                section.left_margin, section.right_margin)  # fmt: skip
    assert [round(length.cm, 2) for length in measures] == [21.0, 29.7, 3.7, 3.5, 2.8, 2.6]
    title, signature, first_heading, first_body = document.paragraphs[:4]
    assert title.text == report.title
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.size == Pt(22)
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert signature.text == "中共某某镇委员会　张三"
    assert signature.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "楷体"
    assert first_heading.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert first_body.text == SPEECH[0]
    assert first_body.runs[0].font.size == Pt(16)
    assert first_body.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert first_body.paragraph_format.first_line_indent == Pt(32)
    assert first_body.paragraph_format.line_spacing == Pt(28)
    headings = [p.text for p in document.paragraphs if re.match(r"^[一二三四五六七八]、", p.text)]
    assert headings == [
        f"{'一二三四五六七八'[i]}、{heading}" for i, (_key, heading) in enumerate(documents.SECTIONS)
    ]
    for run in (run for paragraph in document.paragraphs for run in paragraph.runs):
        assert run._r.rPr.rFonts.get(qn("w:eastAsia")), run.text
    font_table = next(
        p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"
    )
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in font_table.blob.decode()
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer
    assert "已提交" in section.header.paragraphs[0].text


def test_the_lists_are_tables_after_the_sections_they_belong_to():
    document = docx.Document(io.BytesIO(documents.render_report_docx(a_report())))

    order = body_order(document)

    def after(heading: str) -> str:
        return order[order.index(heading) + 3]  # the heading, two paragraphs, then the table

    assert after("一、履行主体责任情况") == "table:序号责任事项类别"
    assert after("四、存在问题") == "table:序号存在问题类别程度"
    assert after("六、整改措施") == "table:序号承诺事项类别"
    assert after("七、上年问题整改和承诺落实情况") == "table:序号上年问题和承诺类型落实情况说明"
    rows = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert rows == [
        ["序号", "存在问题", "类别", "程度"],
        ["1", "理论学习不够深入", "思想建设", "一般"],
        ["2", "组织生活不规范", "组织建设", "较重"],
    ]
    assert [[cell.text for cell in row.cells] for row in document.tables[3].rows][1] == [
        "1", "村级阵地建设滞后", "问题", "已整改", "新建阵地 4 处"
    ]  # fmt: skip
    assert document.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_a_rendered_report_reads_back_as_it_was_written():
    report = a_report(sections=[(heading, SPEECH[i]) for i, (_key, heading) in enumerate(documents.SECTIONS)])

    imported = documents.parse_report_docx(documents.render_report_docx(report))

    assert imported.title == report.title
    assert imported.unrecognised == []
    for i, (key, _heading) in enumerate(documents.SECTIONS):
        assert imported.sections[key].split("\n")[0] == SPEECH[i]
    assert imported.problems == ["理论学习不够深入", "组织生活不规范"]  # from the table
    assert imported.commitments == ["每季度讲一次党课", "年内整顿 3 个软弱涣散村"]


def test_an_empty_section_is_marked_and_a_list_without_its_section_still_printed():
    report = a_report(sections=[("履行主体责任情况", ""), ("存在问题", "见下表。")], commitments=[])

    order = body_order(docx.Document(io.BytesIO(documents.render_report_docx(report))))

    assert order[2:5] == ["一、履行主体责任情况", "（未填写）", "table:序号责任事项类别"]
    assert order[5:8] == ["二、存在问题", "见下表。", "table:序号存在问题类别程度"]
    assert order[-1] == "table:序号上年问题和承诺类型落实情况说明"  # its section is not printed


def test_control_characters_in_the_text_do_not_break_the_document():
    report = a_report(title="述职\x07报告", sections=[("成绩", "第一行\x0b\x00第二行")])

    document = docx.Document(io.BytesIO(documents.render_report_docx(report)))

    assert document.paragraphs[0].text == "述职报告"


def test_the_meeting_book_has_a_cover_the_agenda_in_order_and_each_report_on_a_new_page():
    reports = [
        a_report(unit_name="中共东镇委员会", secretary_name="张三", title="东镇述职报告"),
        a_report(
            unit_name="中共西镇委员会", secretary_name="李四", title="西镇述职报告", mode_label="书面述职"
        ),
        a_report(unit_name="中共南镇委员会", secretary_name="王五", title="南镇述职报告"),
    ]

    document = docx.Document(
        io.BytesIO(
            documents.render_meeting_book(
                title="2024年度述职评议大会", subtitle="述职报告汇编", reports=reports
            )
        )
    )

    assert [p.text for p in document.paragraphs[:2]] == ["2024年度述职评议大会", "述职报告汇编"]
    agenda = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert agenda == [
        ["序号", "单位", "书记", "方式"],
        ["1", "中共东镇委员会", "张三", "大会述职"],
        ["2", "中共西镇委员会", "李四", "书面述职"],
        ["3", "中共南镇委员会", "王五", "大会述职"],
    ]
    new_pages = [p.text for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert new_pages == ["述职顺序", "东镇述职报告", "西镇述职报告", "南镇述职报告"]
    assert len(document.tables) == 1 + 4 * len(reports)
    assert document.sections[0].different_first_page_header_footer
