"""Masking personal data wherever the assistant repeats, stores for display, or logs it.

House rule: ID 340202********1234 (first 6, last 4), phone 138****5678. Masks never
reveal more than that, and masking already-masked text changes nothing.
"""
from __future__ import annotations

import math
import re
from typing import Optional

from bot.personal.numbers import CHINESE_DIGITS, split_area_code, to_digits

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _keep_last(value: str, keep: int = 4) -> str:
    """Fallback for values of unexpected shape: stars, then at most ``keep`` characters."""
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]


def mask_id(value: str) -> str:
    """340202********1234: region (first 6) and last 4 kept, the birth date hidden."""
    digits = to_digits(value)
    if len(digits) <= 10:
        return _keep_last(digits)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def _national(digits: str) -> str:
    """Drop a +86 / 0086 country prefix in front of a mobile number."""
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and _MOBILE.fullmatch(digits[len(prefix):]):
            return digits[len(prefix):]
    return digits


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; 0553-***4567 for landlines (area code and last 4 kept)."""
    digits = _national(to_digits(value))
    if _MOBILE.fullmatch(digits):
        return digits[:3] + "****" + digits[-4:]
    parts = split_area_code(digits)
    if parts and len(parts[1]) > 4:
        area, local = parts
        return f"{area}-" + _keep_last(local)
    return _keep_last(digits)


def mask_bank_card(value: str) -> str:
    """6222 **** **** 1234: first 4 (the bank) and last 4 kept, the middle as groups of stars."""
    digits = to_digits(value)
    if len(digits) < 12:
        return _keep_last(digits)
    groups = " ".join(["****"] * math.ceil((len(digits) - 8) / 4))
    return f"{digits[:4]} {groups} {digits[-4:]}"


def mask_name(value: str) -> str:
    """李*山, 欧**明, 王*: the first character (and the last of longer names) kept."""
    name = "".join(value.split())
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# Administrative units an address starts with; 小区 / 社区 / 园区 are where people live, not units.
_ADMIN_PREFIX = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,10}?(?:省|自治区|市|(?<![小社园校景])区|县|街道|镇|乡))+"
)


def mask_address(value: str) -> str:
    """镜湖区范罗山街道****: only the district/street part is kept, never the house.

    Without a recognisable district or street, only the first two characters are kept.
    """
    address = "".join(value.split())
    if not address:
        return ""
    match = _ADMIN_PREFIX.match(address)
    kept = match.group(0) if match else address[:2]
    return kept + "****"


# --- free text (logs) ------------------------------------------------------------------

_DIGIT = "0-9\uff10-\uff19" + "".join(CHINESE_DIGITS)
_RUN = re.compile(f"[{_DIGIT}]+")
# What may sit between the groups of one number: "138 1234 5678", "0553-1234567", "(0553)1234567".
_GROUP_SEP = re.compile(r"[ \t\u3000]{1,2}|[ \t\u3000]*[-‐‑‒–—－)）][ \t\u3000]*")
_X_AFTER = re.compile(r"[xX](?![A-Za-z0-9])")
_LONGEST = 19  # bank cards; nothing we mask is longer


def _mask_number(digits: str) -> Optional[str]:
    """The mask for one candidate number, or None if it is not personal data we know."""
    if len(digits) == 18 and digits[:17].isdigit() and (digits[17].isdigit() or digits[17] == "X"):
        return mask_id(digits)
    if not digits.isdigit():
        return None
    national = _national(digits)
    if _MOBILE.fullmatch(national):
        return digits[: len(digits) - 11] + mask_phone(national)
    if 16 <= len(digits) <= 19:
        return mask_bank_card(digits)
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        parts = split_area_code(digits)
        if parts and 7 <= len(parts[1]) <= 8:
            return mask_phone(digits)
    return None


def _chains(text: str) -> list[list[re.Match]]:
    """Runs of digits joined only by group separators, each chain one possible number."""
    chains: list[list[re.Match]] = []
    for run in _RUN.finditer(text):
        if chains and _GROUP_SEP.fullmatch(text, chains[-1][-1].end(), run.start()):
            chains[-1].append(run)
        else:
            chains.append([run])
    return chains


def mask_personal_data(text: str) -> str:
    """Mask ID numbers, mobile and landline numbers and bank-card numbers in free text.

    Meant for logs, where residents' raw messages end up: numbers written with spaces or
    hyphens, in full-width or Chinese digits are found too. Within a chain of digit
    groups the longest span of whole groups that is personal data wins, so two phone
    numbers separated by a space are masked separately. Errs towards masking.
    """
    if not text:
        return text
    replacements: list[tuple[int, int, str]] = []
    for chain in _chains(text):
        i = 0
        while i < len(chain):
            found = None
            digits = ""
            for j in range(i, len(chain)):
                digits += to_digits(chain[j].group(0))
                if len(digits) > _LONGEST:
                    break
                end = chain[j].end()
                candidate = digits
                if len(digits) == 17 and j == len(chain) - 1 and _X_AFTER.match(text, end):
                    candidate, end = digits + "X", end + 1
                masked = _mask_number(candidate)
                if masked is not None:
                    found = (chain[i].start(), end, masked, j)  # keep extending: longest wins
            if found:
                replacements.append(found[:3])
                i = found[3] + 1
            else:
                i += 1
    for start, end, masked in reversed(replacements):
        text = text[:start] + masked + text[end:]
    return text
