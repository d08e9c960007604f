"""Is a message about another city's or province's government matters? (issue 14)

"南京的社保卡在哪里补办" is a service question, but not one Wuhu can answer: the resident
needs Nanjing's hall or Nanjing's 12345. DIET cannot tell it from "社保卡在哪里补办" (the
city is one word among many), so this module looks for a place outside Wuhu by name:
every province- and prefecture-level division of China but Anhui and Wuhu, and the other
provinces' government apps (data/places/outside_wuhu.txt).

A place does not count when the message also names Wuhu, a Wuhu district, Anhui or "here"
(这边, 本地…), when it asks about moving something between places (转移, 迁入, 异地…: Wuhu
handles those), or when the place is part of a street or building name (北京东路, 黄山路
are Wuhu streets).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.text import normalize

PLACES_FILE = PROJECT_ROOT / "data" / "places" / "outside_wuhu.txt"
HOME_WORDS = ("芜湖", "安徽", "皖", "这边", "这里", "本地", "本市", "我市", "咱们这", "我们这")
CROSS_REGION_WORDS = ("转移", "转入", "转出", "转到", "转回", "转过来", "迁入", "迁出", "迁到", "迁回", "迁往",
                      "迁过来", "异地", "外地", "调到", "调回", "调动", "跨省", "跨市", "接续", "回来")
#: What follows a place name inside a street, building or shop name.
_NOT_THE_PLACE = r"(?![东西南北中]?(?:路|街|大道|巷|广场|小区|花园|大厦|商场|桥|公园|宾馆|酒店|饭店|菜|话|味))"


@functools.lru_cache(maxsize=4)
def _pattern(path: Path) -> re.Pattern[str]:
    forms: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            forms.update(line.split())
    alternation = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(f"(?:{alternation}){_NOT_THE_PLACE}")


def place_elsewhere(text: str, home: Iterable[str] = (), path: Path = PLACES_FILE) -> str | None:
    """The place outside Wuhu the message is about, or None (also when it names Wuhu too).

    ``home``: more names that mean Wuhu (its districts and their other names).
    """
    message = normalize(text)
    if any(word in message for word in (*HOME_WORDS, *home)):
        return None
    if any(word in message for word in CROSS_REGION_WORDS):
        return None
    found = _pattern(path).search(message)
    return found.group(0) if found else None
