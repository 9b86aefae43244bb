"""Spreadsheet files: checking an upload, reading it with python-calamine, writing reports and
exports with xlsxwriter. Nothing in an uploaded file is ever run: calamine reads cell values only.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import xlsxwriter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from shuzhi.core import uploads
from shuzhi.exchange import rules
from shuzhi.exchange.sheets import DATE, TEXT_COLUMNS, WORKBOOK_OPTIONS, Column

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # a 290,000-member roster unpacks to about 200 MB
MAX_COMPRESSION_RATIO = 200  # spreadsheets compress about 10:1; bombs, thousands to one
MAX_ENTRIES = 10_000  # a workbook has a few files per sheet


def check_upload(handle: IO[bytes], size: int) -> None:
    """Refuse what is not a plain .xlsx workbook, judged by content, not by the file's name."""
    not_a_workbook = _("这不是 Excel 工作簿（.xlsx）文件，请下载模板填写后上传。")
    if size == 0:
        raise ValidationError(_("文件是空的。"), code="empty")
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("文件太大（%(mb).1f MB），上限是 %(max)d MB。请分成几个文件上传。")
            % {"mb": size / 1024 / 1024, "max": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_large",
        )
    handle.seek(0)
    head = handle.read(uploads.HEAD_BYTES)
    handle.seek(0)
    if uploads.is_old_office(head):
        raise ValidationError(
            _("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传。"), code="xls"
        )
    if not head.startswith(uploads.ZIP_MAGIC):
        raise ValidationError(not_a_workbook, code="not_xlsx")
    limits = uploads.ZipLimits(
        unpacked_bytes=MAX_UNPACKED_BYTES, ratio=MAX_COMPRESSION_RATIO, entries=MAX_ENTRIES
    )
    contents = uploads.inspect_zip(handle, size, limits=limits)
    if contents.kind != uploads.XLSX:
        raise ValidationError(not_a_workbook, code="not_xlsx")
    if contents.macros:
        raise ValidationError(_("文件中含有宏，请另存为不含宏的 .xlsx 文件后上传。"), code="macro")


@dataclass
class SheetData:
    title: str
    header_row: int  # Excel row number of the header
    header: list[object]
    rows: list[list[object]]  # data rows below the header, trailing empty rows dropped


def read_sheet(source: str | Path | IO[bytes], *, preferred_title: str) -> SheetData:
    """The sheet called `preferred_title`, else the first; the header is the first non-empty row.

    `source` is a path or an open binary file (a stored file: through the storage API)."""
    try:
        book = CalamineWorkbook.from_object(str(source) if isinstance(source, Path) else source)
        titles = book.sheet_names
        title = preferred_title if preferred_title in titles else titles[0]
        values = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except (CalamineError, IndexError, ValueError) as error:
        raise ValidationError(_("无法读取该文件：%(why)s") % {"why": error}, code="unreadable") from None
    first = next((i for i, row in enumerate(values) if any(not rules.is_blank(c) for c in row)), None)
    if first is None:
        raise ValidationError(_("工作表“%(title)s”是空的。") % {"title": title}, code="empty_sheet")
    rows = values[first + 1 :]
    while rows and all(rules.is_blank(c) for c in rows[-1]):
        rows.pop()
    return SheetData(title=title, header_row=first + 1, header=values[first], rows=rows)


def _book(target, *, constant_memory: bool = False):
    return xlsxwriter.Workbook(
        target, {**WORKBOOK_OPTIONS, "in_memory": not constant_memory, "constant_memory": constant_memory}
    )


