"""SQL tracker store that never writes residents' ID, phone or bank-card numbers.

Rasa keeps every user message in the tracker store. Before events are written, the
text of user messages (and the text in their parse data) is masked with
:func:`bot.personal.masking.mask_personal_data`. Actions still see the real text of
the current message (they receive the tracker before it is saved); flows keep their
answers in drafts (bot/flows/drafts.py), not in slots. Configured in endpoints.yml
as `type: bot.tracker_store.MaskingSQLTrackerStore`.
"""
from __future__ import annotations

import copy
from typing import Any, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet, UserUttered

from bot.personal.masking import mask_personal_data


def masked_event(event: Any) -> Any:
    """A copy of a user message or text slot event with personal data masked.

    Text slots matter too: the guided form's `flow_done` slot briefly holds each answer.
    """
    if isinstance(event, SlotSet) and isinstance(event.value, str):
        masked_slot = copy.deepcopy(event)
        masked_slot.value = mask_personal_data(event.value)
        return masked_slot
    if not isinstance(event, UserUttered) or not event.text:
        return event
    masked = copy.deepcopy(event)
    masked.text = mask_personal_data(event.text)
    if isinstance(masked.parse_data, dict) and masked.parse_data.get("text"):
        masked.parse_data["text"] = mask_personal_data(masked.parse_data["text"])
    return masked


class MaskingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        return (masked_event(e) for e in super()._additional_events(session, tracker))
