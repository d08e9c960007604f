"""The staff's catalogue actions, audited: save or delete a service, file an inbox message
under a service, and take such a filing back.

Each is one transaction of bot/catalogue/editing.py; the audit entry (and, from the inbox,
the decision that takes the message out of it) is written inside it through
``on_change``, so a change is never stored without them. Routes only translate input and
output, as they do for the teaching actions (console/teaching/service.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.catalogue import editing
from bot.catalogue.editing import Change, EditRefused
from bot.catalogue.models import Service
from console.auth import audit
from console.auth.audit import Actor
from console.teaching import decisions
from console.teaching.decisions import AlreadyDecided

#: Audit action codes, by editing.Change.action.
AUDIT_ACTIONS = {"create": "service_create", "update": "service_update", "delete": "service_delete",
                 "add_example": "service_example", "remove_example": "service_example_remove"}


def _audited(actor: Actor):
    def on_change(session: Session, change: Change) -> None:
        audit.write(session, actor.username, AUDIT_ACTIONS[change.action], actor.detail(change.detail()), actor.ip)
    return on_change


def save_service(db: sessionmaker, actor: Actor, service_id: str, values: Mapping[str, Any]) -> Change:
    """Create a service (no ``service_id``) or update one; EditRefused says why not."""
    if service_id:
        return editing.update_service(db, service_id, values, on_change=_audited(actor))
    return editing.create_service(db, values, on_change=_audited(actor))


def delete_service(db: sessionmaker, actor: Actor, service_id: str) -> Change:
    return editing.delete_service(db, service_id, on_change=_audited(actor))


def service_id_named(db: sessionmaker, name: str) -> str:
    """The id of the service with this exact official name; EditRefused if none."""
    name = (name or "").strip()
    if not name:
        raise EditRefused("请选择服务事项。")
    with db() as session:
        found = session.scalar(select(Service.id).where(Service.name == name))
    if found is None:
        raise EditRefused(f"没有名为“{name}”的服务事项，请从列表中选择。")
    return found


def assign_to_service(db: sessionmaker, actor: Actor, text: str, service_name: str) -> Change:
    """Make an inbox message an example question of the service named ``service_name``.

    Search finds the service by it within seconds, no retraining; the message leaves the
    inbox. Raises EditRefused (nothing chosen, no such service, the example refused) or
    AlreadyDecided; nothing is written then.
    """
    key = decisions.key_of(text)
    if not key:
        raise EditRefused("消息内容为空。")
    service_id = service_id_named(db, service_name)
    if decisions.get_decision(db, text):
        raise AlreadyDecided(key)

    def on_change(session: Session, change: Change) -> None:
        decisions.add_decision(session, text, decisions.SERVICE, change.service_id, actor.username)
        detail = {"service": change.service_id, "name": change.name, "example": text.strip(), "from_inbox": True}
        audit.write(session, actor.username, AUDIT_ACTIONS["add_example"], actor.detail(detail), actor.ip)

    return editing.add_example(db, service_id, text, on_change=on_change)


class _Gone(Exception):
    """The decision was taken back meanwhile: the transaction must not commit."""


def take_back_example(db: sessionmaker, actor: Actor, decision: decisions.Decision,
                      audit_detail: Mapping[str, Any]) -> bool:
    """Revert an 归入服务事项 decision: the example question leaves the service and the
    message returns to the inbox, with one ``inbox_revert`` audit entry, all in one transaction.

    False (nothing written) when the decision was already gone. A service deleted since, or
    no longer holding the question, only loses the decision.
    """
    def on_change(session: Session, change: Change) -> None:
        if not decisions.delete_decision(session, decision.id):
            raise _Gone
        audit.write(session, actor.username, "inbox_revert",
                    actor.detail({**audit_detail, "name": change.name}), actor.ip)

    try:
        change = editing.remove_example(db, decision.intent or "", decision.text_normalized, on_change=on_change)
        if change.changed:
            return True
    except _Gone:
        return False
    except editing.ServiceMissing:
        pass
    with db.begin() as session:  # nothing to take out of the catalogue
        if not decisions.delete_decision(session, decision.id):
            return False
        audit.write(session, actor.username, "inbox_revert", actor.detail(dict(audit_detail)), actor.ip)
    return True
