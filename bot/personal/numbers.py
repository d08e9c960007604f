"""Numbers as residents type or speak them, turned into plain ASCII digits.

Elderly residents type "138 1234 5678", "0553-1234567" or full-width "１３８…", and
voice input arrives as Chinese digits ("幺三八…"). Every ID and phone check starts here
so all of these spellings are the same number.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

#: Chinese digits as they appear in voice transcripts; 幺 and 洞 are the radio/phone
#: readings of 1 and 0, 两 is the spoken 2.
CHINESE_DIGITS = {
    "零": "0", "〇": "0", "洞": "0",
    "一": "1", "幺": "1",
    "二": "2", "两": "2", "兩": "2",
    "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}
# An X ending a digit run is an ID check digit; voice input may spell it 叉.
_TRAILING_X = re.compile(r"(?<=[0-9])[xX叉](?![0-9A-Za-z])")
_AREA_CODE = re.compile(r"0(?:10|2[0-9]|[3-9][0-9]{2})")


def _is_separator(ch: str) -> bool:
    """Spaces, hyphens, dots, brackets, commas, "+" and any other punctuation."""
    return ch.isspace() or ch == "+" or unicodedata.category(ch).startswith("P")


def to_digits(text: str) -> str:
    """Return ``text`` with every digit as ASCII and every separator removed.

    Full-width and other-script digits and Chinese digits become 0-9; an x/X (or 叉)
    ending a run of digits becomes "X". Anything else (letters, Chinese words such as
    "我的手机号是") is kept as it is, so the caller can tell the resident what is wrong
    instead of silently dropping it.
    """
    if not text:
        return ""
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        if ch in CHINESE_DIGITS:
            out.append(CHINESE_DIGITS[ch])
        elif unicodedata.category(ch) == "Nd":
            out.append(str(unicodedata.decimal(ch)))
        elif not _is_separator(ch):
            out.append(ch)
    return _TRAILING_X.sub("X", "".join(out))


def number_core(digits: str, *, allow_x: bool = False) -> str:
    """The number inside a :func:`to_digits` result, without words around it.

    "我的手机号是13812345678" gives "13812345678"; words in the *middle* are kept so
    the caller reports them. ``allow_x`` keeps a final "X" (ID numbers).
    """
    tail = "0-9X" if allow_x else "0-9"
    match = re.search(rf"[0-9].*[{tail}]|[0-9]", digits)
    return match.group(0) if match else ""


def split_area_code(digits: str) -> Optional[tuple[str, str]]:
    """Split a landline into (area code, local number), or None if it has no valid area code.

    Mainland area codes are 010 and 020-029 (three digits) or 0 plus three digits for
    everywhere else (Wuhu is 0553).
    """
    match = _AREA_CODE.match(digits)
    if not match:
        return None
    return match.group(0), digits[match.end():]
