"""SQL tracker store that never writes residents' personal data unmasked.

Rasa keeps every event of every conversation. Before new events are written they go
through :mod:`bot.event_masking`: ID, phone and bank-card numbers in any spelling the
parsers accept, in user messages, their parse data, slots and bot messages; names and
addresses given as answers to the flows' questions and listed in their summaries. Events
published to an event broker (a cluster's Kafka or RabbitMQ) are masked the same way.
Actions still see the real text of the current message (they receive the tracker
before it is saved); flows keep their answers in drafts (bot/flows/drafts.py), not in
slots. Configured in endpoints.yml as `type: bot.tracker_store.MaskingSQLTrackerStore`.

Building this store is also where the Rasa server starts masking its logs
(:func:`bot.logging_setup.install_log_masking`): `rasa run` has no start-up hook of its
own, and this class is built exactly once, at start, after Rasa and Sanic have set up
their logging and before the first message is read.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event

from bot.event_masking import ConversationMasker
from bot.logging_setup import install_log_masking


def masked_events(events: list[Event], stored: int) -> list[Event]:
    """``events[stored:]`` with personal data masked; the first ``stored`` are context.

    An event that needs no change is returned as it is; others are rebuilt from their
    masked dict, exactly as Rasa itself reads them back from the store.
    """
    masker = ConversationMasker()
    for event in events[:stored]:
        masker.observe(event.as_dict())
    out = []
    for event in events[stored:]:
        original = event.as_dict()
        masked = masker.mask(original)
        out.append(event if masked == original else Event.from_parameters(masked))
    return out


class MaskingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        install_log_masking()
        super().__init__(*args, **kwargs)

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        new = list(super()._additional_events(session, tracker))
        events = list(tracker.events)
        return iter(masked_events(events, len(events) - len(new)))

    async def stream_events(self, tracker: Any) -> None:
        """Publish new events to the event broker (if one is configured) masked as well."""
        if self.event_broker is None:
            return
        previous = await self.retrieve(tracker.sender_id)
        events = list(tracker.events)
        new = masked_events(events, len(previous.events) if previous else 0)
        await self._stream_new_events(self.event_broker, new, tracker.sender_id)
