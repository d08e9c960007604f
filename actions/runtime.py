"""What every action needs: the catalogue repository and blocking calls with a timeout.

Nothing here touches the database at import time; the repository is built on first use.
"""
from __future__ import annotations

import abc
import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot.catalogue.repository import CatalogueRepository
from bot.config import get_settings
from bot.db import session_factory
from bot.nlu.service_decision import service_id_of as service_id_from_intent
from bot.replies import SERVICE_UNAVAILABLE

logger = logging.getLogger(__name__)
T = TypeVar("T")
__all__ = ["GuardedAction", "catalogue", "run_blocking", "service_id_from_intent"]


@functools.lru_cache(maxsize=1)
def catalogue() -> CatalogueRepository:
    settings = get_settings()
    return CatalogueRepository(session_factory(settings.database_url), cache_s=settings.catalogue_cache_s)


async def run_blocking(fn: Callable[..., T], *args: Any) -> T:
    """Run a blocking call (database) in a thread, bounded by the action timeout."""
    return await asyncio.wait_for(asyncio.to_thread(fn, *args), get_settings().action_timeout_s)


class GuardedAction(Action, metaclass=abc.ABCMeta):
    """An action whose back-end failures become a polite reply instead of a crash.

    Subclasses implement :meth:`respond`; a timeout or database error is logged and the
    resident is told to try again or call 12345.
    """

    @abc.abstractmethod
    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> list[EventType]:
        """The action's work; errors are handled by :meth:`run`."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        try:
            return await self.respond(dispatcher, tracker, domain)
        except (asyncio.TimeoutError, SQLAlchemyError, LookupError):
            logger.exception("action %s failed", self.name())
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return []
