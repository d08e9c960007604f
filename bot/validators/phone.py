"""Contact phone numbers: a mainland mobile, or a landline with its area code.

Residents give numbers with spaces, hyphens, a +86 prefix or by voice; a number we
cannot call back gets a specific explanation instead of a generic "format error"
(:func:`parse_phone`, what the flows ask with). The services that store a phone check
it once more with :func:`is_storable_phone`, a looser rule for values that a caller
should already have parsed.

Reason codes: ``bad_characters`` (no number, or words/letters inside it), ``bad_mobile``
(starts with 1 but wrong length or prefix), ``bad_landline`` (starts with 0 but wrong
area code or length), ``missing_area_code`` (a 7-8 digit local number), ``not_a_phone``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from bot.personal.masking import mask_phone
from bot.validators.numbers import number_core, split_area_code, to_digits
from bot.validators.refusal import Refused

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_START = re.compile(r"1[3-9]")
_LANDLINE_EXAMPLE = "例如芜湖的座机写成 0553-1234567"
#: How many digits a phone handed to a service may have (7 to 13).
STORED_DIGITS = range(7, 14)


class InvalidPhone(Refused):
    """Why a phone number was refused."""


@dataclass(frozen=True, repr=False)
class Phone:
    """A checked number: ``value`` is digits only (a landline keeps its area code)."""

    value: str
    kind: Literal["mobile", "landline"]

    @property
    def masked(self) -> str:
        return mask_phone(self.value)

    def __repr__(self) -> str:  # never print the full number by accident
        return f"Phone({self.masked!r}, kind={self.kind!r})"

    __str__ = __repr__


def _without_country_code(digits: str) -> str:
    """+86 138…, 86138…, 0086138… are all the mobile 138…."""
    for prefix in ("0086", "86"):
        rest = digits[len(prefix):]
        if digits.startswith(prefix) and len(rest) == 11 and rest.startswith("1"):
            return rest
    return digits


def _mobile(digits: str) -> Phone:
    if len(digits) != 11:
        raise InvalidPhone(
            "bad_mobile", f"手机号应是1开头的11位数字，您输入了{len(digits)}位，请核对后重新输入。"
        )
    if not _MOBILE.fullmatch(digits):
        raise InvalidPhone(
            "bad_mobile", "手机号的前两位应是13到19之间，您输入的号码开头不对，请核对后重新输入。"
        )
    return Phone(value=digits, kind="mobile")


def _landline(digits: str) -> Phone:
    parts = split_area_code(digits)
    if parts is None:
        raise InvalidPhone(
            "bad_landline", f"这个区号不对。座机号码前面要加区号，{_LANDLINE_EXAMPLE}，请核对后重新输入。"
        )
    area, local = parts
    if not 7 <= len(local) <= 8:
        raise InvalidPhone(
            "bad_landline",
            f"座机号码应是区号加7到8位号码，您在区号{area}后面输入了{len(local)}位，"
            f"{_LANDLINE_EXAMPLE}，请核对后重新输入。",
        )
    return Phone(value=digits, kind="landline")


def parse_phone(text: str) -> Phone:
    """Read a phone number as typed or spoken, or raise :class:`InvalidPhone`."""
    converted = to_digits(text)
    digits = number_core(converted)
    if not digits:
        raise InvalidPhone(
            "bad_characters",
            f"没有看到电话号码，请输入11位手机号，或者带区号的座机号码（{_LANDLINE_EXAMPLE}）。",
        )
    if not digits.isdigit():
        raise InvalidPhone(
            "bad_characters",
            "电话号码只能是数字，请只输入号码，不要夹带其他文字（分机号不用填）。",
        )
    digits = _without_country_code(digits)
    if digits.startswith("0"):
        return _landline(digits)
    # "1234567" is more likely a local number without its area code than a broken mobile.
    if digits.startswith("1") and (_MOBILE_START.match(digits) or len(digits) not in (7, 8)):
        return _mobile(digits)
    if len(digits) in (7, 8):
        raise InvalidPhone(
            "missing_area_code", f"座机号码请在前面加上区号，{_LANDLINE_EXAMPLE}。"
        )
    raise InvalidPhone(
        "not_a_phone",
        f"这不像是电话号码：手机号是1开头的11位数字，座机号码要带区号（{_LANDLINE_EXAMPLE}），请核对后重新输入。",
    )


def phone_digits(value: str) -> str:
    """The digits of a phone as stored ("0553-3112233" -> "05533112233"), full-width ones included."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(value)) if ch.isdigit())


def is_storable_phone(value: str) -> bool:
    """Whether a phone a service is asked to store has 7 to 13 digits.

    A safety net for the services (bot/applications, bot/appointments), not a check of what
    a resident typed: that is :func:`parse_phone`, which the flows ask with.
    """
    return len(phone_digits(value)) in STORED_DIGITS