def write_table(
    target, *, title: str, columns: Sequence[Column], rows: Iterable[Sequence[object]], note: str = ""
) -> int:
    """Write one sheet with the columns' headers and the rows; return the number of rows.

    Every text cell is written as a string and neutralised (= + - @ at the start get an
    apostrophe), so no cell of an export can run as a formula in Excel or WPS.
    """
    book = _book(target, constant_memory=True)
    sheet = book.add_worksheet(title)
    header = book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    as_date = book.add_format({"num_format": "yyyy-mm-dd"})
    text_format = book.add_format({"num_format": "@"})
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width, text_format if column.key in TEXT_COLUMNS else None)
        sheet.write_string(0, index, column.header, header)
    kinds = [column.kind for column in columns]
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            if value is None or value == "":
                continue
            if kinds[index] == DATE:
                sheet.write_datetime(count, index, value, as_date)
            else:
                sheet.write_string(count, index, str(rules.neutralise_formula(str(value))))
    sheet.freeze_panes(1, 0)
    if note:
        notes = book.add_worksheet("说明")
        notes.set_column(0, 0, 100)
        notes.write_string(0, 0, note)
    book.close()
    return count


def write_report(target, *, sheet: SheetData, errors: Sequence, total_errors: int) -> None:
    """The uploaded rows with every bad cell marked red and the reasons beside each row, plus a
    list of all errors: what a person needs to correct the file and upload it again."""
    book = _book(target)
    bad = book.add_format(
        {"bg_color": "#F8D7DA", "font_color": "#842029", "border": 1, "border_color": "#DC3545"}
    )
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "font_color": "#842029"})
    data = book.add_worksheet(sheet.title[:31] or "数据")
    listing = book.add_worksheet("错误清单")

    marks: dict[tuple[int, int], str] = {}
    reasons: dict[int, list[str]] = {}
    for error in errors:
        reasons.setdefault(error.row, []).append(
            f"{error.column or '整行'}：{error.message}" if error.column else error.message
        )
        if error.letter:
            marks[(error.row, _column_index(error.letter))] = error.message
    width = max([len(sheet.header), *(len(r) for r in sheet.rows[:1000])], default=0)
    reason_column = width
    data.set_column(reason_column, reason_column, 60)
    for row_number, cells in [
        (sheet.header_row, sheet.header),
        *((sheet.header_row + 1 + i, r) for i, r in enumerate(sheet.rows)),
    ]:
        for index, value in enumerate(cells):
            cell_format = (
                bad if (row_number, index) in marks else (bold if row_number == sheet.header_row else None)
            )
            _write_value(data, row_number - 1, index, value, cell_format)
        for index in range(len(cells), width):
            if (row_number, index) in marks:
                data.write_blank(row_number - 1, index, None, bad)
        if row_number in reasons:
            data.write_string(row_number - 1, reason_column, "；".join(reasons[row_number]), wrap)
    data.write_string(sheet.header_row - 1, reason_column, "错误说明", bold)
    data.freeze_panes(sheet.header_row, 0)

    listing.set_column(0, 1, 8)
    listing.set_column(2, 2, 16)
    listing.set_column(3, 3, 24)
    listing.set_column(4, 4, 70)
    for col, text in enumerate(("行号", "列", "列名", "内容", "错误原因")):
        listing.write_string(0, col, text, bold)
    for line, error in enumerate(errors, start=1):
        listing.write_number(line, 0, error.row)
        listing.write_string(line, 1, error.letter)
        listing.write_string(line, 2, error.column)
        listing.write_string(line, 3, str(rules.neutralise_formula(error.value)))
        listing.write_string(line, 4, error.message)
    if total_errors > len(errors):
        listing.write_string(
            len(errors) + 1,
            4,
            f"另有 {total_errors - len(errors)} 处错误未列出，请先改正以上错误后重新上传。",
        )
    book.close()


def _write_value(sheet, row: int, col: int, value: object, cell_format) -> None:
    if rules.is_blank(value):
        if cell_format is not None:
            sheet.write_blank(row, col, None, cell_format)
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, cell_format)
    else:
        sheet.write_string(row, col, str(rules.neutralise_formula(str(value))), cell_format)


def _column_index(letter: str) -> int:
    index = 0
    for char in letter:
        index = index * 26 + ord(char) - 64
    return index - 1
