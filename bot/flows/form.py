"""An application form declared once: its fields make both the flow's steps and what is stored.

A flow module for an application (bot/flows/elderly_allowance.py, sbk_replace.py) lists
its :class:`Field` objects once: slot, label, question, help and the kind of answer.
:func:`steps` turns them into the engine's steps for one day; bot/applications/kinds.py
reads the same fields to know what the application stores, under which label and how
it is masked. A field that applies only sometimes (`when`) is optional in storage; all
others are required.
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from bot.flows.engine import Flow, Option, Step, option_label
from bot.flows.fields import parse_address, parse_contact_phone, parse_id, parse_name, show_id, show_phone

Values = dict[str, Any]


class Answer(str, enum.Enum):
    """The kind of answer a field takes: how it is read, shown back and masked when stored.

    The values are the masks of bot/applications/views.py (a choice is shown by its label).
    """

    NAME = "name"
    ID_NUMBER = "id"
    PHONE = "phone"
    ADDRESS = "address"
    DISTRICT = "district"  # one of the catalogue's districts, as numbered options
    CHOICE = "choice"  # one of the field's own options


@dataclass(frozen=True)
class Field:
    slot: str
    label: str  # in the summary, in staff views and in progress answers
    question: str
    help: str
    answer: Answer
    options: tuple[Option, ...] = ()  # Answer.CHOICE only
    # A choice's label once submitted, where it differs from the option ("丢失（已挂失）").
    recorded: Mapping[str, str] = field(default_factory=dict)
    when: Callable[[Values], bool] | None = None  # asked only when this holds
    aliases: tuple[str, ...] = ()  # words residents use to name the field at the summary

    @property
    def required(self) -> bool:
        return self.when is None

    @property
    def mask(self) -> str | None:
        return None if self.answer is Answer.CHOICE else self.answer.value

    @property
    def choices(self) -> dict[str, str] | None:
        """value -> label as stored views show it (choices only)."""
        if self.answer is not Answer.CHOICE:
            return None
        return {o.value: self.recorded.get(o.value, o.label) for o in self.options}

    def step(self, *, today: date, districts: Sequence[Option]) -> Step:
        """The engine's step for this field; ID numbers are checked against `today`."""
        extra: dict[str, Any] = {"when": self.when} if self.when is not None else {}
        if self.answer is Answer.NAME:
            extra.update(parse=parse_name)
        elif self.answer is Answer.ID_NUMBER:
            extra.update(parse=partial(parse_id, today=today), display=show_id)
        elif self.answer is Answer.PHONE:
            extra.update(parse=parse_contact_phone, display=show_phone)
        elif self.answer is Answer.ADDRESS:
            extra.update(parse=parse_address)
        else:
            options = districts if self.answer is Answer.DISTRICT else self.options
            extra.update(options=lambda values: options, display=partial(option_label, options))
        return Step(self.slot, self.label, self.question, self.help, aliases=self.aliases, **extra)


def steps(fields: Sequence[Field], *, today: date, districts: Sequence[Option]) -> tuple[Step, ...]:
    return tuple(f.step(today=today, districts=districts) for f in fields)


@dataclass(frozen=True)
class ApplicationForm:
    """Everything an application flow declares: the kind it stores and how to ask for it."""

    kind: str  # catalogue service id; also the flow's name
    name: str  # as staff and progress answers name the application ("高龄津贴申领")
    fields: tuple[Field, ...]
    name_field: str  # whose name, ID number and phone the application is filed under
    id_field: str
    build: Callable[..., Flow]  # build(today=, districts=): the flow for one day
    next_steps: Callable[[Values], str]  # said after the receipt number
    phone_field: str = "phone"

    def __post_init__(self) -> None:
        slots = {f.slot for f in self.fields}
        for key in (self.name_field, self.id_field, self.phone_field):
            if key not in slots:
                raise ValueError(f"{self.kind}: {key!r} is not one of the form's fields")
