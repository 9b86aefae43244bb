"""Reading and writing spreadsheet cells: pure functions over the values python-calamine gives.

calamine returns str, float, int, bool, datetime.date/datetime/time/timedelta or "" for an empty
cell. People type dates in many ways and Excel stores long digit strings as numbers; each parser
either returns a clean value or raises CellError with a message a person can act on.
"""

import re
from datetime import date, datetime

from django.utils.translation import gettext as _

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_HEADER_NOISE = re.compile(r"[\s*＊]")


class CellError(ValueError):
    """A cell that cannot be used, with the reason in Chinese."""


def normalise_header(value: object) -> str:
    """'组织编码*', ' 组织编码 ', '＊组织编码' all name the column 组织编码."""
    return _HEADER_NOISE.sub("", str(value or "")).replace("（", "(").replace("）", ")")


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
    return text(value)


def parse_date(value: object) -> date | None:
    """None for an empty cell; a date for a date cell or a date typed as text; else CellError."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        candidate = str(int(value)) if float(value).is_integer() else ""
    else:
        candidate = str(value).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(candidate)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                raise CellError(_("“%(value)s”不是存在的日期。") % {"value": candidate}) from None
    raise CellError(_("日期格式不正确，应为 2021-07-01 这样的日期。"))


def parse_choice(value: object, choices: dict[str, str]) -> str:
    """The stored value for a label (or for the stored value itself); CellError lists the labels."""
    label = text(value)
    if label in choices:
        return choices[label]
    raise CellError(_("只能填：%(labels)s。") % {"labels": "、".join(dict.fromkeys(_labels(choices)))})


def _labels(choices: dict[str, str]) -> list[str]:
    # the mapping holds labels and stored values alike; show the Chinese labels
    return [key for key in choices if not key.isascii()] or list(choices)


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
