"""Dates as people write them: whole dates, and dates known only to their month.

A roster kept by hand often says 1975.03 for a date whose day nobody recorded. Such a date is a
MonthDate: the first of its month, knowing that its day is unknown. It is stored as that first
day beside a precision of MONTH, shown as 1975-03, and never taken for a day it is not: rules
ask `earliest()` and `latest()` and refuse only what no day of the month could make right.
Pure functions over plain values.
"""

import calendar
import re
import unicodedata
from datetime import date

from django.utils.translation import gettext as _

DAY, MONTH = "day", "month"


class MonthDate(date):
    """A date known to its month only; as a date, the first of that month."""

    __slots__ = ()

    def __new__(cls, year: int, month: int, day: int = 1):
        return super().__new__(cls, year, month, 1)

    def __repr__(self) -> str:
        return f"MonthDate({self.year}, {self.month})"

    def __reduce__(self):
        return MonthDate, (self.year, self.month)


def precision(value: date | None) -> str:
    return MONTH if isinstance(value, MonthDate) else DAY


def known(value: date | None, precision_: str) -> date | None:
    """A stored date and its precision as the date a person knows (a MonthDate or a date)."""
    if value is None or precision_ != MONTH:
        return value
    return MonthDate(value.year, value.month)


def plain(value: date | None) -> date | None:
    """The date to store: a MonthDate as the first of its month (its precision goes beside it)."""
    if value is None or value.__class__ is date:
        return value
    return date(value.year, value.month, value.day)


def earliest(value: date) -> date:
    return plain(value)  # type: ignore[return-value]


def latest(value: date) -> date:
    """The last day the date may be: a MonthDate's last day of the month."""
    if isinstance(value, MonthDate):
        return date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])
    return value


def shown(value: date | None) -> str:
    """1975-03-12, or 1975-03 for a date known to its month."""
    if value is None:
        return ""
    if isinstance(value, MonthDate):
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


_SEP = r"\s*[-/.年]\s*"
_WHOLE = (
    re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_ONLY = (
    re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*(?:月份?)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
_TIME_OF_DAY = re.compile(r"[T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


class DateTextError(ValueError):
    """Text that is not a date, with the reason in Chinese."""


def parse_text(text: str) -> date | None:
    """A date written as text: 2021-07-01, 2021/7/1, 2021.7.1, 2021年7月1日, 20210701 (a time of
    day after it is ignored), or a month: 2021.07, 2021-7, 2021年7月, 202107 (a MonthDate).
    None for empty text; DateTextError for anything else."""
    text = text.strip()
    if not text:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # full-width digits and signs
    text = _TIME_OF_DAY.sub("", text).rstrip(".").strip()
    for pattern in _WHOLE:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise DateTextError(_("“%(value)s”不是存在的日期。") % {"value": text}) from None
    for pattern in _MONTH_ONLY:
        match = pattern.match(text)
        if match:
            year, month = (int(part) for part in match.groups())
            if not 1 <= month <= 12 or year < 1:
                raise DateTextError(_("“%(value)s”不是存在的年月。") % {"value": text})
            return MonthDate(year, month)
    if re.fullmatch(r"\d{4}\s*年?", text):
        raise DateTextError(_("只写了年份，请至少写到月，如 2021.07 或 2021-07-01。"))
    raise DateTextError(_("日期格式不正确，应为 2021-07-01 这样的日期。"))
