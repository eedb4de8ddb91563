"""GB 11643 resident ID numbers: structure, birth date, check character."""

import datetime

import pytest

from visits.idcard import InvalidIdNumber, check_character, parse_id_number
from visits.personal_data import mask_id_number

TODAY = datetime.date(2026, 11, 1)


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("11010519491231002X", datetime.date(1949, 12, 31), "F"),  # the standard's own example
        ("11010519491231002x", datetime.date(1949, 12, 31), "F"),  # lower-case x accepted
        ("222404194003050133", datetime.date(1940, 3, 5), "M"),
        ("22010219400229002X", datetime.date(1940, 2, 29), "F"),  # a leap day
    ],
)
def test_valid_numbers_are_decoded(number, birth, sex):
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.birth_date == birth and parsed.sex == sex
    assert parsed.number == number.strip().upper()
    assert parsed.number[-1] == check_character(parsed.number[:17])


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("11010519491231002", "18"),  # 17 characters
        ("11010519491231002XX", "18"),
        ("1101051949123100AX", "17"),  # a letter in the digits
        ("11010519491231002Y", "17"),  # a check character that is neither digit nor X
        ("99010519491231002X", "99"),  # no such province
        ("110105194902310020", "19490231"),  # 31 February
        ("110105203001010010", "2030"),  # born in the future
        ("110105194912310021", "X"),  # wrong check character (should be X)
        ("11010519491231002 ", "18"),
    ],
)
def test_invalid_numbers_say_why(number, reason):
    with pytest.raises(InvalidIdNumber) as error:
        parse_id_number(number, today=TODAY)
    assert reason in str(error.value)


def test_a_mistyped_digit_is_caught_by_the_check_character():
    valid = "222404194003050133"
    for position in range(17):
        digit = str((int(valid[position]) + 1) % 10)
        typo = valid[:position] + digit + valid[position + 1 :]
        with pytest.raises(InvalidIdNumber):
            parse_id_number(typo, today=TODAY)


def test_masking_shows_the_address_code_and_the_check_character_only():
    # The old mask (first 6, last 4) left the birth digits as the only hidden part: with the
    # birth date shown beside it, it rebuilt the number (issue 9).
    assert mask_id_number("11010519491231002X") == "110105***********X"
