"""Resident ID numbers (居民身份证号码, GB 11643-1999).

18 characters: 6-digit address code, 8-digit birth date, 3-digit sequence (odd = male), and an
ISO 7064 MOD 11-2 check character (0-9 or X).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_noop

from core.deferred import DeferredText as T

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# Province-level prefixes of GB/T 2260 (mainland 11-65, plus 71 Taiwan, 81 Hong Kong, 82 Macao).
PROVINCE_PREFIXES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
}
EARLIEST_BIRTH = datetime.date(1890, 1, 1)


class InvalidIdNumber(ValueError):
    pass


@dataclass(frozen=True)
class IdNumber:
    number: str  # normalised: upper-case X
    birth_date: datetime.date
    sex: str  # "M" or "F"


def check_character(first17: str) -> str:
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse_id_number(value: str, *, today: datetime.date | None = None) -> IdNumber:
    """Validate and decode; raises InvalidIdNumber with a message saying what is wrong."""
    number = (value or "").strip().upper()
    if len(number) != 18:
        raise InvalidIdNumber(
            T(gettext_noop("an ID number has 18 characters (this one has %(n)s)"), n=len(number))
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(T(gettext_noop("an ID number is 17 digits followed by a digit or X")))
    if number[:2] not in PROVINCE_PREFIXES:
        raise InvalidIdNumber(
            T(
                gettext_noop("the address code %(code)s is not a Chinese province"),
                code=number[:6],
            )
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(
            T(gettext_noop("the birth date %(date)s does not exist"), date=number[6:14])
        ) from None
    if not EARLIEST_BIRTH <= birth <= (today or timezone.localdate()):
        raise InvalidIdNumber(
            T(gettext_noop("the birth date %(date)s is not plausible"), date=birth.isoformat())
        )
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(
            T(
                gettext_noop(
                    "the check character is %(given)s but should be %(expected)s (mistyped digit?)"
                ),
                given=number[17],
                expected=expected,
            )
        )
    return IdNumber(number=number, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def make_id_number(address_code: str, birth: datetime.date, sequence: int) -> str:
    """A structurally valid number (for demo data and tests)."""
    first17 = f"{address_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
