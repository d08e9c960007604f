"""How an embedded chat begins: the host page's service or topic, and its address.

A site embeds the widget with ``data-service`` (a catalogue service id) or ``data-topic`` (a
family of services, bot/families.py); the widget's iframe URL carries it with the host page's
address, and the page sends both with its opening "/greet" as ``opening`` (web/src/embed.js).
Nothing of it reaches Rasa as given: the service must be in the catalogue and the topic a
known family, and the channel itself writes what the assistant receives (the service's intent
as a payload, or its name when it was added after training), so a URL can never carry a Rasa
command. The address is kept, as origin and path only, bounded and masked, when its origin
may frame the chat (embedding.py); it becomes the user event's metadata ``entry``, which
bot/analytics/facts.py records as the conversation's entry point.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError

from bot.families import FAMILIES, FAMILY_INTENT_PREFIX
from bot.nlu.service_decision import intent_of
from bot.personal.masking import mask_personal_data
from channels.webchat.embedding import FrameAncestors

logger = logging.getLogger(__name__)

MAX_ENTRY_CHARS = 200  # the analytics column's width (bot/analytics/models.py)
_SERVICE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_PATH = re.compile(r"^/[\x21-\x7e]*$")  # printable ASCII, as browsers send a path (percent-encoded)
TOPICS = {family.intent[len(FAMILY_INTENT_PREFIX):]: family.intent for family in FAMILIES}


@dataclass(frozen=True)
class Opening:
    """What the assistant receives instead of "/greet", and the metadata of that first message."""

    text: str
    metadata: dict[str, str] = field(default_factory=dict)


def entry_of(value: Any, ancestors: FrameAncestors, self_origin: str | None) -> str | None:
    """``value`` as origin + path when it is a host page the allow-list names; None otherwise."""
    if not isinstance(value, str) or len(value) > 2 * MAX_ENTRY_CHARS:
        return None
    try:
        parts = urlsplit(value)
        origin = f"{parts.scheme}://{parts.netloc}"
    except ValueError:
        return None
    path = parts.path or "/"
    if not _PATH.match(path) or not ancestors.allows(origin, self_origin):
        return None
    return mask_personal_data(origin + path)[:MAX_ENTRY_CHARS]


def _service_name(service_id: str) -> str | None:
    from bot.catalogue.repository import CatalogueRepository
    from bot.config import get_settings
    from bot.db import session_factory

    names = CatalogueRepository(session_factory(get_settings().database_url)).service_names([service_id])
    name = names.get(service_id)
    return name if isinstance(name, str) and name else None


async def service_text(service_id: Any, intents: Collection[str]) -> str | None:
    """The message that asks about a catalogue service: its intent's payload, else its name."""
    if not isinstance(service_id, str) or not _SERVICE_ID.match(service_id):
        return None
    try:
        name = await asyncio.to_thread(_service_name, service_id)
    except SQLAlchemyError:
        logger.warning("web chat: the catalogue could not be read for an opening service", exc_info=True)
        return None
    if name is None:
        return None
    intent = intent_of(service_id)
    return f"/{intent}" if intent in intents else name  # a new service: found by its name (service_search)


def topic_text(topic: Any, intents: Collection[str]) -> str | None:
    """The payload of a family's intent ("hf_withdraw" → "/ask_family_hf_withdraw")."""
    intent = TOPICS.get(topic) if isinstance(topic, str) else None
    return f"/{intent}" if intent is not None and intent in intents else None


async def opening(raw: Any, greeting: str, *, ancestors: FrameAncestors, self_origin: str | None,
                  intents: Collection[str]) -> Opening:
    """The opening of a new conversation, from the page's ``opening`` (anything it sent)."""
    if not isinstance(raw, dict):
        return Opening(greeting)
    entry = entry_of(raw.get("entry"), ancestors, self_origin)
    text = await service_text(raw.get("service"), intents) if raw.get("service") is not None else None
    text = text or topic_text(raw.get("topic"), intents)
    return Opening(text or greeting, {"entry": entry} if entry else {})
