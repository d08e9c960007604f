"""The 18-digit resident ID number (GB 11643-1999), checked the way a counter clerk would.

A wrong number gets a specific explanation (too short, a letter in the middle, an
impossible birth date, a mistyped digit) so the resident knows what to fix
(:func:`parse_id_number`, what the flows ask with). The services that store an ID number
check its shape once more with :func:`stored_id_number`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from bot.personal.masking import mask_id
from bot.validators.numbers import number_core, to_digits
from bot.validators.refusal import Refused

ID_LENGTH = 18
EARLIEST_BIRTH = date(1900, 1, 1)
# ISO 7064 MOD 11-2: weight of position i is 2**(17-i) mod 11; remainder -> check character.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_DIGITS_THEN_X = re.compile(r"[0-9]+X?")
_STORED_SHAPE = re.compile(r"\d{17}[\dX]")
_STORED_SEPARATORS = re.compile(r"[\s\-]+")
#: The first two digits: a province-level code of GB/T 2260 (11 北京 … 65 新疆, 71 台湾,
#: 81 香港, 82 澳门), or 83 (Taiwan residents' residence permits, which use this format).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83",
})

_ASK_AGAIN = "请对照身份证核对后重新输入。"


class InvalidIdNumber(Refused):
    """Why an ID number was refused."""


@dataclass(frozen=True, repr=False)
class IdNumber:
    """A checked ID number; ``value`` is 18 characters, upper-case X."""

    value: str
    birth_date: date
    is_male: bool

    @property
    def masked(self) -> str:
        return mask_id(self.value)

    def __repr__(self) -> str:  # never print the full number by accident
        return f"IdNumber({self.masked!r})"

    __str__ = __repr__


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _birth_date(value: str, today: date) -> date:
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber(
            "bad_birth_date",
            "身份证号的第7到14位是出生日期（年月日），您输入的这几位不是一个真实的日期，" + _ASK_AGAIN,
        ) from None
    if born < EARLIEST_BIRTH:
        raise InvalidIdNumber(
            "bad_birth_date",
            "身份证号的第7到14位是出生日期（年月日），您输入的年份早于1900年，" + _ASK_AGAIN,
        )
    if born > today:
        raise InvalidIdNumber(
            "future_birth_date",
            "身份证号的第7到14位是出生日期（年月日），您输入的日期比今天还晚，" + _ASK_AGAIN,
        )
    return born


def parse_id_number(text: str, *, today: date) -> IdNumber:
    """Read an ID number as typed or spoken, or raise :class:`InvalidIdNumber`.

    ``today`` is the day of application (birth dates after it are refused); callers
    pass it so results do not depend on the clock.
    """
    value = number_core(to_digits(text), allow_x=True)
    if not value:
        raise InvalidIdNumber("bad_characters", "没有看到身份证号码，请输入身份证上的18位号码。")
    if not _DIGITS_THEN_X.fullmatch(value):
        if re.fullmatch(r"[0-9X]+", value):
            message = "身份证号前面17位都是数字，只有最后一位可能是字母X，" + _ASK_AGAIN
        else:
            message = "身份证号只能是数字（最后一位可能是字母X），请只输入这18位号码，不要夹带其他文字。"
        raise InvalidIdNumber("bad_characters", message)
    if len(value) != ID_LENGTH:
        if len(value) == 15 and value.isdigit():
            message = "您输入的是15位的老身份证号，现在需要18位的身份证号，请看一下您现在身份证上的号码后重新输入。"
        else:
            message = f"身份证号应为18位，您输入了{len(value)}位，请核对后重新输入。"
        raise InvalidIdNumber("wrong_length", message)
    if value[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber(
            "bad_province",
            f"身份证号的前两位是省份代码，“{value[:2]}”不是任何一个省份的代码，" + _ASK_AGAIN,
        )
    born = _birth_date(value, today)
    if check_digit(value[:17]) != value[17]:
        raise InvalidIdNumber(
            "bad_checksum",
            "这个身份证号对不上，可能有一位数字输错了，或者两位数字前后颠倒了。请对照身份证逐位核对后重新输入。",
        )
    return IdNumber(value=value, birth_date=born, is_male=int(value[16]) % 2 == 1)


def age_on(birth_date: date, day: date) -> int:
    """Age in full years (周岁) on ``day``.

    Someone born on 29 February turns a year older on 1 March in common years.
    """
    if day < birth_date:
        raise ValueError("day is before the birth date")
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def stored_id_number(value: str) -> str | None:
    """An ID number as a service stores it: half-width, no spaces or hyphens, X upper case;
    None unless that is 17 digits and a digit or X.

    A safety net for the services (bot/applications), not a check of what a resident
    typed: that is :func:`parse_id_number`, which also checks the region, birth date and
    check digit.
    """
    cleaned = _STORED_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value))).upper()
    return cleaned if _STORED_SHAPE.fullmatch(cleaned) else None
