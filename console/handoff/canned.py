"""常用回复: replies every agent shares, managed at /handoff/replies, each change audited.

A canned reply is a short title (what the agent picks, unique) and the text put in the
reply box; the agent can still edit it before sending. Each add, edit and delete is one
transaction with its audit entry (audit.write), so no change is stored unrecorded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.service import MAX_TEXT_CHARS
from console.auth import audit
from console.auth.audit import Actor
from console.tables import CannedReply, utc_naive

MAX_TITLE_CHARS = 40
#: The reply box's own limit (bot/handoff/service.py), so a canned reply always fits.
MAX_REPLY_CHARS = MAX_TEXT_CHARS
MAX_REPLIES = 200


class CannedError(ValueError):
    """A change was refused; the message is for staff (Chinese)."""


class CannedNotFound(CannedError, LookupError):
    def __init__(self) -> None:
        super().__init__("没有找到这条常用回复，可能已被其他同事删除。")


@dataclass(frozen=True)
class Canned:
    id: int
    title: str
    text: str
    updated_by: str
    updated_at: datetime  # naive UTC


def _view(row: CannedReply) -> Canned:
    return Canned(row.id, row.title, row.text, row.updated_by, row.updated_at)


def list_replies(db: sessionmaker) -> list[Canned]:
    """Every canned reply, by title."""
    with db() as session:
        return [_view(r) for r in session.execute(select(CannedReply).order_by(CannedReply.title)).scalars()]


def get_reply(db: sessionmaker, reply_id: int) -> Canned | None:
    with db() as session:
        row = session.get(CannedReply, reply_id)
        return _view(row) if row is not None else None


def _checked(title: str, text: str) -> tuple[str, str]:
    title, text = (title or "").strip(), (text or "").strip()
    if not title or len(title) > MAX_TITLE_CHARS:
        raise CannedError(f"标题不能为空，最多 {MAX_TITLE_CHARS} 个字。")
    if not text or len(text) > MAX_REPLY_CHARS:
        raise CannedError(f"回复内容不能为空，最多 {MAX_REPLY_CHARS} 个字。")
    return title, text


def _title_free(session: Session, title: str, reply_id: int | None) -> None:
    query = select(CannedReply.id).where(CannedReply.title == title)
    if reply_id is not None:
        query = query.where(CannedReply.id != reply_id)
    if session.scalar(query) is not None:
        raise CannedError(f"已有标题为“{title}”的常用回复，请换一个标题。")


def add_reply(db: sessionmaker, actor: Actor, title: str, text: str, now: datetime | None = None) -> Canned:
    """A new canned reply; CannedError for an empty, too long or taken title, or too many replies."""
    title, text = _checked(title, text)
    with db.begin() as session:
        if (session.scalar(select(func.count()).select_from(CannedReply)) or 0) >= MAX_REPLIES:
            raise CannedError(f"常用回复最多 {MAX_REPLIES} 条，请先删除不用的。")
        _title_free(session, title, None)
        row = CannedReply(title=title, text=text, updated_by=actor.username, updated_at=utc_naive(now))
        session.add(row)
        session.flush()
        audit.write(session, actor.username, "handoff_canned_add",
                    actor.detail({"canned": row.id, "title": title, "text": text}), actor.ip, now)
        return _view(row)


def edit_reply(db: sessionmaker, actor: Actor, reply_id: int, title: str, text: str,
               now: datetime | None = None) -> Canned:
    """Change a canned reply's title and text; an unchanged one is not audited."""
    title, text = _checked(title, text)
    with db.begin() as session:
        row = session.get(CannedReply, reply_id)
        if row is None:
            raise CannedNotFound()
        if (row.title, row.text) == (title, text):
            return _view(row)
        _title_free(session, title, reply_id)
        detail = {"canned": reply_id, "title": title, "text": text}
        if row.title != title:
            detail["previous_title"] = row.title
        if row.text != text:
            detail["previous_text"] = row.text
        row.title, row.text, row.updated_by, row.updated_at = title, text, actor.username, utc_naive(now)
        audit.write(session, actor.username, "handoff_canned_edit", actor.detail(detail), actor.ip, now)
        return _view(row)


def delete_reply(db: sessionmaker, actor: Actor, reply_id: int, now: datetime | None = None) -> Canned:
    with db.begin() as session:
        row = session.get(CannedReply, reply_id)
        if row is None:
            raise CannedNotFound()
        gone = _view(row)
        session.delete(row)
        audit.write(session, actor.username, "handoff_canned_delete",
                    actor.detail({"canned": reply_id, "title": gone.title, "text": gone.text}), actor.ip, now)
        return gone
