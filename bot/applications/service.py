"""Submitting applications and moving them through their statuses.

Each public function is one unit of work (one transaction) and returns the frozen
views of bot/applications/views.py, in which personal data is already masked. Typed
errors (bot/applications/errors.py) tell the caller what went wrong; the wording
residents see is the caller's job.

Personal fields are encrypted at rest by the column type (bot/security/columns.py), so
this module reads and writes them in the clear; equality on an ID number or phone goes
through the digest columns. One ID number may have one open application (受理/审核中)
of each kind: the check and the insert share one BEGIN IMMEDIATE transaction (on
PostgreSQL, one holding the advisory lock "application:<kind>:<ID digest>", see
bot.db.begin_immediate).

Idempotency (bot/receipts.py): a retried action call or a second "确认" with the same
key returns the first receipt and writes nothing. Two calls racing with the same key
are settled by the unique constraint on `idempotency_key`: the loser catches
IntegrityError, rolls back and returns the winner's receipt.
"""
from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.applications.errors import (
    ApplicationNotFound,
    InvalidApplication,
    InvalidTransition,
    OpenApplicationExists,
    ReasonRequired,
)
from bot.applications.kinds import ApplicationKind, kind_or_raise, stored_fields
from bot.applications.models import Application, ApplicationStatusChange
from bot.applications.statuses import OPEN_STATUSES, SYSTEM_ACTOR, TRANSITIONS, ApplicationStatus, parse_status
from bot.applications.views import ApplicationView, Receipt, application_view, district_names, receipt_view
from bot.db import begin_immediate
from bot.receipts import (
    KEY_RULE,
    MAX_RECEIPT_ATTEMPTS,
    IdempotencyConflict,
    is_valid_key,
    new_receipt_no,
    parse_receipt,
)
from bot.security.columns import id_digest, phone_digest
from bot.validators.phone import phone_digits


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _receipt_for_key(session: Session, *, idempotency_key: str, kind: str,
                     sender_id: str) -> Receipt | None:
    app = session.execute(
        select(Application).where(Application.idempotency_key == idempotency_key)
    ).scalar_one_or_none()
    if app is None:
        return None
    if app.sender_id != sender_id or app.kind != kind:
        raise IdempotencyConflict(idempotency_key)
    return receipt_view(app, is_new=False)


def _existing_receipt(sessions: sessionmaker, *, idempotency_key: str, kind: str,
                      sender_id: str) -> Receipt | None:
    with sessions() as session:
        return _receipt_for_key(session, idempotency_key=idempotency_key, kind=kind,
                                sender_id=sender_id)


def _refuse_second_open(session: Session, spec: ApplicationKind, digest: str) -> None:
    """Raise OpenApplicationExists if this ID already has an open application of the kind."""
    open_one = session.execute(
        select(Application.id).where(Application.id_digest == digest, Application.kind == spec.id,
                                     Application.status.in_(OPEN_STATUSES)).limit(1)
    ).first()
    if open_one is not None:
        raise OpenApplicationExists(spec.id, spec.name)


def _receipt_taken(sessions: sessionmaker, receipt_no: str) -> bool:
    with sessions() as session:
        return session.execute(
            select(Application.id).where(Application.receipt_no == receipt_no)
        ).first() is not None


def submit_application(sessions: sessionmaker, *, kind: str, sender_id: str, fields: Mapping[str, Any],
                       id_number: str, phone: str, idempotency_key: str) -> Receipt:
    """Store an application and its first history row (受理) in one transaction.

    `fields` are the form's values (keys as in bot/applications/kinds.py); `id_number` and
    `phone` are the applicant's (for 高龄津贴 the elder's ID) and must agree with the fields
    if these carry them. Raises OpenApplicationExists while the same ID number has an
    application of this kind in 受理 or 审核中. The transaction starts with BEGIN
    IMMEDIATE, so on SQLite the key and limit checks and the INSERT see no other writer
    in between (a racing retry with the same key gets the first receipt, not a refusal).
    """
    spec = kind_or_raise(kind)
    stored = stored_fields(spec, fields, id_number=id_number, phone=phone)
    if not is_valid_key(idempotency_key):
        raise InvalidApplication(KEY_RULE)
    key = idempotency_key
    earlier = _existing_receipt(sessions, idempotency_key=key, kind=kind, sender_id=sender_id)
    if earlier is not None:
        return earlier
    id_last4 = stored[spec.id_field][-4:]
    phone_last4 = phone_digits(stored[spec.phone_field])[-4:]
    id_hash, phone_hash = id_digest(stored[spec.id_field]), phone_digest(stored[spec.phone_field])
    for _ in range(MAX_RECEIPT_ATTEMPTS):
        now = _utcnow()
        app = Application(
            receipt_no=new_receipt_no(), kind=kind, sender_id=sender_id,
            status=ApplicationStatus.ACCEPTED.value, fields=stored, id_last4=id_last4,
            phone_last4=phone_last4, id_digest=id_hash, phone_digest=phone_hash,
            idempotency_key=key, created_at=now, updated_at=now,
        )
        app.history.append(ApplicationStatusChange(
            status=ApplicationStatus.ACCEPTED.value, actor=SYSTEM_ACTOR, at=now))
        try:
            with sessions.begin() as session:
                begin_immediate(session, f"application:{kind}:{id_hash}")
                earlier = _receipt_for_key(session, idempotency_key=key, kind=kind, sender_id=sender_id)
                if earlier is not None:
                    return earlier
                _refuse_second_open(session, spec, id_hash)
                session.add(app)
                session.flush()
                receipt = receipt_view(app, is_new=True)
        except IntegrityError:
            # Either the same key won a race (return its receipt) or the random
            # receipt number was taken (draw another); anything else is a real error.
            earlier = _existing_receipt(sessions, idempotency_key=key, kind=kind, sender_id=sender_id)
            if earlier is not None:
                return earlier
            if _receipt_taken(sessions, app.receipt_no):
                continue
            raise
        return receipt
    raise RuntimeError("no free receipt number after several attempts")


