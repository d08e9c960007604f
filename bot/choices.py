"""Understanding a numbered choice the way residents type or say it.

"1", "１", "一", "两", "第一个", "1号", "二号", "选2", "选二", "就第三个吧" all pick an option;
so does the option's own text ("镜湖区", "社会保障卡申领"), part of it ("邮寄"), or one of
its aliases: meaning words ("丢了" for 丢失) and other names (芜湖县 for 湾沚区). The same
matcher serves the numbered questions inside guided flows and outside them.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from bot.text import normalize
from bot.validators.chinese_digits import small_number

_NUMBER_RE = re.compile(
    r"^(?:我|就)?(?:选|要|是)?(?:选)?第?"
    r"([0-9]{1,2}|十[一二三四五六七八九]?|[零〇一幺二两三四五六七八九十])"
    r"(?:个|号|项|条)?(?:吧|啦|了|的)?[,.?]?$"
)


def parse_number(text: str) -> int | None:
    """The option number a short reply names, or None. Long sentences are not choices."""
    text = normalize(text)
    if not text or len(text) > 12:
        return None
    match = _NUMBER_RE.search(text)
    return small_number(match.group(1)) if match else None


def _forms(option: str, aliases: Sequence[str]) -> list[str]:
    """The option's label, the parts of it between brackets ("丢失（需要挂失）"), and its aliases."""
    label = normalize(option)
    parts = [p for p in label.split(",") if p] if "," in label else []
    return [label, *parts, *(normalize(a) for a in aliases)]


def _mentions(text: str, word: str) -> bool:
    """`word` occurs in `text`, not right after a negation ("不要邮寄" does not pick 邮寄)."""
    start = text.find(word)
    while start >= 0:
        if start == 0 or text[start - 1] not in "不没别非":
            return True
        start = text.find(word, start + 1)
    return False


def _only(indexes: set) -> int | None:
    return next(iter(indexes)) if len(indexes) == 1 else None


def pick_option(text: str, options: Sequence[str],
                aliases: Sequence[Sequence[str]] | None = None) -> int | None:
    """Zero-based index of the option a reply picks, or None.

    In order: a number; the whole reply being an option's label or alias; the longest
    label or alias the reply mentions (one-character aliases such as "好" only count as
    the whole reply); a short reply that is part of exactly one option ("邮寄").
    """
    number = parse_number(text)
    if number is not None:
        return number - 1 if 1 <= number <= len(options) else None
    clean = normalize(text)
    if not clean:
        return None
    words: list[tuple[str, int]] = [
        (form, index) for index, option in enumerate(options)
        for form in _forms(option, aliases[index] if aliases and index < len(aliases) else ())
        if form]
    exact = _only({index for form, index in words if form == clean})
    if exact is not None:
        return exact
    mentioned = [(len(form), index) for form, index in words if len(form) >= 2 and _mentions(clean, form)]
    if mentioned:
        longest = max(length for length, _ in mentioned)
        return _only({index for length, index in mentioned if length == longest})
    return _only({index for form, index in words if len(clean) >= 2 and clean in form})


def numbered(options: Sequence[str]) -> str:
    """'1. 甲\n2. 乙' for a message body."""
    return "\n".join(f"{i}. {option}" for i, option in enumerate(options, start=1))


def buttons(options: Sequence[str]) -> list:
    """Rasa buttons whose payload is the number, so tapping equals typing the number."""
    return [{"title": f"{i}. {option}", "payload": str(i)} for i, option in enumerate(options, start=1)]
