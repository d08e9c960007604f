"""A staff member's message in the conversation's tracker, where every channel finds it.

An agent's reply becomes a bot utterance of the conversation, marked in its metadata:

    BotUttered(text, metadata={"handoff": {"message_id": 42, "agent": "工作人员"}})

so the web chat's history shows it like any other message, with the same id after a
reload (channels/webchat/history.py), and REST integrators read it from Rasa's
``GET /conversations/<id>/tracker`` (it is the REST channel's delivery). "agent" is the
label the resident sees, never the staff account's name. The text is masked as the
assistant's own stored messages are (bot/handoff/outbox.py gives it so).

The append takes the conversation's lock from Rasa's lock store first, as
channels/paused_tracker.py does, and looks for the message id before writing: a delivery
tried again (after a crash or a failed channel call) adds nothing the second time.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

#: How the page and WeChat name the author of a staff message.
STAFF_LABEL = "工作人员"


def staff_metadata(message_id: int) -> dict[str, Any]:
    return {"handoff": {"message_id": message_id, "agent": STAFF_LABEL}}


def staff_message_id(metadata: Mapping[str, Any] | None) -> int | None:
    """The hand-off message id a bot event's metadata carries, else None."""
    handoff = (metadata or {}).get("handoff")
    value = handoff.get("message_id") if isinstance(handoff, Mapping) else None
    return value if isinstance(value, int) else None


def find_staff_event(events: Iterable[Mapping[str, Any]], message_id: int) -> dict[str, Any] | None:
    """The bot event (as a dict) of staff message ``message_id``, if the tracker has it."""
    for event in events:
        if event.get("event") == "bot" and staff_message_id(event.get("metadata")) == message_id:
            return dict(event)
    return None


def find_handback_event(events: Iterable[Mapping[str, Any]], text: str) -> dict[str, Any] | None:
    """The latest bot event saying ``text`` (the hand-back message, appended by
    bot/handoff/handback.py without hand-off metadata), else None."""
    found = None
    for event in events:
        if event.get("event") == "bot" and event.get("text") == text:
            found = event
    return dict(found) if found is not None else None


#: Runs under the lock with the conversation's tracker before anything is written; raises to
#: stop the append (WeChat: the resident's 48-hour window, channels/wechat/handoff.py).
Check = Callable[[DialogueStateTracker], Awaitable[None]]


async def append_staff_reply(agent: Any, conversation_id: str, message_id: int, text: str,
                             check: Check | None = None) -> dict[str, Any]:
    """Append staff message ``message_id`` to the conversation, once; its event as a dict.

    ``text`` comes masked as the tracker store masks the assistant's messages, so the event
    returned is the one the store gives back (the web chat's ids rest on that).
    """
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.processor.get_tracker(conversation_id)
        if check is not None:
            await check(tracker)
        earlier = find_staff_event((e.as_dict() for e in tracker.events if isinstance(e, BotUttered)), message_id)
        if earlier is not None:
            return earlier
        event = BotUttered(text, data={}, metadata=staff_metadata(message_id))
        tracker.update(event, agent.domain)
        await agent.processor.save_tracker(tracker)
        return event.as_dict()
