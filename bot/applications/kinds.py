"""The kinds of application residents can submit in the chat, and what each one stores.

A kind is keyed by its catalogue service id and lists its fields, keyed like the flow's
step slots: nothing else is accepted, so no stray personal data ends up in the database.
:func:`stored_fields` is that check; the services call it before they store anything.
The fields and their labels are not written here: they come from the flow module's form
(bot/flows/form.py), the one place they are declared.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.applications.errors import InvalidApplication, UnknownKind
from bot.flows import elderly_allowance, sbk_replace
from bot.flows.form import ApplicationForm
from bot.validators.id_number import stored_id_number
from bot.validators.phone import is_storable_phone, phone_digits


@dataclass(frozen=True)
class FieldSpec:
    """One stored field. `mask` says how it is shown: name, id, phone, address, district."""

    key: str
    label: str
    mask: str | None = None
    required: bool = False
    choices: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ApplicationKind:
    id: str  # catalogue service id
    name: str
    fields: tuple[FieldSpec, ...]
    name_field: str
    id_field: str
    phone_field: str = "phone"

    def spec(self, key: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.key == key), None)


def _kind(form: ApplicationForm) -> ApplicationKind:
    return ApplicationKind(
        id=form.kind, name=form.name, name_field=form.name_field, id_field=form.id_field,
        phone_field=form.phone_field,
        fields=tuple(FieldSpec(f.slot, f.label, mask=f.mask, required=f.required, choices=f.choices)
                     for f in form.fields),
    )


#: The applications residents can submit in the chat. Each flow module declares its form
#: once (fields, labels, whose ID number and phone); the flow registry builds the flows
#: from this same list (bot/flows/registry.py).
FORMS: tuple[ApplicationForm, ...] = (elderly_allowance.FORM, sbk_replace.FORM)
KINDS: dict[str, ApplicationKind] = {form.kind: _kind(form) for form in FORMS}


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
                  phone: str) -> dict[str, Any]:
    """The fields to store: known keys only, empty values dropped, ID and phone checked.

    `id_number` and `phone` are the applicant's and must agree with the fields that carry
    them; the fields then hold their cleaned forms.
    """
    unknown = sorted(set(fields) - {f.key for f in kind.fields})
    if unknown:
        raise InvalidApplication(f"fields not stored for {kind.id}: {', '.join(map(str, unknown))}")
    stored: dict[str, Any] = {}
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
