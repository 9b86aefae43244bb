"""Spreadsheet files: checking an upload, reading it with python-calamine, writing reports and
exports with xlsxwriter. Nothing in an uploaded file is ever run: calamine reads cell values only.
"""

import logging
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

import xlsxwriter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from shuzhi.core import uploads
from shuzhi.core.dates import MonthDate, shown
from shuzhi.exchange import rules
from shuzhi.exchange.sheets import DATE, TEXT_COLUMNS, WORKBOOK_OPTIONS, Column

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # a 290,000-member roster unpacks to about 200 MB
MAX_COMPRESSION_RATIO = 200  # spreadsheets compress about 10:1; bombs, thousands to one
MAX_ENTRIES = 10_000  # a workbook has a few files per sheet


def check_upload(handle: IO[bytes], size: int, *, max_bytes: int | None = None) -> None:
    """Refuse what is not a plain .xlsx workbook, judged by its content: `core.uploads` judges it
    (macros, password, executables, zip bombs, old .xls), with this module's limits for sheets,
    and only the refusals worded for spreadsheets here."""
    max_bytes = max_bytes or MAX_UPLOAD_BYTES
    limits = uploads.ZipLimits(
        unpacked_bytes=MAX_UNPACKED_BYTES, ratio=MAX_COMPRESSION_RATIO, entries=MAX_ENTRIES
    )
    try:
        uploads.check_upload(
            handle, size, allowed=frozenset({uploads.XLSX}), max_bytes=max_bytes, limits=limits
        )
    except ValidationError as error:
        if error.code == "too_large":
            raise ValidationError(
                _("文件太大（%(mb).1f MB），上限是 %(max)d MB。请分成几个文件上传。")
                % {"mb": size / 1024 / 1024, "max": max_bytes // 1024 // 1024},
                code="too_large",
            ) from None
        if error.code == "wrong_type":
            raise ValidationError(
                _("这不是 Excel 工作簿（.xlsx）文件，请下载模板填写后上传。"), code="not_xlsx"
            ) from None
        raise


HEADER_SEARCH_ROWS = 12  # title rows, a 填报单位 line and blank rows come before the header
TOTAL_WORDS = ("合计", "总计", "小计", "共计")
NOTE_WORDS = ("填报人", "填表人", "制表人", "审核人", "负责人", "联系人", "经办人", "填报日期", "填表日期", "制表日期",
              "审核日期", "注:", "说明:", "备注:")  # fmt: skip
_UNIT_LINE = re.compile(r"(?:填报单位|单位名称|党组织名称|党支部名称|党组织|党支部|单位)\s*[:：]\s*(.+)")
_NEXT_LABEL = re.compile(r"\s{2,}|\s*\S{1,6}[:：]")
SKIPPED_LABELS = {
    "total": gettext_lazy("合计行"),
    "blank": gettext_lazy("空行"),
    "header": gettext_lazy("重复的表头行"),
    "note": gettext_lazy("表尾说明行"),
}


@dataclass
class SheetData:
    title: str
    header_row: int  # Excel row number of the header
    header: list[object]
    rows: list[list[object]]  # the data rows below the header, less those skipped
    numbers: list[int] | None = None  # Excel row number of each of `rows`, when rows were skipped
    values: list[list[object]] = field(default_factory=list)  # the whole sheet from A1, merges filled
    skipped: dict[str, int] = field(default_factory=dict)  # SKIPPED_LABELS key → rows skipped
    notes: list[str] = field(default_factory=list)  # what reading did that a person should know
    unit: str = ""  # what a 填报单位 line above the header names

    def number(self, index: int) -> int:
        return self.numbers[index] if self.numbers is not None else self.header_row + 1 + index

    def skipped_note(self) -> str:
        """'跳过合计行 1 行、空行 1 行。', or '' when nothing was skipped."""
        parts = [
            _("%(what)s %(n)d 行") % {"what": label, "n": self.skipped[key]}
            for key, label in SKIPPED_LABELS.items()
            if self.skipped.get(key)
        ]
        return _("跳过%(parts)s。") % {"parts": "、".join(parts)} if parts else ""


def read_sheet(
    source: str | Path | IO[bytes], *, lookup: dict[str, str], preferred_title: str = ""
) -> SheetData:
    """The sheet a person meant and its rows, however the sheet was kept.

    The sheet: the one called `preferred_title`, else the visible sheet whose header matches
    `lookup` best (hidden sheets are never read). The header: the row, among the first
    HEADER_SEARCH_ROWS, that names the most known columns; title rows, a 填报单位 line and blank
    rows above it are passed over. Merged cells give their value to every cell they cover (a
    branch name merged down its members' rows). Below the header, rows that are wholly empty,
    total rows (合计, 总计, 小计), repeats of the header and notes at the foot (填报人：…) are
    skipped and counted. `lookup` maps a normalised header to a column key (sheets.header_lookup).
    `source` is a path or an open binary file (a stored file: through the storage API).
    """
    try:
        book = CalamineWorkbook.from_object(str(source) if isinstance(source, Path) else source)
        sheets = book.sheets_metadata
        visible = [
            s.name
            for s in sheets
            if s.visible == SheetVisibleEnum.Visible and s.typ == SheetTypeEnum.WorkSheet
        ]
        if not visible:
            raise ValidationError(_("工作簿中没有可见的工作表。"), code="empty_sheet")
        title, header_index, peeked = _choose_sheet(book, visible, lookup, preferred_title)
        sheet = peeked if peeked is not None else book.get_sheet_by_name(title)
        values = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except ValidationError:
        raise
    except Exception as error:  # calamine's errors are English and technical: log them, say why in Chinese
        logger.warning("unreadable workbook: %s: %s", type(error).__name__, error)
        raise ValidationError(
            _(
                "无法读取该文件：文件已损坏或内容不完整（例如压缩包中的大小与声明不符）。请在 Excel 或 WPS 中打开，另存为 .xlsx 后重新上传。"
            ),
            code="unreadable",
        ) from None
    _fill_merged(values, merged)
    _mark_months(source, title, values)
    if header_index is None:
        header_index = _find_header(values, lookup)[0]
    if header_index is None or not any(not rules.is_blank(c) for c in values[header_index]):
        if not any(any(not rules.is_blank(c) for c in row) for row in values[:HEADER_SEARCH_ROWS]):
            raise ValidationError(_("工作表“%(title)s”是空的。") % {"title": title}, code="empty_sheet")
        known = "、".join(f"“{name}”" for name in list(dict.fromkeys(lookup))[:3])
        raise ValidationError(
            _(
                "在工作表“%(title)s”的前 %(n)d 行中没有找到表头：表头行应有%(known)s等列名。请检查是否选错了文件。"
            )
            % {"title": title, "n": HEADER_SEARCH_ROWS, "known": known},
            code="no_header",
        )
    header = values[header_index]
    data = _data(values, header_index, header, lookup)
    data.title = title
    notes = []
    if len(sheets) > 1:
        hidden = len(sheets) - len(visible)
        notes.append(
            _("读取的是工作表“%(title)s”；另有 %(n)d 个工作表未读取%(hidden)s。")
            % {
                "title": title,
                "n": len(sheets) - 1,
                "hidden": (_("（其中 %(n)d 个是隐藏的）") % {"n": hidden}) if hidden else "",
            }
        )
    if header_index > 0:
        notes.append(
            _("表头在第 %(row)d 行，其上的标题和填报信息未作为数据读取。") % {"row": header_index + 1}
        )
    if data.skipped_note():
        notes.append(data.skipped_note())
    data.notes = notes
    data.unit = _unit_line(values[:header_index])
    return data


def _choose_sheet(book, visible: list[str], lookup: dict[str, str], preferred: str):
    """(title, header row index or None if not looked at yet, the sheet if it was loaded)."""
    if preferred in visible or len(visible) == 1:
        return (preferred if preferred in visible else visible[0]), None, None
    best = None
    for title in visible:
        sheet = book.get_sheet_by_name(title)
        top = sheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
        _index, score = _find_header(top, lookup)
        filled = sum(1 for row in top for cell in row if not rules.is_blank(cell))
        if best is None or (score, filled) > best[3]:
            best = (title, None, sheet, (score, filled))
    return best[0], best[1], best[2]


def _find_header(values: list[list[object]], lookup: dict[str, str]) -> tuple[int | None, int]:
    """The index of the row among the first that names the most known columns, and how many."""
    best, best_score = None, 0
    for index, row in enumerate(values[:HEADER_SEARCH_ROWS]):
        keys = {
            lookup.get(name) for cell in row if not rules.is_blank(cell) for name in rules.header_names(cell)
        }
        score = len(keys - {None})
        if score > best_score:
            best, best_score = index, score
    return (best if best_score >= 2 else None), best_score


# Excel's built-in formats that show a year and a month only (mmm-yy; the Chinese yyyy"年"m"月")
_MONTH_FORMAT_IDS = frozenset({17, 27, 36, 50, 52, 55, 57})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _month_only(code: str) -> bool:
    code = _QUOTED.sub("", code).lower()
    return "y" in code and "m" in code and not any(part in code for part in ("d", "h", "s"))


def _mark_months(path, title: str, values: list[list[object]]) -> None:
    """Date cells shown with a month-only format (what Excel makes of 2008-7 or 2008年7月 typed in)
    become MonthDates: calamine gives the first of the month, and the day was never written.

    Looks into the workbook's styles first, and into the sheet only if some style shows months."""
    try:
        with zipfile.ZipFile(path if isinstance(path, str | Path) else _rewound(path)) as archive:
            names = set(archive.namelist())
            if "xl/styles.xml" not in names:
                return
            month_styles = _month_styles(
                uploads.read_member(archive, "xl/styles.xml", max_bytes=16 * 1024 * 1024)
            )
            if not month_styles:
                return
            member = _sheet_member(archive, title)
            if member not in names:
                return
            xml = uploads.read_member(archive, member, max_bytes=MAX_UNPACKED_BYTES)
    except (zipfile.BadZipFile, ValidationError, OSError, KeyError, ElementTree.ParseError):
        return
    for match in _STYLED_CELL.finditer(xml):
        attributes = match.group(1)
        style = _ATTRIBUTE_S.search(attributes)
        reference = _ATTRIBUTE_R.search(attributes)
        if style is None or reference is None or int(style.group(1)) not in month_styles:
            continue
        row = int(reference.group(2)) - 1
        col = _column_index(reference.group(1).decode())
        if row < len(values) and col < len(values[row]):
            value = values[row][col]
            if isinstance(value, date):
                values[row][col] = MonthDate(value.year, value.month)


_STYLED_CELL = re.compile(rb"<c\s([^>]*\ss=\"\d+\"[^>]*)>")
_ATTRIBUTE_S = re.compile(rb'\bs="(\d+)"')
_ATTRIBUTE_R = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _month_styles(styles_xml: bytes) -> set[int]:
    root = ElementTree.fromstring(styles_xml)  # noqa: S314 (size-capped; no entities are resolved by expat here)
    custom = {
        int(fmt.get("numFmtId", "-1")): fmt.get("formatCode", "") for fmt in root.iter(f"{_MAIN}numFmt")
    }
    month_ids = {fid for fid, code in custom.items() if _month_only(code)} | (_MONTH_FORMAT_IDS - set(custom))
    cell_xfs = root.find(f"{_MAIN}cellXfs")
    if cell_xfs is None:
        return set()
    return {
        index
        for index, xf in enumerate(cell_xfs.iter(f"{_MAIN}xf"))
        if int(xf.get("numFmtId", "0")) in month_ids
    }


def _sheet_member(archive: zipfile.ZipFile, title: str) -> str:
    book = ElementTree.fromstring(uploads.read_member(archive, "xl/workbook.xml", max_bytes=16 * 1024 * 1024))  # noqa: S314
    rel = next((s.get(_DOC_REL) for s in book.iter(f"{_MAIN}sheet") if s.get("name") == title), None)
    rels = ElementTree.fromstring(  # noqa: S314
        uploads.read_member(archive, "xl/_rels/workbook.xml.rels", max_bytes=16 * 1024 * 1024)
    )
    target = next((r.get("Target", "") for r in rels.iter(f"{_RELS}Relationship") if r.get("Id") == rel), "")
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _rewound(handle):
    handle.seek(0)
    return handle


def _fill_merged(values: list[list[object]], merged) -> None:
    for (top, left), (bottom, right) in merged:
        if top >= len(values) or left >= len(values[top]):
            continue
        value = values[top][left]
        for row in values[top : bottom + 1]:
            for col in range(left, min(right, len(row) - 1) + 1):
                row[col] = value


def _data(
    values: list[list[object]], header_index: int, header: list[object], lookup: dict[str, str]
) -> SheetData:
    """The data rows below the header, the skipped ones counted."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        for name in rules.header_names(cell):
            if name in lookup:
                positions.setdefault(lookup[name], index)
                break
    first = min(positions.values())  # the leftmost known column: a name or a code, rarely empty
    header_keys = {key: index for key, index in positions.items()}
    suspects = {word[0] for word in (*TOTAL_WORDS, *NOTE_WORDS)} | {
        name[0] for name, _key in lookup.items() if name
    }
    rows: list[list[object]] = []
    numbers: list[int] = []
    skipped = dict.fromkeys(SKIPPED_LABELS, 0)
    pending_blank = 0
    below = values[header_index + 1 :]
    try:
        # the usual sheet: every row starts with text no skipped row starts with; then the rows
        # are kept as they are, and only the first cell of each is looked at
        if not any(
            cell.__class__ is not str or not cell or cell[0] in suspects
            for cell in map(itemgetter(first), below)
        ):
            return SheetData(title="", header_row=header_index + 1, header=header, rows=below, values=values)
    except IndexError:  # a row shorter than the header: looked at row by row below
        pass
    for offset, row in enumerate(below):
        cell = row[first] if first < len(row) else ""
        if cell.__class__ is str and cell and cell[0] not in suspects:
            kind = ""
        else:
            kind = _row_kind(row, header_keys, lookup)
        if kind == "blank":
            pending_blank += 1  # counted only if data follows: trailing empty rows are not rows
            continue
        if kind:
            skipped[kind] += 1
            continue
        rows.append(row)
        numbers.append(header_index + 2 + offset)
        skipped["blank"] += pending_blank  # empty rows count where people follow them
        pending_blank = 0
    skipped = {key: n for key, n in skipped.items() if n}
    kept_in_place = not skipped and len(rows) == len(below) - pending_blank
    return SheetData(
        title="",
        header_row=header_index + 1,
        header=header,
        rows=rows,
        numbers=None if kept_in_place else numbers,
        values=values,
        skipped=skipped,
    )


def _row_kind(row: list[object], header_keys: dict[str, int], lookup: dict[str, str]) -> str:
    """'blank', 'total', 'header', 'note', or '' for a data row."""
    filled = [cell for cell in row if not rules.is_blank(cell)]
    if not filled:
        return "blank"
    texts = [rules.fold(cell) for cell in filled[:2] if isinstance(cell, str)]
    if any(text.startswith(TOTAL_WORDS) for text in texts):
        return "total"
    same = sum(
        1
        for key, index in header_keys.items()
        if index < len(row)
        and isinstance(row[index], str)
        and any(lookup.get(name) == key for name in rules.header_names(row[index]))
    )
    if same >= 2:
        return "header"
    if len(filled) <= 3 and texts and texts[0].replace("：", ":").startswith(NOTE_WORDS):
        return "note"
    return ""


def _unit_line(rows: list[list[object]]) -> str:
    """What a 填报单位：… line above the header names, if there is one."""
    for row in rows:
        for cell in row:
            if isinstance(cell, str):
                match = _UNIT_LINE.search(cell.strip())
                if match:
                    return _NEXT_LABEL.split(match.group(1).strip(), maxsplit=1)[0].strip()
    return ""


def _book(target, *, constant_memory: bool = False):
    return xlsxwriter.Workbook(
        target, {**WORKBOOK_OPTIONS, "in_memory": not constant_memory, "constant_memory": constant_memory}
    )


def write_table(
    target, *, title: str, columns: Sequence[Column], rows: Iterable[Sequence[object]], note: str = ""
) -> int:
    """Write one sheet with the columns' headers and the rows; return the number of rows.

    Numbers (scores, ranks, counts) are written as numbers, so Excel sums and sorts them; the
    text columns (codes, ID numbers, phones) stay text whatever they hold. Every text cell is
    written as a string and neutralised (= + - @ at the start get an apostrophe), so no cell of
    an export can run as a formula in Excel or WPS.
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
    numeric = [column.key not in TEXT_COLUMNS for column in columns]
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            if value is None or value == "":
                continue
            if kinds[index] == DATE:
                if isinstance(value, MonthDate):  # known to its month: text that imports back as one
                    sheet.write_string(count, index, shown(value))
                else:
                    sheet.write_datetime(count, index, value, as_date)
            elif isinstance(value, int | float | Decimal) and not isinstance(value, bool) and numeric[index]:
                sheet.write_number(count, index, float(value) if isinstance(value, Decimal) else value)
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
    # the sheet as the person has it, title rows and skipped rows too: row numbers stay theirs
    lines = (
        enumerate(sheet.values, start=1)
        if sheet.values
        else [(sheet.header_row, sheet.header), *((sheet.number(i), r) for i, r in enumerate(sheet.rows))]
    )
    for row_number, cells in lines:
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
