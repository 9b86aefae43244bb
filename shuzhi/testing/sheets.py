"""Build .xlsx files for tests, as people make them: with xlsxwriter, any cell types."""

from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO

import xlsxwriter

from shuzhi.exchange.sheets import MEMBER_COLUMNS, ORG_COLUMNS

MEMBER_HEADERS = [column.header for column in MEMBER_COLUMNS]
ORG_HEADERS = [column.header for column in ORG_COLUMNS]


def xlsx(rows: Sequence[Sequence[object]], *, headers: Sequence[str], title: str = "Sheet1") -> bytes:
    """A workbook whose first sheet has the headers and the rows; dates as real date cells,
    numbers as numbers, everything else as text."""
    buffer = BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet(title)
    as_date = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime | date):
                sheet.write_datetime(r, c, value, as_date)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def member_row(
    name: str,
    id_number: str,
    organization: str,
    *,
    joined: date = date(2015, 7, 1),
    full: date | None = date(2016, 7, 1),
    status: str = "正式党员",
    education: str = "大学本科",
    category: str = "在职",
    phone: str = "",
    gender: str = "",
    ethnicity: str = "",
    birth: date | None = None,
) -> list[object]:
    """One roster row in MEMBER_HEADERS order. Mind the rules: joined at 18 or older."""
    return [
        name,
        id_number,
        gender,
        ethnicity,
        birth,
        phone,
        education,
        joined,
        full,
        status,
        category,
        organization,
    ]