def advance_status(sessions: sessionmaker, *, receipt_no: str, status: str | ApplicationStatus,
                   reason: str | None = None, actor: str) -> ApplicationView:
    """Move an application on (受理 -> 审核中 -> 办结 / 退回) and record who did it and why.

    The UPDATE is conditional on the status read, so two staff members moving the same
    application at once cannot both succeed; the loser gets InvalidTransition.
    """
    target = parse_status(status)
    reason = (reason or "").strip() or None
    if target is ApplicationStatus.RETURNED and not reason:
        raise ReasonRequired("退回 needs a reason")
    actor = (actor or "").strip()
    if not actor:
        raise ValueError("actor is required")
    number = parse_receipt(receipt_no)
    if number is None:
        raise ApplicationNotFound(receipt_no)
    with sessions.begin() as session:
        app = session.execute(
            select(Application).where(Application.receipt_no == number)
        ).scalar_one_or_none()
        if app is None:
            raise ApplicationNotFound(receipt_no)
        current = parse_status(app.status)
        if target not in TRANSITIONS.get(current, frozenset()):
            raise InvalidTransition(current, target)
        now = _utcnow()
        moved = session.execute(
            update(Application)
            .where(Application.id == app.id, Application.status == current.value)
            .values(status=target.value, updated_at=now)
            .execution_options(synchronize_session="fetch")
        ).rowcount
        if moved != 1:
            raise InvalidTransition(current, target)
        app.history.append(ApplicationStatusChange(status=target.value, reason=reason, actor=actor, at=now))
        session.flush()
        return application_view(app, district_names(session))


def applications_for_sender(sessions: sessionmaker, *, sender_id: str) -> list[ApplicationView]:
    """This conversation's own applications, newest first."""
    with sessions() as session:
        apps = session.execute(
            select(Application).where(Application.sender_id == sender_id)
            .options(selectinload(Application.history))
            .order_by(Application.created_at.desc(), Application.id.desc())
        ).scalars().all()
        districts = district_names(session) if apps else {}
        return [application_view(app, districts) for app in apps]


def _last4(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).upper()


def find_application(sessions: sessionmaker, *, receipt_no: str, id_last4: str,
                     phone_last4: str) -> ApplicationView:
    """An application by receipt number, only if the ID's and phone's last 4 both match.

    Any mismatch raises the same ApplicationNotFound as an unknown number, so a guess
    reveals nothing about which part was wrong or whether the number exists.
    """
    number = parse_receipt(receipt_no)
    id_part, phone_part = _last4(id_last4), _last4(phone_last4)
    with sessions() as session:
        app = None
        if number is not None:
            app = session.execute(
                select(Application).where(Application.receipt_no == number)
                .options(selectinload(Application.history))
            ).scalar_one_or_none()
        stored_id = app.id_last4 if app is not None else "????"
        stored_phone = app.phone_last4 if app is not None else "????"
        id_ok = hmac.compare_digest(id_part.encode(), stored_id.encode())
        phone_ok = hmac.compare_digest(phone_part.encode(), stored_phone.encode())
        if app is None or not (id_ok and phone_ok):
            raise ApplicationNotFound(receipt_no)
        return application_view(app, district_names(session))


def get_application(sessions: sessionmaker, *, receipt_no: str) -> ApplicationView:
    """Staff lookup by receipt number (CLI); still masked."""
    number = parse_receipt(receipt_no)
    if number is None:
        raise ApplicationNotFound(receipt_no)
    with sessions() as session:
        app = session.execute(
            select(Application).where(Application.receipt_no == number)
            .options(selectinload(Application.history))
        ).scalar_one_or_none()
        if app is None:
            raise ApplicationNotFound(receipt_no)
        return application_view(app, district_names(session))


def list_applications(sessions: sessionmaker, *, sender_id: str | None = None,
                      limit: int = 100) -> list[ApplicationView]:
    """Staff listing, newest first, optionally for one sender."""
    with sessions() as session:
        query = select(Application).options(selectinload(Application.history))
        if sender_id is not None:
            query = query.where(Application.sender_id == sender_id)
        apps = session.execute(
            query.order_by(Application.created_at.desc(), Application.id.desc()).limit(limit)
        ).scalars().all()
        districts = district_names(session) if apps else {}
        return [application_view(app, districts) for app in apps]
