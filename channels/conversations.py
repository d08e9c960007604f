"""The channels' window on the running Rasa server's conversations: read, and erase.

Channels get the Sanic app (and through it the agent and its tracker store) when their
blueprint is registered; :class:`Conversations` keeps that handle.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
)
from sanic import Blueprint, Sanic
from sqlalchemy import delete

from bot.config import get_settings
from bot.db import session_factory
from bot.flows.drafts import FlowDraft
from bot.handoff.service import withdraw

logger = logging.getLogger(__name__)


def _innermost(store: Any) -> Any:
    """Rasa wraps the configured store (AwaitableTrackerStore, FailSafeTrackerStore)."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def _erase_drafts(sender_id: str) -> int:
    """Half-filled applications of the conversation (bot/flows/drafts.py), and its 转人工 ended.

    A hand-off of an erased conversation is withdrawn (bot/handoff/service.py): there is no
    tracker left to pause or resume, and staff must not go on writing into it. Its record
    stays with the hand-offs, like a submitted application, until the retention purge.
    """
    sessions = session_factory(get_settings().database_url)
    withdraw(sessions, conversation_id=sender_id)
    with sessions.begin() as session:
        return session.execute(delete(FlowDraft).where(FlowDraft.sender_id == sender_id)).rowcount or 0


class Conversations:
    def __init__(self) -> None:
        self.app: Sanic | None = None

    def attach(self, app: Sanic) -> None:
        self.app = app

    def agent(self) -> Any:
        """Rasa's agent when it has a model loaded, else None."""
        agent = getattr(self.app.ctx, "agent", None) if self.app else None
        return agent if agent is not None and agent.is_ready() else None

    def _store(self) -> Any:
        agent = getattr(self.app.ctx, "agent", None) if self.app else None
        return agent.tracker_store if agent is not None else None

    async def events(self, sender_id: str) -> list[dict[str, Any]]:
        """The current session's events as dicts (empty for an unknown conversation)."""
        store = self._store()
        if store is None:
            return []
        tracker = await store.retrieve(sender_id)
        return [event.as_dict() for event in tracker.events] if tracker else []

    async def erase(self, sender_id: str) -> None:
        """Delete every stored event of the conversation and its flow drafts."""
        store = _innermost(self._store())
        if isinstance(store, SQLTrackerStore):
            with store.session_scope() as session:
                session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete()
                session.commit()
        elif isinstance(store, InMemoryTrackerStore):
            store.store.pop(sender_id, None)
        elif isinstance(store, RedisTrackerStore):
            store.red.delete(store.key_prefix + sender_id)
        elif store is not None:
            raise NotImplementedError(f"erasing from {type(store).__name__} is not supported")
        drafts = await asyncio.to_thread(_erase_drafts, sender_id)
        logger.info("conversation erased at the resident's request (%d drafts)", drafts)


class AppCapturingBlueprint(Blueprint):
    """A blueprint that hands the app to `conversations` when Rasa registers it."""

    def __init__(self, conversations: Conversations, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.conversations = conversations

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.conversations.attach(app)
        super().register(app, options)
