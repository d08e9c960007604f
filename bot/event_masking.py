"""Personal data out of conversation events before they are stored or shown to staff.

Works on Rasa's event dicts (``Event.as_dict()``, the JSON the tracker store keeps), so
the tracker store (bot/tracker_store.py) and the staff console's inbox
(console/teaching/inbox.py) mask the same way. No Rasa imports.

* Numbers (ID, phone, bank card) in any spelling the parsers accept: user text, every
  string of the parse data (text, entity values …), slot values, bot messages and
  their buttons (:func:`bot.personal.masking.mask_personal_data`).
* Names and addresses, which no pattern can find in free text, by context: the answer
  to a flow question asking for a name or an address (bot/flows/engine.py numbers its
  questions "（第2步，共8步）请告诉我老人的姓名。") is masked as a name or address if the
  flow would read it as one; a slot filled with that answer (``flow_done``) is masked
  the same; the summary's "· 老人姓名：…" lines and the "您之前填的是：…" of 上一步 too.

Identifiers are left alone: message ids, the metadata channels attach (WeChat MsgId,
web chat display text, already masked by the channel), and hexadecimal ids such as
draft ids (see the masking module).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.flows.engine import StepError
from bot.flows.fields import parse_address, parse_name
from bot.personal.masking import mask_labelled_lines, mask_personal_data, mask_value

#: A flow question as the engine words it; the text after the marker is the question.
_STEP_QUESTION = re.compile(r"（第\d+步，共\d+步）([^\n]*)")
_PREVIOUS_ANSWER = re.compile(r"(您之前填的是：)([^\n]*)")
#: Intents an exact command gets (bot/nlu/commands.py, confidence 1.0): never an answer.
COMMAND_INTENTS = frozenset({
    "start_application", "book_appointment", "cancel_appointment", "check_progress",
    "form_back", "form_restart", "form_cancel", "form_repeat", "form_help", "affirm", "deny",
    "greet", "human_handoff",
})
#: Keys of the parse data that are identifiers or the channel's metadata, not text.
_UNTOUCHED_PARSE_KEYS = frozenset({"message_id", "metadata"})


def asked_field(bot_text: str) -> str | None:
    """``"name"`` or ``"address"`` if this bot message asks a flow question for one."""
    questions = _STEP_QUESTION.findall(bot_text or "")
    if not questions:
        return None
    question = questions[-1]
    if "姓名" in question or "名字" in question:
        return "name"
    if any(word in question for word in ("地址", "住址", "街道", "门牌")):
        return "address"
    return None


def mask_answer(text: str, field: str | None) -> str:
    """A resident's message, masked; as a name or address if it answers that question.

    The flow's own parser decides: what it would take as the name is shown as 王*英;
    anything else (a question, "上一步") is masked as free text only.
    """
    parse = {"name": parse_name, "address": parse_address}.get(field or "")
    if parse is not None:
        try:
            return mask_value(field, str(parse(text, {})))
        except StepError:
            pass
    return mask_personal_data(text)


def mask_bot_text(text: str) -> str:
    """The assistant's message as stored: summary lines, the earlier answer, numbers.

    Landline numbers stay (halls' public numbers); a resident's own is only ever shown
    masked by the flows.
    """
    if not text:
        return text
    kind = asked_field(text)
    if kind is not None:  # "好的，回到上一步。您之前填的是：王秀英\n（第4步…）请告诉我老人的姓名。"
        text = _PREVIOUS_ANSWER.sub(lambda m: m.group(1) + mask_value(kind, m.group(2)), text)
    return mask_personal_data(mask_labelled_lines(text), landlines=False)


def _deep(value: Any, *, landlines: bool = True) -> Any:
    """Every string inside ``value`` (dicts, lists) with numbers masked."""
    if isinstance(value, str):
        return mask_personal_data(value, landlines=landlines)
    if isinstance(value, dict):
        return {key: _deep(item, landlines=landlines) for key, item in value.items()}
    if isinstance(value, list):
        return [_deep(item, landlines=landlines) for item in value]
    return value


def _is_command(event: Mapping[str, Any]) -> bool:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    return intent.get("name") in COMMAND_INTENTS and (intent.get("confidence") or 0) >= 1.0


class ConversationMasker:
    """Masks one conversation's events in order, remembering what was just asked."""

    def __init__(self) -> None:
        self.asked: str | None = None
        self.answer: dict[str, str] = {}  # the last message's texts (raw, parsed) -> masked

    def observe(self, event: Mapping[str, Any]) -> None:
        """Take note of an event that is already stored (the context of new ones).

        Leaves the same state as :meth:`mask` without masking what nothing reads later:
        of a bot message only what it asked, of a user message only its masked texts.
        """
        kind = event.get("event")
        if kind == "bot":
            self.asked = asked_field(event.get("text") or "")
        elif kind == "user":
            self.answer = {}
            parse_data = event.get("parse_data")
            for text in (event.get("text"), parse_data.get("text") if isinstance(parse_data, dict) else None):
                if isinstance(text, str) and text:
                    self.answer[text] = self._user_text(text, event)

    def _user_text(self, text: Any, event: Mapping[str, Any]) -> Any:
        if not isinstance(text, str) or not text:
            return text
        return mask_answer(text, None if _is_command(event) else self.asked)

    def mask(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """A masked copy of one new event (the input is not changed)."""
        kind = event.get("event")
        masked: dict[str, Any] = dict(event)
        if kind == "user":
            masked["text"] = self._user_text(event.get("text"), event)
            self.answer = {event["text"]: masked["text"]} if event.get("text") else {}
            parse_data = event.get("parse_data")
            if isinstance(parse_data, dict):
                masked["parse_data"] = {
                    key: (value if key in _UNTOUCHED_PARSE_KEYS
                          else self._user_text(value, event) if key == "text" else _deep(value))
                    for key, value in parse_data.items()
                }
                if isinstance(parse_data.get("text"), str) and parse_data["text"]:
                    self.answer[parse_data["text"]] = masked["parse_data"]["text"]
        elif kind == "slot":
            value = event.get("value")
            if isinstance(value, str) and value in self.answer:
                masked["value"] = self.answer[value]  # a slot filled from the message text
            else:
                masked["value"] = _deep(value)
        elif kind == "bot":
            text = event.get("text")
            masked["text"] = mask_bot_text(text) if isinstance(text, str) else text
            if event.get("data") is not None:
                masked["data"] = _deep(event.get("data"), landlines=False)
            self.asked = asked_field(event.get("text") or "")
        return masked


def mask_events(events: Iterable[Mapping[str, Any]],
                stored: Iterable[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """Masked copies of ``events``; ``stored`` are the conversation's earlier events."""
    masker = ConversationMasker()
    for event in stored:
        masker.observe(event)
    return [masker.mask(event) for event in events]


