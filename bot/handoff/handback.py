"""Closing a hand-off and giving the conversation back to the assistant.

:func:`close_and_hand_back` is what the console calls when an agent closes: the close
itself (bot/handoff/service.py: note required, hand-back message queued for delivery),
then the conversation resumed in Rasa by appending, to its tracker,

    ConversationResumed, the hand-back message (BotUttered), ActionExecuted(action_listen)

(:func:`resume_events`). The last one matters: the paused turn ended with the hand-off
action, and the rules (data/rules/) match a message only after action_listen, so without
it the resident's next question would get the fallback instead of an answer.

Why Rasa's HTTP API on loopback (``POST /conversations/<id>/tracker/events``, with the
admin token, as the console already loads models) rather than writing the tracker store:
the API appends under Rasa's conversation lock (rasa/server.py ``append_events``; the
Redis lock store in the cluster profile), so it cannot interleave with a resident's
message being processed, on any node, and the events go through our masking tracker
store and the event broker like any other. Writing the store from the console would need
Rasa's domain and tracker classes in the console, skip the lock, and race a turn that
saves the same conversation (Rasa finds its new events by counting the stored ones).

Before the API call it waits, briefly (bot/handoff/outbox.py ``wait_for_replies``), until
the Rasa server has delivered the agent's replies (channels/handoff_delivery.py): they are
appended to the tracker as they are delivered, and must come before the hand-back.

If Rasa cannot be reached, the request stays closed and ``resumed_at`` empty: the
channels' gate (channels/handoff_gate.py) hands the conversation back at the resident's
next message, inside the Rasa server, the same way. Nothing is lost either way.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from sqlalchemy.orm import sessionmaker

from bot.config import get_settings
from bot.evaluation.invitations import Context, subject_of
from bot.evaluation.ratings import forget_invitation, invite
from bot.evaluation.texts import invitation, invitation_text, what_was_rated
from bot.handoff.errors import HandoffError
from bot.handoff.models import HandoffRequest
from bot.handoff.outbox import wait_for_replies
from bot.handoff.service import Closed, close, mark_resumed
from bot.handoff.statuses import HandoffStatus

logger = logging.getLogger(__name__)

ACTION_LISTEN = "action_listen"


class RasaUnreachable(RuntimeError):
    """Rasa's HTTP API did not take the events (down, API off, wrong token)."""


def resume_events(text: str, pending_choice: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The events that hand a paused conversation back, as Rasa's JSON (rasa.shared.core.events).

    ``pending_choice``: the numbered question the message ends with (a rating invitation),
    so the resident's "1" is read against it (actions/choices.py).
    """
    slots = [{"event": "slot", "name": "pending_choice", "value": pending_choice}] if pending_choice else []
    return [{"event": "resume"}, {"event": "bot", "text": text, "data": {}, "metadata": {}}, *slots,
            {"event": "action", "name": ACTION_LISTEN}]


@dataclass(frozen=True)
class RasaApi:
    """Rasa's HTTP API (``--enable-api`` with an auth token), on loopback by default."""

    url: str
    token: str
    timeout: float = 5.0

    def append_events(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        path = f"/conversations/{quote(conversation_id, safe=':')}/tracker/events"
        try:
            response = requests.post(f"{self.url.rstrip('/')}{path}", params={"token": self.token},
                                     json=events, timeout=self.timeout)
        except requests.RequestException as error:
            raise RasaUnreachable(f"Rasa API: {type(error).__name__}") from None
        if response.status_code != 200:
            raise RasaUnreachable(f"Rasa API answered HTTP {response.status_code}")
        try:
            state = response.json()
        except ValueError:
            state = None
        # Rasa answers with the conversation's state: make sure it is this conversation and no longer paused.
        if not isinstance(state, dict) or state.get("sender_id") != conversation_id or state.get("paused"):
            raise RasaUnreachable("Rasa API did not resume this conversation")


def rasa_from_env() -> RasaApi | None:
    """RASA_URL (default http://localhost:5005) and RASA_TOKEN or var/rasa_token, as the console reads them."""
    token = os.environ.get("RASA_TOKEN", "").strip()
    if not token:
        token_file = Path(get_settings().var_dir) / "rasa_token"
        token = token_file.read_text(encoding="utf-8").strip() if token_file.is_file() else ""
    if not token:
        return None
    return RasaApi(os.environ.get("RASA_URL", "http://localhost:5005"), token)


@dataclass(frozen=True)
class Invited:
    """A rating invitation for the closed hand-off (好差评), said with the hand-back message."""

    conversation_id: str
    subject: str
    text: str
    pending: dict[str, Any]


def rating_invitation(sessions: sessionmaker, request_id: int) -> Invited | None:
    """Invite a rating of the hand-off unless the rules say no (bot/evaluation/invitations.py).

    A request made inside a guided flow is not rated now: the resident goes back to the flow.
    """
    with sessions() as session:
        request = session.get(HandoffRequest, request_id)
        if request is None or request.status != HandoffStatus.CLAIMED.value or request.flow_step:
            return None
        conversation, channel = request.conversation_id, request.channel
        service_id, district = request.service_id, request.district
    subject = subject_of(Context.HANDOFF, str(request_id))
    if not invite(sessions, conversation_id=conversation, subject=subject, channel=channel, service_id=service_id,
                  reference=f"转人工-{request_id}", district=district):
        return None
    what = what_was_rated(None, Context.HANDOFF.value)
    return Invited(conversation, subject, invitation_text(what), invitation(what)[2])


@dataclass(frozen=True)
class HandedBack:
    closed: Closed
    #: False: Rasa was not reached; the gate resumes the conversation at the resident's next message.
    resumed: bool


def close_and_hand_back(sessions: sessionmaker, rasa: RasaApi | None, *, request_id: int, agent: str,
                        note: str) -> HandedBack:
    """Close a claimed request (errors as :func:`bot.handoff.service.close`), then resume its conversation."""
    invited = rating_invitation(sessions, request_id)
    try:
        closed = close(sessions, request_id=request_id, agent=agent, note=note,
                       then_say=invited.text if invited else "")
    except HandoffError:
        if invited is not None:
            forget_invitation(sessions, conversation_id=invited.conversation_id, subject=invited.subject)
        raise
    if rasa is None:
        logger.warning("hand-off %s closed; no Rasa API token, the conversation resumes at the next message",
                       request_id)
        return HandedBack(closed, False)
    if not wait_for_replies(sessions, request_id=request_id):  # the agent's last words come first
        logger.warning("hand-off %s: replies still undelivered; handing back before them", request_id)
    try:
        rasa.append_events(closed.request.conversation_id,
                           resume_events(closed.handback.text, invited.pending if invited else None))
    except RasaUnreachable as error:
        logger.warning("hand-off %s closed; resuming later: %s", request_id, error)
        return HandedBack(closed, False)
    mark_resumed(sessions, request_id=request_id)
    return HandedBack(closed, True)
