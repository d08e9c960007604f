"""Rasa's agent as the channels use it, without a model: real trackers, store and lock store.

What channels/ touch of Rasa's agent is its lock store, ``processor.get_tracker`` /
``save_tracker``, its tracker store and domain (channels/conversations.py,
paused_tracker.py, staff_replies.py). Here they are Rasa's own in-memory classes, so
tracker events, locks and what the store gives back behave as in the server; only the
model (NLU, policies) is missing, which the hand-off's delivery never uses.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.conversations import Conversations


class RasaAgent:
    def __init__(self) -> None:
        self.domain = Domain.empty()
        self.tracker_store = InMemoryTrackerStore(self.domain)
        self.lock_store = InMemoryLockStore()
        self.processor = SimpleNamespace(get_tracker=self._get, save_tracker=self.tracker_store.save)

    def is_ready(self) -> bool:
        return True

    async def _get(self, conversation_id: str) -> DialogueStateTracker:
        return await self.tracker_store.get_or_create_tracker(conversation_id, append_action_listen=False)

    async def add(self, conversation_id: str, *events: Event) -> None:
        """Append ``events`` to a conversation, as a turn of Rasa's would (under its lock)."""
        async with self.lock_store.lock(conversation_id):
            tracker = await self._get(conversation_id)
            for event in events:
                tracker.update(event, self.domain)
            await self.tracker_store.save(tracker)

    async def said(self, conversation_id: str, text: str, timestamp: float | None = None) -> None:
        """The resident wrote ``text`` (a user event, at ``timestamp`` if given)."""
        await self.add(conversation_id, UserUttered(text, timestamp=timestamp))

    async def events(self, conversation_id: str) -> list[dict[str, Any]]:
        tracker = await self.tracker_store.retrieve(conversation_id)
        return [event.as_dict() for event in tracker.events] if tracker else []


def conversations_of(agent: Any) -> Conversations:
    """The channels' window on ``agent``, as if Rasa's Sanic app held it."""
    conversations = Conversations()
    conversations.app = SimpleNamespace(ctx=SimpleNamespace(agent=agent))  # type: ignore[assignment]
    return conversations
