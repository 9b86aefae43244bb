"""Word documents in the official layout (党政机关公文格式): the toolkit every area writes .docx with.

A4 with the official margins, 方正小标宋 title, 黑体 headings, 仿宋 body at 三号 on a fixed 28 pt
line, 楷体 for names under a title, tables with a repeating header row, "— 1 —" page numbers,
Chinese numerals and dates. Every font is set for East Asian text too (python-docx's
`font.name` sets only the Latin ones), and the font table names what Word should use on a
machine without our fonts. An area keeps only its own document's layout:

    document = new_document(title="整改方案", subject=cycle.title)
    title_block(document, "整改方案", cycle.title)
    heading(document, f"{chinese_number(1)}、整改事项")
    table(document, COLUMNS, rows)
    line(document, "各责任人按整改措施和时限推进……")
    signature(document, organization.name, chinese_date(day))
    data = save(document)
"""

import re
from collections.abc import Iterable, Sequence
from datetime import date
from io import BytesIO

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "宋体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
SIGNATURE_FONT = "楷体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
LINE = Pt(28)  # fixed line spacing: 22 lines on a page of A4 with these margins
TABLE_SIZE = Pt(12)  # 小四
CONTENT_WIDTH_CM = 21.0 - 2.8 - 2.6
# Fonts Word takes in place of ours on a machine without them (w:altName in the font table).
FALLBACK_FONTS = {TITLE_FONT: TITLE_FALLBACK, BODY_FONT: "仿宋_GB2312", SIGNATURE_FONT: "楷体_GB2312"}

NUMERALS = "一二三四五六七八九十"
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# A table's columns: (header, width in cm, centred); the widths of a full-width table add up to
# CONTENT_WIDTH_CM.
Column = tuple[str, float, bool]


def new_document(*, title: str, subject: str):
    """An empty A4 document in the official layout, with page numbers at the foot."""
    document = docx.Document()
    properties = document.core_properties
    properties.title, properties.subject = clean(title), clean(subject)
    properties.author = properties.last_modified_by = ""
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.header_distance, section.footer_distance = Cm(1.5), Cm(2.0)
    normal = document.styles["Normal"]
    set_fonts(normal.font, BODY_FONT)
    normal.font.size = BODY_SIZE
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE
    defaults = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    if defaults is not None:  # the template's defaults are themed and Japanese
        fonts = defaults.find(W + "rFonts")
        if fonts is not None:
            for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
                fonts.attrib.pop(W + attribute, None)
            fonts.set(W + "ascii", LATIN_FONT)
            fonts.set(W + "hAnsi", LATIN_FONT)
            fonts.set(W + "eastAsia", BODY_FONT)
        language = defaults.find(W + "lang")
        if language is not None:
            language.set(W + "eastAsia", "zh-CN")
    theme_language = document.settings.element.find(W + "themeFontLang")
    if theme_language is not None:
        theme_language.set(W + "eastAsia", "zh-CN")
    _add_fallback_fonts(document)
    page_numbers(section.footer.paragraphs[0])
    return document


def save(document) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def clean(text: str) -> str:
    """Text Word can hold: no control characters but tabs and line ends."""
    return _XML_UNSAFE.sub("", text or "")


# ---- paragraphs ----------------------------------------------------------------------------------


def line(
    document,
    text: str,
    *,
    font: str = BODY_FONT,
    size=BODY_SIZE,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
):
    """One paragraph on the fixed line; body text by default, its first line indented two
    characters."""
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    format_ = paragraph.paragraph_format
    format_.first_line_indent = BODY_SIZE * 2 if indent else None  # two characters of 三号
    format_.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    format_.line_spacing = LINE
    format_.space_before = format_.space_after = Pt(0)
    run(paragraph, clean(text), font=font, size=size)
    return paragraph


