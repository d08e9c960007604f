"""What an agent does at the hand-off desk (人工服务), each step audited.

bot/handoff/service.py owns every change and its transaction and settles races (two
claims, a reply after a transfer) with typed errors; this module calls it in the agent's
name and then writes the audit entry, masked (console/auth/audit.py). A refused step
raises before anything is written, so the log holds only what happened.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import sessionmaker

from bot.handoff import service
from bot.handoff.errors import HandoffError
from bot.handoff.handback import HandedBack, RasaApi, close_and_hand_back
from bot.handoff.views import MessageView, RequestView
from console.auth import accounts, audit
from console.auth.audit import Actor
from console.auth.roles import Permission, allows, role_label
from console.handoff.idle import idle_limit, last_seen
from console.tables import utc_naive


class NotAnAgent(HandoffError, ValueError):
    """A transfer names no active account that may take hand-offs."""


@dataclass(frozen=True)
class Colleague:
    """Someone a conversation can be transferred to."""

    username: str
    role: str  # 坐席 / 管理员
    online: bool  # a request within the idle limit


def claim(db: sessionmaker, actor: Actor, request_id: int) -> RequestView:
    """Take a queued resident; AlreadyTaken when another agent was first."""
    taken = service.claim(db, request_id=request_id, agent=actor.username)
    audit.record(db, actor.username, "handoff_claim",
                 actor.detail({"request": request_id, "channel": taken.channel}), actor.ip)
    return taken


def reply(db: sessionmaker, actor: Actor, request_id: int, text: str) -> MessageView:
    """Send text to the resident (the channel delivers it); NotHolder unless the agent holds it."""
    sent = service.reply(db, request_id=request_id, agent=actor.username, text=text)
    audit.record(db, actor.username, "handoff_reply", actor.detail({"request": request_id, "text": sent.text}),
                 actor.ip)
    return sent


def transfer(db: sessionmaker, actor: Actor, request_id: int, to_agent: str) -> RequestView:
    """Hand the conversation to a colleague who may take hand-offs; NotAnAgent, NotHolder, InvalidAgent."""
    target = accounts.get_user(db, to_agent) if to_agent else None
    if target is None or not target.active or not allows(target.role, Permission.HANDLE_HANDOFF):
        raise NotAnAgent(to_agent)
    moved = service.transfer(db, request_id=request_id, agent=actor.username, to_agent=target.username)
    audit.record(db, actor.username, "handoff_transfer",
                 actor.detail({"request": request_id, "to_agent": target.username}), actor.ip)
    return moved


def close(db: sessionmaker, actor: Actor, request_id: int, note: str, rasa: RasaApi | None) -> HandedBack:
    """End the conversation with a note and give it back to the assistant (now, or at the next message)."""
    done = close_and_hand_back(db, rasa, request_id=request_id, agent=actor.username, note=note)
    audit.record(db, actor.username, "handoff_close",
                 actor.detail({"request": request_id, "note": done.closed.request.note,
                               "handed_back": done.resumed}), actor.ip)
    return done


def release_on_logout(db: sessionmaker, actor: Actor, now: datetime | None = None) -> list[int]:
    """Signing out (the session already ended): the residents still waiting for this agent's
    answer go back to the queue, unless the agent is still at the desk in another session
    (another browser or device active within the idle limit, console/handoff/idle.py)."""
    now = utc_naive(now)
    elsewhere = last_seen(db, [actor.username], now).get(actor.username)
    if elsewhere is not None and now - elsewhere < idle_limit():
        return []
    ids = service.release(db, agent=actor.username, only_unanswered=True)
    if ids:
        audit.record(db, actor.username, "handoff_release_logout", actor.detail({"requests": ids}), actor.ip)
    return ids


def colleagues(db: sessionmaker, me: str, now: datetime | None = None) -> list[Colleague]:
    """Active accounts that may take hand-offs, but `me`: online ones first, then by name."""
    now = utc_naive(now)
    found = [a for a in accounts.list_users(db)
             if a.active and a.username != me and allows(a.role, Permission.HANDLE_HANDOFF)]
    seen = last_seen(db, [a.username for a in found], now)
    limit = idle_limit()
    people = [Colleague(a.username, role_label(a.role), a.username in seen and now - seen[a.username] < limit)
              for a in found]
    return sorted(people, key=lambda c: (not c.online, c.username))
