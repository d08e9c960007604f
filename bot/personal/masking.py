"""Masking personal data wherever the assistant repeats, stores for display, or logs it.

House rule: ID 340202********1234 (first 6, last 4), phone 138****5678, bank card
**** **** **** 1234 (last 4 only). Masks never reveal more than that, and masking
already-masked text changes nothing.

Free text is read through the parsers' own tokenizer (:func:`bot.validators.numbers.digit_runs`):
whatever separators and digit forms the ID and phone parsers accept (spaces, dots,
commas, slashes, underscores, any other punctuation, full-width and other-script digits,
spoken Chinese digits) join the groups of a number here too, so a number the flow would
accept is a number the masker finds. Five deliberate exceptions keep ordinary text and
logs readable, none of them a way residents write numbers: a colon between one- or
two-digit groups is a clock time ("10:30"); two or more stars in a row end a number (they
are what a mask looks like); more than two punctuation marks in a row (spaces aside) end
a number ("', '" between the values of a logged tuple); a decimal number as programs
print one, a digit or a ten-digit Unix time, a point and more digits ("0.9876543210123456",
"1764609887.1226725": Rasa's confidences and timestamps), is left alone; and so are
digits inside a hexadecimal identifier of 16 or more characters (uuid, hash, key).
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date

from bot.validators.numbers import (
    DigitRun,
    char_kind,
    digit_runs,
    split_area_code,
    to_digits,
)

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
    """**** **** **** 1234: only the last 4 kept, the rest as groups of stars."""
    digits = to_digits(value)
    if len(digits) < 12:
        return _keep_last(digits)
    groups = " ".join(["****"] * math.ceil((len(digits) - 4) / 4))
    return f"{groups} {digits[-4:]}"


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


# --- labelled lines: the flows' summary ("· 老人姓名：王秀英") -----------------------------

#: Labels whose value is a person's name (the label ends with one of these) …
NAME_LABELS = ("姓名", "名字", "联系人", "申请人", "代办人", "持卡人", "收件人", "预约人")
#: … or an address (the label contains one of these).
ADDRESS_LABELS = ("地址", "住址", "住所", "街道", "社区", "门牌")
_LABELLED_LINE = re.compile(
    r"^(?P<head>[ \t\u3000]*[·•・][ \t\u3000]*(?P<label>[^：:\n]{1,12})[：:][ \t\u3000]*)(?P<value>[^\n]*)$",
    re.MULTILINE,
)


def label_kind(label: str) -> str | None:
    """``"name"``, ``"address"`` or None for a summary label such as "代办人姓名"."""
    label = label.strip()
    if label.endswith(NAME_LABELS):
        return "name"
    if any(word in label for word in ADDRESS_LABELS):
        return "address"
    return None


def mask_value(kind: str | None, value: str) -> str:
    """A name or address value masked the house way; anything else as free text."""
    if kind == "name":
        return mask_name(value)
    if kind == "address":
        return mask_address(value)
    return mask_personal_data(value)


def mask_labelled_lines(text: str) -> str:
    """Mask the values of "· 标签：值" lines whose label names a person or an address.

    The flows' confirmation summary lists the answers this way (bot/flows/engine.py);
    "· 老人姓名：王秀英" becomes "· 老人姓名：王*英", "· 邮寄地址：镜湖区…3栋201" keeps the
    district and street only. Other lines are left as they are.
    """
    def replace(match: re.Match) -> str:
        kind = label_kind(match.group("label"))
        if kind is None or not match.group("value").strip():
            return match.group(0)
        return match.group("head") + mask_value(kind, match.group("value").strip())

    return _LABELLED_LINE.sub(replace, text) if text else text


# --- free text ---------------------------------------------------------------------------

_LONGEST = 19  # bank cards; nothing we mask is longer
_STARS = re.compile(r"[*＊]{2}")
_HEX_ID = re.compile(r"(?<![0-9A-Za-z])(?=[0-9A-Za-z]*[A-Fa-f])(?=[0-9A-Za-z]*[0-9])[0-9A-Fa-f]{16,}(?![0-9A-Za-z])")
#: A number as programs print one: a digit or a ten-digit Unix time, a point, more digits.
_DECIMAL = re.compile(r"(?<![0-9.])(?:[0-9]|1[0-9]{9})\.[0-9]+(?:[eE][-+]?[0-9]+)?(?![0-9])")
_X_CHARS = ("x", "X", "叉")
#: Punctuation marks allowed between two groups of one number (spaces do not count).
_MOST_MARKS = 2


def _plausible_birth(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2099


def _id_like(digits: str) -> bool:
    """An 18-character number to show the ID way: an X at the end, or a birth date inside.

    Mistyped IDs count (their birth date is usually still right). Anything else of 18
    digits is masked as a card, only the last 4 kept. A rare 18-digit card whose digits
    7-14 happen to form a date shows its first 6, the issuer's public BIN, as cards may.
    """
    return digits.endswith("X") or _plausible_birth(digits[6:14])


def _mask_number(digits: str, *, landlines: bool) -> str | None:
    """The mask for one candidate number, or None if it is not personal data we know."""
    if len(digits) == 18 and digits[:17].isdigit() and (digits[17].isdigit() or digits[17] == "X"):
        return mask_id(digits) if _id_like(digits) else mask_bank_card(digits)
    if not digits.isdigit():
        return None
    national = _national(digits)
    if _MOBILE.fullmatch(national):
        return digits[: len(digits) - 11] + mask_phone(national)
    if 16 <= len(digits) <= 19:
        return mask_bank_card(digits)
    if len(digits) == 15 and _plausible_birth("19" + digits[6:12]):
        return _keep_last(digits)  # an old 15-digit ID: its birth date hidden, region too
    if landlines and digits.startswith("0") and 10 <= len(digits) <= 12:
        parts = split_area_code(digits)
        if parts and 7 <= len(parts[1]) <= 8:
            return mask_phone(digits)
    return None


def _joined(text: str, left: DigitRun, right: DigitRun) -> bool:
    """Whether two digit runs are groups of one possible number."""
    gap = text[left.end:right.start]
    if not gap:
        return True  # "一" right before "3812…": Chinese and other digits side by side
    if not all(char_kind(ch) == "sep" for ch in gap) or _STARS.search(gap):
        return False
    if sum(not ch.isspace() for ch in gap) > _MOST_MARKS:
        return False  # "', '" between two values of a logged tuple
    clock = ":" in unicodedata.normalize("NFKC", gap)
    return not (clock and len(left.digits) <= 2 and len(right.digits) <= 2)


def _chains(text: str) -> list[list[DigitRun]]:
    """Digit runs joined only by separators, each chain one or more possible numbers."""
    identifiers = [m.span() for pattern in (_HEX_ID, _DECIMAL) for m in pattern.finditer(text)]
    chains: list[list[DigitRun]] = []
    for run in digit_runs(text):
        if any(start <= run.start < end for start, end in identifiers):
            chains.append([])  # an identifier also ends the chain before it
            continue
        if chains and chains[-1] and _joined(text, chains[-1][-1], run):
            chains[-1].append(run)
        else:
            chains.append([run])
    return [chain for chain in chains if chain]


def _x_after(text: str, position: int) -> int | None:
    """End of an ID check letter (x, X, 叉) after ``position``, as the parsers read one.

    Separators may come first; the letter must not run on into letters or digits.
    """
    index = position
    while index < len(text) and char_kind(text[index]) == "sep" and not _STARS.match(text, index):
        index += 1
    if index >= len(text) or unicodedata.normalize("NFKC", text[index]) not in _X_CHARS:
        return None
    after = index + 1
    while after < len(text) and char_kind(text[after]) == "sep":
        after += 1
    following = unicodedata.normalize("NFKC", text[after])[:1] if after < len(text) else ""
    if char_kind(following or " ") in ("digit", "han") or (following.isascii() and following.isalnum()):
        return None  # "…002x1": not a check letter, as for the parsers
    return index + 1


def _replacements(text: str, landlines: bool) -> list[tuple[int, int, str]]:
    """(start, end, mask) for every number found; in each chain the longest match wins."""
    found_all: list[tuple[int, int, str]] = []
    for chain in _chains(text):
        i = 0
        while i < len(chain):
            found = None
            digits = ""
            for j in range(i, len(chain)):
                digits += chain[j].digits
                if len(digits) > _LONGEST:
                    break
                end, candidate = chain[j].end, digits
                if len(digits) == 17 and j == len(chain) - 1:
                    x_end = _x_after(text, end)
                    if x_end is not None:
                        candidate, end = digits + "X", x_end
                masked = _mask_number(candidate, landlines=landlines)
                if masked is not None:
                    found = (chain[i].start, end, masked, j)  # keep extending: longest wins
            if found:
                found_all.append(found[:3])
                i = found[3] + 1
            else:
                i += 1
    return found_all


def mask_personal_data(text: str, *, landlines: bool = True) -> str:
    """Mask ID numbers, mobile and landline numbers and bank-card numbers in free text.

    Numbers are found in every spelling the parsers accept (see the module docstring).
    Within a chain of digit groups the longest span of whole groups that is personal
    data wins, so two phone numbers separated by a space are masked separately. Errs
    towards masking. ``landlines=False`` leaves landline numbers alone: the assistant's
    own messages quote halls' public numbers, never a resident's unmasked one.
    """
    if not text:
        return text
    for start, end, masked in reversed(_replacements(text, landlines)):
        text = text[:start] + masked + text[end:]
    return text
