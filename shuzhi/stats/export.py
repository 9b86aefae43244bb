"""The statistics as an .xlsx workbook in the layout of the annual return: one sheet per table,
a title, the unit and the date, the header, the 合计 row first, numbers as numbers."""

from collections.abc import Sequence
from datetime import date
from io import BytesIO

import xlsxwriter

from shuzhi.exchange.rules import neutralise_formula
from shuzhi.exchange.sheets import WORKBOOK_OPTIONS
from shuzhi.stats.rules import Table


def _text(value: str) -> str:
    return str(neutralise_formula(str(value)))


def workbook(*, unit: str, day: date, tables: Sequence[Table]) -> bytes:
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **WORKBOOK_OPTIONS})
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    header = book.add_format(
        {"bold": True, "bg_color": "#E9ECEF", "border": 1, "align": "center", "text_wrap": True}
    )
    label = book.add_format({"border": 1})
    part = book.add_format({"border": 1, "indent": 1})
    number = book.add_format({"border": 1, "num_format": "0"})
    total_label = book.add_format({"border": 1, "bold": True})
    total_number = book.add_format({"border": 1, "bold": True, "num_format": "0"})
    for index, table in enumerate(tables, start=1):
        sheet = book.add_worksheet(f"表{index} {table.title}"[:31])
        width = len(table.columns)
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, width, 12)
        sheet.merge_range(0, 0, 0, width, _text(table.title), title)
        sheet.write_string(1, 0, _text(f"填报单位：{unit}"))
        sheet.write_string(1, max(1, width - 1), f"统计日期：{day:%Y-%m-%d}")
        sheet.write_string(2, 0, "项目", header)
        for col, column in enumerate(table.columns, start=1):
            sheet.write_string(2, col, _text(column), header)
        for row_index, row in enumerate(table.rows, start=3):
            text = ("其中：" if row.level else "") + row.label
            sheet.write_string(
                row_index, 0, _text(text), total_label if row.total else part if row.level else label
            )
            for col, cell in enumerate(row.cells, start=1):
                sheet.write_number(row_index, col, cell.value, total_number if row.total else number)
        if table.note:
            sheet.write_string(len(table.rows) + 4, 0, _text(f"注：{table.note}"))
        sheet.freeze_panes(3, 1)
    book.close()
    return buffer.getvalue()
