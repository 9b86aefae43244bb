"""Identity numbers, masking and ages, property-tested over generated values."""

from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shuzhi.members.rules import (
    age_on,
    birth_date_from_id,
    birth_range_for_ages,
    gender_from_id,
    id_check_character,
    id_number_problem,
    mask_id_number,
    mask_phone,
    normalise_id_number,
    phone_problem,
)


@st.composite
def id_numbers(draw):
    region = draw(st.integers(0, 999_999))
    birth = draw(st.dates(date(1900, 1, 1), date(2099, 12, 31)))
    serial = draw(st.integers(0, 999))
    first17 = f"{region:06d}{birth:%Y%m%d}{serial:03d}"
    return first17 + id_check_character(first17), birth, serial


leap_days = st.sampled_from(range(1904, 2100, 4)).map(lambda year: date(year, 2, 29))
around_leap_days = st.tuples(leap_days, st.integers(-2, 2)).map(
    lambda pair: pair[0] + timedelta(days=pair[1])
)
days = st.one_of(st.dates(date(1900, 1, 1), date(2099, 12, 31)), leap_days, around_leap_days)
ages = st.one_of(st.none(), st.integers(0, 130))


def test_a_known_number_is_valid_and_says_who_it_is():
    # 1·7 + 1·9 + 0 + 1·5 + 0 + 1·4 + 1·2 + 9·1 + 9·6 + 0 + 0 + 3·9 + 0 + 7·5 + 1·8 + 2·4 + 3·2 = 174;
    # 174 mod 11 = 9, and the 10th of "10X98765432" is 3
    assert id_check_character("11010119900307123") == "3"
    assert id_number_problem("110101199003071233") is None
    assert birth_date_from_id("110101199003071233") == date(1990, 3, 7)
    assert gender_from_id("110101199003071233") == "M"
    # 152 + 0·8 + 1·4 + 0·2 = 156; 156 mod 11 = 2, which is X
    assert id_number_problem("11010119900307010X") is None
    assert gender_from_id("11010119900307010X") == "F"


@given(id_numbers())
def test_any_number_with_its_check_character_is_valid(generated):
    number, birth, serial = generated

    assert id_number_problem(number) is None
    assert birth_date_from_id(number) == birth
    assert gender_from_id(number) == ("M" if serial % 2 else "F")


@given(id_numbers(), st.integers(0, 16), st.integers(1, 9))
def test_changing_any_one_of_the_first_17_digits_makes_it_invalid(generated, position, step):
    number, _birth, _serial = generated
    digit = (int(number[position]) + step) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]

    assert id_number_problem(changed) is not None


@given(id_numbers(), st.sampled_from("0123456789X"))
def test_any_other_check_character_makes_it_invalid(generated, check):
    number, _birth, _serial = generated
    if check == number[17]:
        return

    assert id_number_problem(number[:17] + check) == "身份证号校验位不正确，请核对是否有录入错误。"


@pytest.mark.parametrize(
    "number", ["11010119900307123", "1101011990030712333", "11010119900307123x", "1101011990030712A3", ""]
)
def test_a_number_of_the_wrong_shape_is_refused(number):
    assert id_number_problem(number) == "身份证号应为18位，前17位是数字，最后一位是数字或X。"


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@given(st.text("0123456789", min_size=17, max_size=17))
def test_the_check_character_is_the_weighted_sum_of_the_standard(first17):
    # GB 11643-1999 as written, digit by digit, against the shortcut the rules take
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))

    assert id_check_character(first17) == "10X98765432"[total % 11]


def test_digits_of_other_scripts_are_not_an_id_number():
    # Arabic-Indic digits are digits to Python (and to \d), not to the standard
    number = "110101199003071233".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    assert id_number_problem(number) == "身份证号应为18位，前17位是数字，最后一位是数字或X。"
    with pytest.raises(ValueError):
        id_check_character(number[:17])


def test_a_number_is_compared_in_one_spelling():
    assert normalise_id_number(" 110101 19900307010x ") == "11010119900307010X"


@given(today=days, birth=days, low=ages, high=ages)
@example(today=date(2025, 3, 1), birth=date(1984, 2, 29), low=41, high=41)
@example(today=date(2025, 2, 28), birth=date(1984, 2, 29), low=40, high=40)
@example(today=date(2024, 2, 29), birth=date(1984, 2, 29), low=40, high=40)
@example(today=date(2024, 2, 29), birth=date(2023, 3, 1), low=None, high=0)
@example(today=date(2025, 2, 28), birth=date(2024, 2, 29), low=0, high=0)
def test_the_birth_range_holds_exactly_the_births_of_the_ages_asked_for(today, birth, low, high):
    earliest, latest = birth_range_for_ages(today, low, high)
    inside = (earliest is None or birth >= earliest) and (latest is None or birth <= latest)

    age = age_on(birth, today)
    assert inside == ((low is None or age >= low) and (high is None or age <= high))


def test_someone_born_on_29_february_gains_a_year_on_1_march_in_other_years():
    born = date(2000, 2, 29)

    assert [age_on(born, day) for day in (date(2001, 2, 28), date(2001, 3, 1), date(2004, 2, 29))] == [
        0,
        1,
        4,
    ]


@given(id_numbers())
def test_a_masked_number_keeps_only_its_first_three_and_last_four(generated):
    number, _birth, _serial = generated

    masked = mask_id_number(number)

    assert masked == number[:3] + "*" * 11 + number[-4:]


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_a_masked_mobile_keeps_only_its_first_three_and_last_four(phone):
    assert phone_problem(phone) is None
    assert mask_phone(phone) == phone[:3] + "****" + phone[-4:]


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("110101199003071233", "110***********1233"),
        ("1234567", "*******"),  # too short to show any of it
        ("", ""),
    ],
)
def test_masking_an_id_number(raw, masked):
    assert mask_id_number(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0516-12345678", "051*****5678"),  # the area code's hyphen does not count
        ("123456", "******"),
    ],
)
def test_masking_a_phone(raw, masked):
    assert mask_phone(raw) == masked
