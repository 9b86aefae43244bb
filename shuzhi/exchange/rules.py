"""Reading and writing spreadsheet cells: pure functions over the values python-calamine gives.

calamine returns str, float, int, bool, datetime.date/datetime/time/timedelta or "" for an empty
cell. People type dates in many ways, leave the day out, type digits full-width, put spaces in
names, and Excel stores long digit strings as numbers; each parser either returns a clean value
or raises CellError with a message a person can act on.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from shuzhi.core.dates import DateTextError, MonthDate, parse_text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_HEADER_NOISE = re.compile(r"[\s*＊:：]")
_BRACKETED = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's phantom 1900-02-29 lies before 61)


class CellError(ValueError):
    """A cell that cannot be used, with the reason in Chinese."""


def normalise_header(value: object) -> str:
    """'组织编码*', ' 组织编码 ', '＊组织编码', '姓　名', '姓名：' all name the column 组织编码 or 姓名."""
    text = str(value or "")
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # full-width letters, brackets and spaces
    return _HEADER_NOISE.sub("", text)


def header_names(value: object) -> tuple[str, ...]:
    """The names a header cell may mean: itself, then without what is in brackets
    ('出生年月(年.月)' also means 出生年月, '联系电话【手机】' 联系电话)."""
    name = normalise_header(value)
    bare = _BRACKETED.sub("", name)
    return (name, bare) if bare and bare != name else (name,)


def compact(value: str) -> str:
    """Text without any space inside or around it, ordinary or full-width: '王　芳 ' → '王芳'."""
    return "".join(value.split())


def fold(value: str) -> str:
    """Text as looked up in a vocabulary: no spaces, full-width letters and digits made plain."""
    value = compact(value)
    return unicodedata.normalize("NFKC", value) if not value.isascii() else value


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object, *, max_length: int | None = None) -> str:
    """A cell as text. Whole numbers typed into a text column come back without '.0'."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        raise CellError(_("应为文字，不能是逻辑值。"))
    if isinstance(value, float):
        if not value.is_integer():
            return repr(value)
        value = int(value)
    if isinstance(value, datetime | date):
        raise CellError(_("应为文字，不能是日期。"))
    result = str(value).strip()
    if result[:1] == "'" and result[1:2] in FORMULA_PREFIXES:
        result = result[1:]  # our own export neutralised it; the value is the rest
    if max_length is not None and len(result) > max_length:
        raise CellError(_("超过 %(max)d 个字符（现有 %(n)d 个）。") % {"max": max_length, "n": len(result)})
    return result


def digits_text(value: object, *, what: str) -> str:
    """Long digit strings (ID numbers) that Excel may have turned into rounded numbers."""
    if isinstance(value, float) and abs(value) >= 1e15:
        raise CellError(
            _("%(what)s被 Excel 存成了数字，末几位可能已变成0。请把该列设为“文本”格式后重新填写。")
            % {"what": what}
        )
    result = text(value)
    if not result.isascii():
        result = unicodedata.normalize("NFKC", result)  # full-width digits, full-width X
    # an apostrophe before the digits only told the spreadsheet to keep them as text
    return compact(result).lstrip("'‘’`")


def parse_date(value: object) -> date | None:
    """None for an empty cell; a date (or a MonthDate, when only the month is written) for a date
    cell, a number that reads as one, or a date typed as text; else CellError.

    Numbers: 20210701 and 202107 are read as written; 2021.07 (and 2021.1, which Excel keeps of
    2021.10) is a month; other whole numbers are Excel's day numbers, as a date column shows
    them when its cells lost their date format."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError(_("日期格式不正确，应为 2021-07-01 这样的日期。"))
    if isinstance(value, int | float):
        return _date_from_number(value)
    candidate = value.strip()
    if candidate.isdigit() and len(candidate) == 5:
        return _date_from_number(int(candidate))  # a day number pasted as text
    try:
        return parse_text(candidate)
    except DateTextError as error:
        raise CellError(str(error)) from None


def _date_from_number(value: int | float) -> date:
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
        raise CellError(_("日期格式不正确，应为 2021-07-01 这样的日期。"))
    if float(value).is_integer():
        whole = int(value)
        if 1_000_00_00 <= whole <= 9999_12_31 or 1000_01 <= whole <= 9999_12:
            try:
                return parse_text(str(whole))  # 20210701, 202107
            except DateTextError as error:
                raise CellError(str(error)) from None
        if 1000 <= whole <= 2999:
            raise CellError(_("只写了年份，请至少写到月，如 2021.07 或 2021-07-01。"))
        if 1 <= whole <= 109_574:  # Excel's day numbers up to 2199-12-31
            return _EXCEL_EPOCH + timedelta(days=whole if whole > 60 else whole + 1)
        raise CellError(_("日期格式不正确，应为 2021-07-01 这样的日期。"))
    if 1000 <= value < 3000:
        year = int(value)
        month = round((value - year) * 100)
        if 1 <= month <= 12 and abs((value - year) * 100 - month) < 1e-6:
            return MonthDate(year, month)
        raise CellError(_("“%(value)s”不是存在的年月。") % {"value": f"{value:g}"})
    if 61 <= value <= 109_575:  # a day number with a time of day
        return _EXCEL_EPOCH + timedelta(days=int(value))
    raise CellError(_("日期格式不正确，应为 2021-07-01 这样的日期。"))


def parse_choice(value: object, choices: dict[str, str]) -> str:
    """The stored value for a label, one of its other forms (see sheets.VOCABULARY) or the
    stored value itself, whatever spaces or full-width letters it was typed with; CellError
    lists the labels."""
    label = text(value)
    hit = choices.get(label)
    if hit is None:
        hit = choices.get(fold(label))
    if hit is not None:
        return hit
    raise CellError(_("只能填：%(labels)s。") % {"labels": "、".join(dict.fromkeys(_labels(choices)))})


def _labels(choices: dict[str, str]) -> list[str]:
    # the mapping holds labels, their other forms and stored values alike; show the labels
    labels = getattr(choices, "labels", None)
    return list(labels) if labels else [key for key in choices if not key.isascii()] or list(choices)


def neutralise_formula(value: object) -> object:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe.

    Numbers and dates are left alone: they are data, and a negative number is not an attack.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def split_org_path(value: str) -> list[str]:
    """'中共云州市委员会/中共云州市东湖区委员会' → the names, top first. Accepts / ／ > ＞ as separators."""
    return [part.strip() for part in re.split(r"[/／>＞]", value) if part.strip()]
