"""The 服务事项 form: a service's fields as plain text boxes, one item per line, and back.

No scripts on console pages, so lists are textareas: one alias, example question,
condition or step per line; a material, an online channel or a FAQ is one line with its
two parts split by ``｜`` (or ``|``). A material that is only needed in some cases ends its
name with （视情况）, the words residents see for it. Related services are named by their
Chinese name (or id). The values returned are what bot/catalogue/editing.py validates.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.catalogue.schema import HALL_TYPES

#: Plain text fields (one value each).
TEXT_FIELDS = ("name", "department", "summary", "time_limit", "fee", "hall_note")
#: One item per line.
LINE_FIELDS = ("aliases", "examples", "eligibility", "steps")
#: One item per line, two parts split by ｜: field → (first key, second key, label, how to write a line).
PAIR_FIELDS = {"online": ("channel", "how", "网上办理渠道", "渠道｜办法"),
               "faqs": ("q", "a", "常见问题", "问题｜回答")}
#: Every form field this module reads.
FORM_KEYS = (*TEXT_FIELDS, *LINE_FIELDS, "materials", "online", "faqs", "related", "needs_hall", "hall_type")
SEPARATOR = "｜"
OPTIONAL_MARKS = ("（视情况）", "(视情况)")
HALL_TYPE_LABELS = {
    "government_center": "政务服务中心", "exit_entry": "出入境接待大厅", "traffic": "车管所/交警服务站",
    "housing_fund": "住房公积金中心", "tax": "办税服务厅", "real_estate": "不动产登记中心",
}
#: The hall types in the order the form offers them.
HALL_TYPE_CHOICES = tuple((t, HALL_TYPE_LABELS.get(t, t)) for t in HALL_TYPES)


class FormError(ValueError):
    """The form's text cannot be read as a service; the message is for staff (Chinese)."""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _split(field: str, number: int, line: str) -> tuple[str, str]:
    first, sep, second = line.replace("|", SEPARATOR).partition(SEPARATOR)
    if not sep:
        _, _, label, hint = PAIR_FIELDS[field]
        raise FormError(f"{label}第{number}行缺少“｜”，请写成“{hint}”。")
    return first.strip(), second.strip()


def _material(line: str) -> dict[str, Any]:
    name, sep, note = line.replace("|", SEPARATOR).partition(SEPARATOR)
    name, required = name.strip(), True
    for mark in OPTIONAL_MARKS:
        if name.endswith(mark):
            name, required = name[: -len(mark)].strip(), False
    return {"name": name, "note": note.strip() or None, "required": required}


def to_values(form: Mapping[str, str], ids_by_name: Mapping[str, str]) -> dict[str, Any]:
    """The values editing.py takes, from the form's text; ``ids_by_name``: every service's name → id."""
    values: dict[str, Any] = {key: (form.get(key) or "").strip() for key in TEXT_FIELDS}
    values["hall_note"] = values["hall_note"] or None
    for key in LINE_FIELDS:
        values[key] = _lines(form.get(key, ""))
    values["materials"] = [_material(line) for line in _lines(form.get("materials", ""))]
    for field, (first, second, _, _) in PAIR_FIELDS.items():
        pairs = [_split(field, n, line) for n, line in enumerate(_lines(form.get(field, "")), start=1)]
        values[field] = [{first: a, second: b} for a, b in pairs]
    known = set(ids_by_name.values())
    related = []
    for line in _lines(form.get("related", "")):
        if line in known:
            related.append(line)
        elif line in ids_by_name:
            related.append(ids_by_name[line])
        else:
            raise FormError(f"相关事项“{line}”不存在，请填目录中事项的名称。")
    values["related"] = list(dict.fromkeys(related))
    values["needs_hall"] = form.get("needs_hall") == "1"
    values["hall_type"] = (form.get("hall_type") or "").strip()
    return values


def to_form(fields: Mapping[str, Any], names_by_id: Mapping[str, str]) -> dict[str, str]:
    """A stored service as the form's text (the inverse of :func:`to_values`)."""
    form = {key: fields.get(key) or "" for key in TEXT_FIELDS}
    for key in LINE_FIELDS:
        form[key] = "\n".join(fields.get(key) or ())
    form["materials"] = "\n".join(
        m["name"] + ("" if m.get("required", True) else OPTIONAL_MARKS[0])
        + (f"{SEPARATOR}{m['note']}" if m.get("note") else "")
        for m in fields.get("materials") or ())
    for field, (first, second, _, _) in PAIR_FIELDS.items():
        form[field] = "\n".join(f"{item[first]}{SEPARATOR}{item[second]}" for item in fields.get(field) or ())
    form["related"] = "\n".join(names_by_id.get(r, r) for r in fields.get("related") or ())
    form["needs_hall"] = "1" if fields.get("needs_hall") else ""
    form["hall_type"] = fields.get("hall_type") or ""
    return form
