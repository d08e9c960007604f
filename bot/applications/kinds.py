"""The kinds of application residents can submit in the chat, and what each one stores.

A kind is keyed by its catalogue service id and lists its fields, keyed like the flow's
step slots: nothing else is accepted, so no stray personal data ends up in the database.
:func:`stored_fields` is that check; the services call it before they store anything.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from bot.applications.errors import InvalidApplication, UnknownKind
from bot.validators.id_number import stored_id_number
from bot.validators.phone import is_storable_phone, phone_digits


@dataclass(frozen=True)
class FieldSpec:
    """One stored field. `mask` says how it is shown: name, id, phone, address, district."""

    key: str
    label: str
    mask: Optional[str] = None
    required: bool = False
    choices: Optional[Mapping[str, str]] = None


@dataclass(frozen=True)
class ApplicationKind:
    id: str  # catalogue service id
    name: str
    fields: Tuple[FieldSpec, ...]
    name_field: str
    id_field: str
    phone_field: str = "phone"

    def spec(self, key: str) -> Optional[FieldSpec]:
        return next((f for f in self.fields if f.key == key), None)


#: What each kind stores, keyed like the flows' step slots (bot/flows/*.py).
KINDS: Dict[str, ApplicationKind] = {
    kind.id: kind for kind in (
        ApplicationKind(
            id="elderly-allowance", name="高龄津贴申领", name_field="elder_name", id_field="elder_id",
            fields=(
                FieldSpec("applicant", "申请方式", required=True,
                          choices={"self": "老人本人申请", "agent": "子女或亲属代办"}),
                FieldSpec("agent_name", "代办人姓名", mask="name"),
                FieldSpec("agent_phone", "代办人电话", mask="phone"),
                FieldSpec("elder_name", "老人姓名", mask="name", required=True),
                FieldSpec("elder_id", "老人身份证号", mask="id", required=True),
                FieldSpec("district", "所在区县", mask="district", required=True),
                FieldSpec("street", "街道社区", mask="address", required=True),
                FieldSpec("phone", "联系电话", mask="phone", required=True),
            ),
        ),
        ApplicationKind(
            id="sbk-replace", name="社会保障卡挂失补换", name_field="name", id_field="id_number",
            fields=(
                FieldSpec("name", "持卡人姓名", mask="name", required=True),
                FieldSpec("id_number", "身份证号", mask="id", required=True),
                FieldSpec("reason", "补换原因", required=True,
                          choices={"lost": "丢失（已挂失）", "damaged": "损坏", "changed": "信息变更"}),
                FieldSpec("delivery", "领卡方式", required=True,
                          choices={"mail": "邮寄到家", "hall": "到大厅领取"}),
                FieldSpec("address", "邮寄地址", mask="address"),
                FieldSpec("district", "领卡大厅", mask="district"),
                FieldSpec("phone", "联系电话", mask="phone", required=True),
            ),
        ),
    )
}


def kind_or_raise(kind: str) -> ApplicationKind:
    """The kind by its id; UnknownKind if residents cannot submit it in the chat."""
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownKind(kind) from None


def kind_name(kind: str) -> str:
    """"高龄津贴申领" for "elderly-allowance"; the id itself for a kind retired from the chat."""
    return KINDS[kind].name if kind in KINDS else kind


def _id_number(value: Any) -> str:
    cleaned = stored_id_number(value)
    if cleaned is None:
        raise InvalidApplication("id_number must be 18 characters (17 digits and a digit or X)")
    return cleaned


def _phone(value: Any) -> str:
    cleaned = unicodedata.normalize("NFKC", str(value)).strip()
    if not is_storable_phone(cleaned):
        raise InvalidApplication("phone must have 7 to 13 digits")
    return cleaned


def stored_fields(kind: ApplicationKind, fields: Mapping[str, Any], *, id_number: str,
                  phone: str) -> Dict[str, Any]:
    """The fields to store: known keys only, empty values dropped, ID and phone checked.

    `id_number` and `phone` are the applicant's and must agree with the fields that carry
    them; the fields then hold their cleaned forms.
    """
    unknown = sorted(set(fields) - {f.key for f in kind.fields})
    if unknown:
        raise InvalidApplication(f"fields not stored for {kind.id}: {', '.join(map(str, unknown))}")
    stored: Dict[str, Any] = {}
    for key, value in fields.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if not isinstance(value, (str, int, float, bool)):
            raise InvalidApplication(f"field {key} must be text or a number")
        stored[key] = value.strip() if isinstance(value, str) else value
    id_clean, phone_clean = _id_number(id_number), _phone(phone)
    if kind.id_field in stored and _id_number(stored[kind.id_field]) != id_clean:
        raise InvalidApplication(f"{kind.id_field} differs from id_number")
    if kind.phone_field in stored and phone_digits(str(stored[kind.phone_field])) != phone_digits(phone_clean):
        raise InvalidApplication(f"{kind.phone_field} differs from phone")
    stored[kind.id_field] = id_clean
    stored[kind.phone_field] = phone_clean
    missing = [f.key for f in kind.fields if f.required and f.key not in stored]
    if missing:
        raise InvalidApplication(f"missing fields for {kind.id}: {', '.join(missing)}")
    return stored
