"""The QR slips of a meeting as a .docx: one slip per code, three to a row, ready to cut."""

import io

import docx
import segno
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from shuzhi.core import documents

COLUMNS = 3


def _font(run, size: float, *, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    documents.set_fonts(run.font, "宋体", latin="SimSun")


def slips_docx(*, meeting, slips: list[tuple[str, int, str]]) -> bytes:
    """`slips`: (class name, serial, ballot URL) per code."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.2))
    rows = -(-len(slips) // COLUMNS)
    table = document.add_table(rows=rows, cols=COLUMNS)
    table.style = "Table Grid"
    for index, (class_name, serial, url) in enumerate(slips):
        cell = table.cell(index // COLUMNS, index % COLUMNS)
        title = cell.paragraphs[0]
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(title.add_run(meeting.title), 9, bold=True)
        line = cell.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(line.add_run(f"{class_name} · 第 {serial} 号"), 9)
        image = io.BytesIO()
        segno.make(url, error="m").save(image, kind="png", scale=4, border=2)
        image.seek(0)
        picture = cell.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(image, width=Cm(3.6))
        hint = cell.add_paragraph()
        hint.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(hint.add_run("手机扫码投票 · 每码限投一次 · 无记名"), 7.5)
    return documents.save(document)
