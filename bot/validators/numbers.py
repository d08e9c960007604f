"""Numbers as residents type or speak them, turned into plain ASCII digits.

Elderly residents type "138 1234 5678", "0553-1234567" or full-width "１３８…", and
voice input arrives as Chinese digits ("幺三八…", the table in
:mod:`bot.validators.chinese_digits`). Every ID and phone check starts here, and so does
the masking of logs and replies (bot/personal/masking.py), so all of these spellings are the
same number everywhere.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.validators.chinese_digits import CHINESE_DIGITS

# An X ending a digit run is an ID check digit; voice input may spell it 叉.
_TRAILING_X = re.compile(r"(?<=[0-9])[xX叉](?![0-9A-Za-z])")
_AREA_CODE = re.compile(r"0(?:10|2[0-9]|[3-9][0-9]{2})")


def _is_separator(ch: str) -> bool:
    """Spaces, hyphens, dots, brackets, commas, "+" and any other punctuation."""
    return ch.isspace() or ch == "+" or unicodedata.category(ch).startswith("P")


@lru_cache(maxsize=4096)
def char_parts(ch: str) -> tuple[tuple[str, str], ...]:
    """What one typed character stands for, as (kind, value) pairs.

    The character is NFKC-normalised first ("１" -> "1", "⑩" -> "10", "（" -> "("), then
    each resulting character is a ``"digit"`` (0-9, other scripts' digits), a ``"han"``
    digit (value 0-9), a ``"sep"`` (value "") or ``"other"`` (the character itself). The
    parsers (:func:`to_digits`) and the masker (:func:`digit_runs`) both read text through
    this one function, so a spelling the parsers accept is one the masker recognises.
    """
    parts = []
    for c in unicodedata.normalize("NFKC", ch):
        if c in CHINESE_DIGITS:
            parts.append(("han", CHINESE_DIGITS[c]))
        elif unicodedata.category(c) == "Nd":
            parts.append(("digit", str(unicodedata.decimal(c))))
        elif _is_separator(c):
            parts.append(("sep", ""))
        else:
            parts.append(("other", c))
    return tuple(parts)


def char_kind(ch: str) -> str:
    """``"digit"``/``"han"`` (it stands for digits and separators only), ``"sep"``, or ``"other"``."""
    kinds = {kind for kind, _ in char_parts(ch)}
    if kinds == {"sep"}:
        return "sep"
    if kinds and kinds <= {"digit", "han", "sep"}:  # "⒈" is "1." : a digit
        return "han" if "han" in kinds else "digit"
    return "other"


@dataclass(frozen=True)
class DigitRun:
    """Consecutive characters that are all digits of one kind: ASCII/full-width/other-script
    digits (``script="digit"``) or Chinese digits (``"han"``). ``digits`` is ASCII."""

    start: int
    end: int
    digits: str
    script: str


def digit_runs(text: str) -> list[DigitRun]:
    """Every run of digit characters in ``text``, with its span, in order.

    "我叫一号，电话１３８-1234" gives runs for "一", "１３８" and "1234"; a switch between
    Chinese and other digits starts a new run ("第一13812345678": "一", "13812345678"),
    so a number right after a word ending in 一 is still found on its own.
    """
    runs: list[DigitRun] = []
    for index, ch in enumerate(text):
        kind = char_kind(ch)
        if kind not in ("digit", "han"):
            continue
        value = "".join(v for k, v in char_parts(ch) if k in ("digit", "han"))
        last = runs[-1] if runs else None
        if last is not None and last.end == index and last.script == kind:
            runs[-1] = DigitRun(last.start, index + 1, last.digits + value, kind)
        else:
            runs.append(DigitRun(index, index + 1, value, kind))
    return runs


def to_digits(text: str) -> str:
    """Return ``text`` with every digit as ASCII and every separator removed.

    Full-width and other-script digits and Chinese digits become 0-9; an x/X (or 叉)
    ending a run of digits becomes "X". Anything else (letters, Chinese words such as
    "我的手机号是") is kept as it is, so the caller can tell the resident what is wrong
    instead of silently dropping it.
    """
    if not text:
        return ""
    out = [value for ch in text for kind, value in char_parts(ch) if kind != "sep"]
    return _TRAILING_X.sub("X", "".join(out))


def number_core(digits: str, *, allow_x: bool = False) -> str:
    """The number inside a :func:`to_digits` result, without words around it.

    "我的手机号是13812345678" gives "13812345678"; words in the *middle* are kept so
    the caller reports them. ``allow_x`` keeps a final "X" (ID numbers).
    """
    tail = "0-9X" if allow_x else "0-9"
    match = re.search(rf"[0-9].*[{tail}]|[0-9]", digits)
    return match.group(0) if match else ""


def split_area_code(digits: str) -> tuple[str, str] | None:
    """Split a landline into (area code, local number), or None if it has no valid area code.

    Mainland area codes are 010 and 020-029 (three digits) or 0 plus three digits for
    everywhere else (Wuhu is 0553).
    """
    match = _AREA_CODE.match(digits)
    if not match:
        return None
    return match.group(0), digits[match.end():]
