import io
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn

from shuzhi.core import documents


@pytest.mark.parametrize(
    ("number", "text"), [(1, "一"), (4, "四"), (10, "十"), (12, "十二"), (20, "二十"), (23, "二十三")]
)
def test_numbers_are_written_the_chinese_way(number, text):
    assert documents.chinese_number(number) == text


def test_a_date_is_written_as_a_document_is_dated():
    assert documents.chinese_date(date(2026, 1, 5)) == "2026年1月5日"


def _reopen(document):
    return docx.Document(io.BytesIO(documents.save(document)))


def _east_asian(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_a_document_has_the_official_page_fonts_and_page_numbers():
    document = documents.new_document(title="整改方案", subject="2026年度述职评议")
    documents.title_block(document, "整改方案", "中共东湖区委员会")
    documents.heading(document, "一、整改事项")
    documents.line(document, "正文\x07一段")  # a control character Word cannot hold is dropped
    documents.table(document, [("序号", 1.2, True), ("问题", 14.4, False)], [("1", "后备干部不足")])
    documents.signature(document, "中共东湖区委员会", documents.chinese_date(date(2026, 12, 3)))
    document = _reopen(document)

    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.left_margin.cm, 1)) == (21.0, 2.8)
    assert document.core_properties.title == "整改方案" and document.core_properties.author == ""
    title, below, heading, body, *_rest = document.paragraphs
    assert (
        _east_asian(title.runs[0]) == documents.TITLE_FONT and title.runs[0].font.size == documents.TITLE_SIZE
    )
    assert _east_asian(below.runs[0]) == documents.SIGNATURE_FONT
    assert _east_asian(heading.runs[0]) == documents.HEADING_FONT and heading.paragraph_format.keep_with_next
    assert heading._p.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "1"
    assert body.text == "正文一段" and _east_asian(body.runs[0]) == documents.BODY_FONT
    assert [p.text for p in document.paragraphs[-2:]] == ["中共东湖区委员会", "2026年12月3日"]
    header_row = document.tables[0].rows[0]
    assert [c.text for c in header_row.cells] == ["序号", "问题"]
    assert header_row._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "— " in section.footer.paragraphs[0].text
