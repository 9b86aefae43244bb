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


def _centred(cell, text: str, size: float, *, bold: bool = False, first: bool = False):
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), size, bold=bold)
    return paragraph


def slips_docx(
    *, meeting, enter: str, slips: list[tuple[str, int, str, str]], rehearsal: bool = False
) -> bytes:
    """`slips`: (class name, count number, ballot URL, short code) per code, in the order to print
    (random). The voter's part carries the class, the QR code and the short code; the count number
    is only on the stub below the cutting line, which the organisers keep."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.2))
    rows = -(-len(slips) // COLUMNS)
    table = document.add_table(rows=rows, cols=COLUMNS)
    table.style = "Table Grid"
    for index, (class_name, serial, url, short_code) in enumerate(slips):
        cell = table.cell(index // COLUMNS, index % COLUMNS)
        _centred(cell, meeting.title, 9, bold=True, first=True)
        _centred(
            cell,
            f"彩排测试票 · 不计入正式结果 · {class_name}" if rehearsal else class_name,
            9,
            bold=rehearsal,
        )
        image = io.BytesIO()
        segno.make(url, error="m").save(image, kind="png", scale=4, border=2)
        image.seek(0)
        picture = cell.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(image, width=Cm(3.6))
        _centred(cell, f"票码 {short_code}", 11, bold=True)
        _centred(cell, f"扫码投票，或打开 {enter} 输入票码", 7)
        _centred(cell, "每码限投一次 · 无记名", 7.5)
        _centred(cell, "✂ - - - - - - - - - - - - - - - -", 7)
        _centred(cell, f"存根（会务人员留存） · {class_name} · 第 {serial} 张", 7)
    return documents.save(document)
