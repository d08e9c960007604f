"""A conversation's tracker changed inside the Rasa server while a person has it.

Each function takes the conversation's lock from Rasa's lock store first, as Rasa's own
handling of a message and its HTTP API do (rasa/core/agent.py ``handle_message``,
rasa/server.py ``append_events``), so nothing here interleaves with a turn of the same
conversation, on this node or (the cluster's Redis lock store) any other.

- :func:`log_silently`: the resident's message goes into the tracker, and no action runs.
  That is what Rasa's processor does for a paused tracker anyway (``_should_handle_message``
  in rasa/core/processor.py is False while ``tracker.is_paused()``); logging without the
  prediction loop also covers a tracker whose pause a new session reset (a resident
  silent for longer than the domain's session_expiration_time): it is paused again.
- :func:`hand_back`: ConversationResumed, the assistant's message and action_listen
  (bot/handoff/handback.py ``resume_events``), only if the tracker is still paused, so a
  hand-back done twice (the console's and the gate's) adds nothing the second time.
"""
from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ConversationPaused, Event

from bot.handoff.handback import resume_events


def _resume(agent: Any, tracker: Any, text: str) -> None:
    for event in resume_events(text):
        tracker.update(Event.from_parameters(event), agent.domain)


async def log_silently(agent: Any, message: UserMessage, *, then_hand_back: str | None = None) -> None:
    """Log `message` without predicting; keep the conversation paused, or hand it back with that text."""
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.processor.log_message(message, should_save_tracker=False)
        if then_hand_back is not None:
            _resume(agent, tracker, then_hand_back)
        elif not tracker.is_paused():
            tracker.update(ConversationPaused(), agent.domain)
        await agent.processor.save_tracker(tracker)


async def hand_back(agent: Any, conversation_id: str, text: str) -> bool:
    """Resume a paused conversation with `text`; False (nothing written) when it was not paused."""
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.processor.get_tracker(conversation_id)
        if not tracker.is_paused():
            return False
        _resume(agent, tracker, text)
        await agent.processor.save_tracker(tracker)
    return True
