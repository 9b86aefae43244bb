"""Identity numbers, phones, masking and ages: pure functions over plain values."""

import re
import unicodedata
from datetime import date
from functools import lru_cache

from django.utils.translation import gettext as _

from shuzhi.core.dates import MonthDate, latest, shown

# GB 11643-1999: 17 digits weighted, the 18th is the check character. The weights are
# 2**17 … 2**1 modulo 11, and 13 is 2 modulo 11: the weighted sum is, modulo 11, twice the 17
# digits read as a number in base 13, which int() works out in C (a roster checks 290,000).
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII digits: \d would take other scripts' digits
_ASCII_DIGITS = re.compile(r"^[0-9]{17}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_id_number(raw: str) -> str:
    """As typed, less spaces of any width, full-width digits made plain, x as X."""
    if not raw.isascii():
        raw = unicodedata.normalize("NFKC", raw)
    return "".join(raw.split()).upper()


def normalise_name(raw: str) -> str:
    """A name without the spaces people put inside to line names up: 王　芳 and 王 芳 are 王芳."""
    return "".join(raw.split())


def id_check_character(first17: str) -> str:
    if not _ASCII_DIGITS.match(first17):
        raise ValueError(f"not 17 digits: {first17!r}")
    return _CHECK[2 * int(first17, 13) % 11]


def birth_date_from_id(id_number: str) -> date | None:
    return _date_of(id_number[6:14])


@lru_cache(maxsize=1 << 16)
def _date_of(digits: str) -> date | None:
    """YYYYMMDD → date; a roster repeats a few tens of thousands of birth dates."""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def gender_from_id(id_number: str) -> str:
    """'M' or 'F': the 17th digit is odd for men."""
    return "M" if int(id_number[16]) % 2 else "F"


def id_number_problem(id_number: str) -> str | None:
    """Why this (normalised) number is not a valid resident identity number, or None."""
    if not _ID_SHAPE.match(id_number):
        return _("身份证号应为18位，前17位是数字，最后一位是数字或X。")
    if _date_of(id_number[6:14]) is None:
        return _("身份证号中的出生日期（第7–14位）不是有效日期。")
    if _CHECK[2 * int(id_number[:17], 13) % 11] != id_number[17]:  # id_check_character, shape known
        return _("身份证号校验位不正确，请核对是否有录入错误。")
    return None


def normalise_phone(raw: str) -> str:
    """Spaces, brackets and full-width digits out; +86 off; a mobile number's dashes out
    (138-1234-5678). A landline keeps the dash after its area code."""
    if not raw.isascii():
        raw = unicodedata.normalize("NFKC", raw)
    phone = re.sub(r"[\s()]", "", raw)
    phone = re.sub(r"^(\+?86-?)(?=1\d{10}$|1\d{2}-)", "", phone)
    digits = phone.replace("-", "")
    return digits if _MOBILE.match(digits) else phone


def phone_problem(phone: str) -> str | None:
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return None
    return _("联系电话应为11位手机号或带区号的固定电话（如 0516-12345678）。")


def phone_lookup_form(phone: str) -> str:
    """The form a phone is hashed in, so that 0516-1234567 and 05161234567 match."""
    return phone.replace("-", "")


def mask_id_number(id_number: str) -> str:
    if len(id_number) < 8:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def mask_phone(phone: str) -> str:
    digits = phone_lookup_form(phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def birth_range_for_ages(
    today: date, min_age: int | None, max_age: int | None
) -> tuple[date | None, date | None]:
    """Birth dates (earliest, latest) of people whose age today is within [min_age, max_age]."""
    latest = _years_before(today, min_age) if min_age is not None else None
    earliest = None
    if max_age is not None:
        earliest = date.fromordinal(_years_before(today, max_age + 1).toordinal() + 1)
    return earliest, latest


def member_problems(
    *,
    id_number: str,
    birth_date: date | None,
    gender: str,
    phone: str,
    joined_on: date | None,
    full_member_on: date | None,
    probationary: bool,
    today: date,
) -> dict[str, str]:
    """Every rule about one member's fields together, field → reason; empty when all hold.

    A date known only to its month (a MonthDate) is refused only when no day of that month
    could satisfy the rule: joined in the month one turned 18 is accepted."""
    errors: dict[str, str] = {}
    problem = id_number_problem(id_number)
    if problem:
        errors["id_number"] = problem
    elif birth_date and not _same_day(birth_date, from_id := _date_of(id_number[6:14])):
        errors["birth_date"] = _(
            "出生日期与身份证号不符：身份证号中的出生日期是 %(date)s。身份证号校验无误，请改正出生日期（也可不填，按身份证号确定）。"
        ) % {"date": shown(from_id)}
    elif gender and ("M" if id_number[16] in "13579" else "F") != gender:  # gender_from_id, digits known
        expected = _("男") if gender_from_id(id_number) == "M" else _("女")
        errors["gender"] = _(
            "性别与身份证号不符：身份证号第17位表示%(expected)s性。身份证号校验无误，请改正性别（也可不填，按身份证号确定）。"
        ) % {"expected": expected}
    if phone and not _MOBILE.match(phone):  # the usual phone, without phone_problem's call
        bad_phone = phone_problem(phone)
        if bad_phone:
            errors["phone"] = bad_phone
    if birth_date and birth_date > today:
        errors["birth_date"] = _("出生日期不能晚于今天。")
    if joined_on:
        if joined_on > today:
            errors["joined_on"] = _("入党日期不能晚于今天。")
        elif (
            birth_date
            and age_on(birth_date, joined_on if joined_on.__class__ is date else latest(joined_on)) < 18
        ):
            errors["joined_on"] = _("入党时应年满十八岁，请核对入党日期和出生日期。")
    if full_member_on:
        if probationary:
            errors["full_member_on"] = _("预备党员尚未转正，不应填写转正日期。")
        elif (
            joined_on
            and (full_member_on if full_member_on.__class__ is date else latest(full_member_on)) <= joined_on
        ):
            errors["full_member_on"] = _("转正日期应晚于入党日期。")
        elif full_member_on > today:
            errors["full_member_on"] = _("转正日期不能晚于今天。")
    return errors


def _same_day(given: date, from_id: date | None) -> bool:
    """Whether a birth date as written agrees with the ID number's (to the month, for a MonthDate)."""
    if given.__class__ is date:
        return from_id is None or given == from_id
    if from_id is None:
        return True
    if isinstance(given, MonthDate):
        return (given.year, given.month) == (from_id.year, from_id.month)
    return given == from_id