def title_block(document, text: str, *below: str):
    """The document's title in 方正小标宋, centred, and under it each of `below` (the cycle, the
    unit, a signature) in 楷体, then a blank line; returns the title paragraph."""
    title = line(
        document, text, font=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    title.paragraph_format.line_spacing = Pt(36)
    outline(title, 0)
    last = title
    for part in below:
        last = line(document, part, font=SIGNATURE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    last.paragraph_format.space_after = LINE
    return title


def heading(
    document, text: str, *, level: int | None = 1, font: str = HEADING_FONT, space_before: bool = False
):
    """A heading in 黑体 (一、…), kept with what follows and shown in Word's navigation pane at
    `level` (None: not shown there); `font=SIGNATURE_FONT` for a （一） sub-heading in 楷体."""
    paragraph = line(document, text, font=font)
    paragraph.paragraph_format.keep_with_next = True
    if space_before:
        paragraph.paragraph_format.space_before = LINE
    if level is not None:
        outline(paragraph, level)
    return paragraph


def signature(document, name: str, day: str) -> None:
    """The issuing body and the date, right-aligned two lines below the text."""
    paragraph = line(document, name, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    paragraph.paragraph_format.space_before = LINE * 2
    line(document, day, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


def run(paragraph, text: str, *, font: str, size, bold: bool = False, color: RGBColor | None = None):
    run = paragraph.add_run(text)
    set_fonts(run.font, font)
    run.font.size = size
    run.font.bold = bold or None
    if color is not None:
        run.font.color.rgb = color
    return run


def set_fonts(font, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Set the Chinese font too: python-docx's `font.name` sets only the Latin ones."""
    font.name = latin
    font.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def outline(paragraph, level: int) -> None:
    """Show the paragraph in Word's navigation pane at `level` (0 = top)."""
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level))
    paragraph._p.get_or_add_pPr().insert_element_before(
        element, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"
    )


# ---- tables and page numbers ---------------------------------------------------------------------


def table(document, columns: Sequence[Column], rows: Iterable[Sequence[object]]):
    """A grid with a 黑体 header row repeated on every page, body cells in 仿宋 小四."""
    rows = list(rows)
    grid = document.add_table(rows=1 + len(rows), cols=len(columns))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, (_name, width, _centred) in zip(grid.columns, columns, strict=True):
        column.width = Cm(width)  # the grid, which Word follows; the cells' widths below for others
    header_row = grid.rows[0]
    properties = header_row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row again on every page the table runs to
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)
    for row_index, values in enumerate([[name for name, _width, _centred in columns], *rows]):
        for col, ((_name, width, centred), value) in enumerate(zip(columns, values, strict=True)):
            cell = grid.rows[row_index].cells[col]
            cell.width = Cm(width)
            paragraph = cell.paragraphs[0]
            format_ = paragraph.paragraph_format
            format_.first_line_indent = None
            format_.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            format_.line_spacing = Pt(20)
            if row_index == 0 or centred:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run(
                paragraph,
                clean(str(value or "")),
                font=HEADING_FONT if row_index == 0 else BODY_FONT,
                size=TABLE_SIZE,
            )
    return grid


def page_numbers(paragraph) -> None:
    """— 1 — centred at the foot of each page, as a PAGE field that Word fills in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(paragraph, "— ", font=TITLE_FALLBACK, size=Pt(14))
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        field = run(paragraph, "", font=TITLE_FALLBACK, size=Pt(14))
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            field._r.append(char)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            field._r.append(instruction)
        else:
            field.text = text
    run(paragraph, " —", font=TITLE_FALLBACK, size=Pt(14))


def _add_fallback_fonts(document) -> None:
    """Name, in the font table, the font Word should use for each of ours it does not have."""
    part = next(
        (p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None
    )
    if part is None:
        return
    fonts = etree.fromstring(part.blob)  # the font table of python-docx's own template
    for name in (TITLE_FONT, HEADING_FONT, BODY_FONT, SIGNATURE_FONT):
        font = etree.SubElement(fonts, W + "font", {W + "name": name})
        if name in FALLBACK_FONTS:
            etree.SubElement(font, W + "altName", {W + "val": FALLBACK_FONTS[name]})
        etree.SubElement(font, W + "charset", {W + "val": "86"})  # GB2312
        etree.SubElement(font, W + "family", {W + "val": "modern" if name == HEADING_FONT else "roman"})
        etree.SubElement(font, W + "pitch", {W + "val": "variable"})
    # The font table is a plain part to python-docx, with no way to change it but its bytes.
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---- Chinese numbers and dates -------------------------------------------------------------------


def chinese_number(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (to 99): headings 一、 and （一）, 第四季度."""
    if number <= 10:
        return NUMERALS[number - 1]
    tens, ones = divmod(number, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def chinese_date(day: date) -> str:
    """2026年12月3日, as a document is dated."""
    return f"{day.year}年{day.month}月{day.day}日"
