"""Understanding a numbered choice the way residents type or say it.

"1", "１", "一", "第一个", "1号", "选2", "就第三个吧" all pick an option; so does the
option's own text ("镜湖区", "社会保障卡申领").
"""
from __future__ import annotations

import re
from typing import Optional, Sequence

from bot.text import normalize

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUMBER_RE = re.compile(
    r"^(?:我|就)?(?:选|要|是)?(?:选)?第?"
    r"([0-9]{1,2}|十[一二三四五六七八九]?|[零〇一幺二两三四五六七八九十])"
    r"(?:个|号|项|条)?(?:吧|啦|了|的)?[,.?]?$"
)


def _to_int(token: str) -> Optional[int]:
    if token.isdigit():
        return int(token)
    if token.startswith("十"):
        return 10 + (_CN_DIGITS.get(token[1:], 0) if len(token) > 1 else 0)
    return _CN_DIGITS.get(token)


def parse_number(text: str) -> Optional[int]:
    """The option number a short reply names, or None. Long sentences are not choices."""
    text = normalize(text)
    if not text or len(text) > 12:
        return None
    match = _NUMBER_RE.search(text)
    return _to_int(match.group(1)) if match else None


def pick_option(text: str, options: Sequence[str]) -> Optional[int]:
    """Zero-based index of the option a reply picks (by number or by its text), or None."""
    number = parse_number(text)
    if number is not None:
        return number - 1 if 1 <= number <= len(options) else None
    clean = normalize(text)
    if not clean:
        return None
    for index, option in enumerate(options):
        if clean == option or option in clean:
            return index
    # A short reply naming part of one option ("邮寄" for "邮寄到家"), if only one fits.
    partial = [i for i, option in enumerate(options) if len(clean) >= 2 and clean in option]
    return partial[0] if len(partial) == 1 else None


def numbered(options: Sequence[str]) -> str:
    """'1. 甲\n2. 乙' for a message body."""
    return "\n".join(f"{i}. {option}" for i, option in enumerate(options, start=1))


def buttons(options: Sequence[str]) -> list:
    """Rasa buttons whose payload is the number, so tapping equals typing the number."""
    return [{"title": f"{i}. {option}", "payload": str(i)} for i, option in enumerate(options, start=1)]
