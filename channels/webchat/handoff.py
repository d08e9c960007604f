"""Staff messages shown live on the web chat page (channels/handoff_delivery.py calls it).

The page keeps what it shows by message id and, when it (re)connects, asks for everything
newer than the last message it has (channels/webchat/channel.py ``session_request``).
So a staff message is pushed exactly as the history will give it later: built from its
tracker event (as the tracker store gives it back: channels/staff_replies.py) by
channels/webchat/history.py, same id, same timestamp. A page that was
away when it was pushed gets it from the history; a page that got it merges the history's
copy onto it. The push goes to the conversation's room, which in a cluster reaches the
page on whichever node it is connected to (socket.io's Redis manager).

The hand-back message is in the tracker already (bot/handoff/handback.py, or the gate);
it is looked up by its text. Should it be missing (the conversation was not paused when
handed back), it is pushed as a message of its own whose id no history repeats.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from bot.handoff.outbox import AGENT, Claimed
from channels.handoff_delivery import TryLater, into_tracker
from channels.staff_replies import find_handback_event
from channels.webchat.history import chat_messages

if TYPE_CHECKING:
    from channels.webchat.channel import WebChatInput


def _untracked(message: Claimed) -> dict[str, Any]:
    return {"id": f"handoff-{message.message_id}", "role": "bot", "text": message.text, "ts": time.time(),
            "buttons": [], "custom": None, "client_id": None, "display": None, "author": None}


class WebChatDeliverer:
    def __init__(self, channel: WebChatInput) -> None:
        self._channel = channel

    async def deliver(self, message: Claimed) -> None:
        sio = self._channel.sio
        if sio is None:
            raise TryLater("webchat:not_started")
        conversations = self._channel.conversations
        if message.direction == AGENT:
            event: dict[str, Any] | None = await into_tracker(conversations, message)
        else:
            event = find_handback_event(await conversations.events(message.conversation_id), message.text)
        shown = chat_messages([event]) if event is not None else [_untracked(message)]
        await sio.emit("messages", {"messages": shown}, room=message.conversation_id)
