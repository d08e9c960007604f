"""The export's free text turned into catalogue values: lists, ids, time limits, fees.

Official exports keep lists (conditions, materials, steps) as one cell of text, numbered
or separated in whatever way the department typed them; these rules are the common ways.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from bot.catalogue.schema import IMPORTED_ID_PREFIX

#: Longest id the schema accepts (bot/catalogue/schema.py, Slug).
MAX_ID = 40
_HASH_CHARS = 10

# Item separators: line breaks and semicolons (full- and half-width).
_SEPARATORS = re.compile(r"[\r\n；;]+")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CHINESE_DIGITS = "一二三四五六七八九"
_CHINESE_NUMBER = "(?:[二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"  # 1-99
# An item number: "1." "1、" "1）" "（1）" "①" "一、". Not "1.5" (a decimal).
_MARKER = re.compile(
    r"(?P<arabic>(?<!\d)\d{1,2})\s*[.．、)）](?!\d)"
    r"|[（(]\s*(?P<paren>\d{1,2})\s*[)）]"
    rf"|(?P<circled>[{_CIRCLED}])"
    rf"|(?P<chinese>(?<![{_CHINESE_DIGITS}十]){_CHINESE_NUMBER})、"
)
_TRIM = " \t\u3000。，,；;：:"


def _marker_number(match: re.Match) -> int:
    if match["arabic"] or match["paren"]:
        return int(match["arabic"] or match["paren"])
    if match["circled"]:
        return _CIRCLED.index(match["circled"]) + 1
    digits = match["chinese"]
    if "十" not in digits:
        return _CHINESE_DIGITS.index(digits) + 1
    tens, _, ones = digits.partition("十")  # 十, 十一, 二十, 二十三
    return (_CHINESE_DIGITS.index(tens) + 1 if tens else 1) * 10 + (_CHINESE_DIGITS.index(ones) + 1 if ones else 0)


def _split_numbered(piece: str) -> list[str]:
    """Split at item numbers that count up from the piece's first one (1. … 2. … 3. …).

    Counting up is what tells "1.身份证2.户口簿" (two items) from "需提供第2、3页" (one): a
    number only starts an item when it is the next one, and the first only at the start
    or after a lead-in that ends with a colon.
    """
    cuts: list[int] = []
    expected = None
    for match in _MARKER.finditer(piece):
        number = _marker_number(match)
        if expected is None:
            lead = piece[:match.start()].rstrip(" \t\u3000")
            if lead and not lead.endswith(("：", ":")):
                return [piece]  # text before the first number: not a numbered list
            if lead:
                cuts.append(0)  # "须满足：1.… 2.…": the lead-in is an item of its own
        elif number != expected:
            continue
        cuts.append(match.start())
        expected = number + 1
    if not cuts:
        return [piece]
    bounds = [*cuts, len(piece)]
    return [_MARKER.sub("", piece[a:b], count=1) if _MARKER.match(piece, a) else piece[a:b]
            for a, b in zip(bounds, bounds[1:], strict=False)]


def split_items(text: str) -> list[str]:
    """A cell of text as a list: one item per line, semicolon-separated part or number."""
    items: list[str] = []
    for piece in _SEPARATORS.split(text):
        for item in _split_numbered(piece.strip(_TRIM)):
            item = item.strip(_TRIM)
            if item:
                items.append(item)
    return items


def service_id(code: str) -> str | None:
    """A stable ascii id from the 事项编码: ``sx-`` + the code in lower case, "-" for the rest.

    Codes too long for the schema keep their first characters and a hash of the whole, so
    the id stays the same on every import of the same code. None when the code holds no
    letter or digit. Codes differing only in case, width or punctuation give the same id
    (and are reported as duplicates).
    """
    normal = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKC", code).lower()).strip("-")
    if not normal:
        return None
    slug = IMPORTED_ID_PREFIX + normal
    if len(slug) <= MAX_ID:
        return slug
    keep = MAX_ID - len(IMPORTED_ID_PREFIX) - _HASH_CHARS - 1
    digest = hashlib.sha256(normal.encode("ascii")).hexdigest()[:_HASH_CHARS]
    return f"{IMPORTED_ID_PREFIX}{normal[:keep].rstrip('-')}-{digest}"


def _days(value: str) -> str:
    """'20' or '20（工作日）' → '20个工作日'; '0' → '即办'; anything else as written."""
    value = value.strip(_TRIM)
    bare = re.fullmatch(r"(\d+)\s*(?:[（(]\s*工作日\s*[)）]|个?工作日)?", value)
    if bare is None:
        return value
    return "即办" if int(bare[1]) == 0 else f"{int(bare[1])}个工作日"


def _labelled(label: str, value: str) -> str:
    return value if value.startswith(("即办", "当场")) else f"{label}{value}"


def time_limit(promised: str, legal: str) -> str:
    """承诺 first, 法定 in brackets ("承诺5个工作日（法定20个工作日）"); either alone; '' if neither.

    "即办"/"当场…" need no label: "即办（法定20个工作日）".
    """
    promised, legal = _days(promised), _days(legal)
    if promised and legal:
        return f"{_labelled('承诺', promised)}（{_labelled('法定', legal)}）"
    if promised:
        return _labelled("承诺", promised)
    return _labelled("法定", legal) if legal else ""


#: Ways an export says a service is free; all shown to residents as "不收费".
FREE = frozenset({"无", "否", "0", "0元", "不收费", "免费", "免收", "免收费", "无收费", "不收取费用", "不收取任何费用"})


def fee(text: str) -> str:
    """收费标准 as residents read it: the ways of saying "free" become "不收费"."""
    value = text.strip(_TRIM)
    return "不收费" if value in FREE else value


#: Keywords in 实施主体 or 事项名称 → the hall type whose district hall is named (first match).
HALL_KEYWORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("公积金",), "housing_fund"),
    (("税务",), "tax"),
    (("不动产",), "real_estate"),
    (("出入境", "护照", "港澳", "往来台湾"), "exit_entry"),
    (("车管", "交警", "交通管理", "驾驶证", "机动车"), "traffic"),
)
DEFAULT_HALL_TYPE = "government_center"


def hall_type(department: str, name: str) -> str:
    """The hall type for the district answer, guessed from the department, then the name."""
    for text in (department, name):
        for keywords, kind in HALL_KEYWORDS:
            if any(k in text for k in keywords):
                return kind
    return DEFAULT_HALL_TYPE


#: Words in a material that mark it as needed only in some cases (required: false).
OPTIONAL_MARKS = ("如有", "非必要", "非必须", "必要时", "视情况", "可选")


def is_optional(material: str) -> bool:
    return any(mark in material for mark in OPTIONAL_MARKS)
