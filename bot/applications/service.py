"""Submitting applications and moving them through their statuses.

Each public function is one unit of work (one transaction) and returns plain,
frozen dataclasses in which personal data is already masked, so nothing that is
shown or logged can leak an ID number or phone. Typed errors tell the caller what
went wrong; the wording residents see is the caller's job.

Personal fields are encrypted at rest by the column type (bot/security/columns.py), so
this module reads and writes them in the clear; equality on an ID number or phone goes
through the digest columns. One ID number may have one open application (受理/审核中)
of each kind: the check and the insert share one BEGIN IMMEDIATE transaction.

Idempotency: the form action passes a key that is stable for one filled-in form
(e.g. "<sender>:<form started at>"). A retried action call or a second "确认" with
the same key returns the first receipt and writes nothing. Two calls racing with
the same key are settled by the unique constraint on `idempotency_key`: the loser
catches IntegrityError, rolls back and returns the winner's receipt.
"""
from __future__ import annotations

import enum
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.applications.models import Application, ApplicationStatusChange
from bot.applications.receipts import format_receipt, new_receipt_no, parse_receipt
from bot.db import begin_immediate
from bot.personal.masking import mask_address, mask_name, mask_phone
from bot.personal.masking import mask_id as mask_id_number
from bot.security.columns import id_digest, phone_digest

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
SYSTEM_ACTOR = "系统"
MAX_RECEIPT_ATTEMPTS = 8
MAX_KEY_LENGTH = 200


class ApplicationStatus(str, enum.Enum):
    ACCEPTED = "受理"
    REVIEWING = "审核中"
    DONE = "办结"
    RETURNED = "退回"


#: Statuses in which an application is still being handled (one per ID number and kind).
OPEN_STATUSES: Tuple[str, ...] = (ApplicationStatus.ACCEPTED.value, ApplicationStatus.REVIEWING.value)

#: Allowed moves; 办结 and 退回 are final.
TRANSITIONS: Dict[ApplicationStatus, frozenset] = {
    ApplicationStatus.ACCEPTED: frozenset({ApplicationStatus.REVIEWING}),
    ApplicationStatus.REVIEWING: frozenset({ApplicationStatus.DONE, ApplicationStatus.RETURNED}),
}

# Staff may type the English names in the CLI as well.
_STATUS_ALIASES = {
    "accepted": ApplicationStatus.ACCEPTED, "reviewing": ApplicationStatus.REVIEWING,
    "review": ApplicationStatus.REVIEWING, "done": ApplicationStatus.DONE,
    "returned": ApplicationStatus.RETURNED, "return": ApplicationStatus.RETURNED,
}


# --- errors -------------------------------------------------------------------------------

class ApplicationError(Exception):
    """Base class for the errors below."""


class UnknownKind(ApplicationError, ValueError):
    """No application of that kind can be submitted in the chat."""


class InvalidApplication(ApplicationError, ValueError):
    """The fields do not fit the kind (a programming error in the caller, not bad input)."""


class IdempotencyConflict(ApplicationError):
    """The idempotency key was already used for another sender or kind."""


class ApplicationNotFound(ApplicationError, LookupError):
    """No such application, or the details given do not match it (deliberately the same)."""


class UnknownStatus(ApplicationError, ValueError):
    """Not one of 受理 / 审核中 / 办结 / 退回."""


class InvalidTransition(ApplicationError):
    """The application cannot move from its current status to the requested one."""

    def __init__(self, current: ApplicationStatus, requested: ApplicationStatus) -> None:
        super().__init__(f"{current.value} -> {requested.value} is not allowed")
        self.current = current
        self.requested = requested


class ReasonRequired(ApplicationError, ValueError):
    """退回 needs a reason the resident can act on."""


class OpenApplicationExists(ApplicationError):
    """This ID number already has an application of this kind that is not 办结 or 退回."""

    def __init__(self, kind: str, kind_name: str) -> None:
        super().__init__(f"an open {kind} application exists for this ID number")
        self.kind = kind
        self.kind_name = kind_name


# --- kinds of application -----------------------------------------------------------------

@dataclass(frozen=True)
class FieldSpec:
    """One stored field. `mask` says how it is shown: name, id, phone, address, district."""

    key: str
    label: str
    mask: Optional[str] = None
    required: bool = False
    choices: Optional[Mapping[str, str]] = None


@dataclass(frozen=True)
class ApplicationKind:
    id: str  # catalogue service id
    name: str
    fields: Tuple[FieldSpec, ...]
    name_field: str
    id_field: str
    phone_field: str = "phone"

    def spec(self, key: str) -> Optional[FieldSpec]:
        return next((f for f in self.fields if f.key == key), None)


#: What each kind stores, keyed like the flows' step slots (bot/flows/*.py). Nothing else
#: is accepted, so no stray personal data ends up in the database.
KINDS: Dict[str, ApplicationKind] = {
    kind.id: kind for kind in (
        ApplicationKind(
            id="elderly-allowance", name="高龄津贴申领", name_field="elder_name", id_field="elder_id",
            fields=(
                FieldSpec("applicant", "申请方式", required=True,
                          choices={"self": "老人本人申请", "agent": "子女或亲属代办"}),
                FieldSpec("agent_name", "代办人姓名", mask="name"),
                FieldSpec("agent_phone", "代办人电话", mask="phone"),
                FieldSpec("elder_name", "老人姓名", mask="name", required=True),
                FieldSpec("elder_id", "老人身份证号", mask="id", required=True),
                FieldSpec("district", "所在区县", mask="district", required=True),
                FieldSpec("street", "街道社区", mask="address", required=True),
                FieldSpec("phone", "联系电话", mask="phone", required=True),
            ),
        ),
        ApplicationKind(
            id="sbk-replace", name="社会保障卡挂失补换", name_field="name", id_field="id_number",
            fields=(
                FieldSpec("name", "持卡人姓名", mask="name", required=True),
                FieldSpec("id_number", "身份证号", mask="id", required=True),
                FieldSpec("reason", "补换原因", required=True,
                          choices={"lost": "丢失（已挂失）", "damaged": "损坏", "changed": "信息变更"}),
                FieldSpec("delivery", "领卡方式", required=True,
                          choices={"mail": "邮寄到家", "hall": "到大厅领取"}),
                FieldSpec("address", "邮寄地址", mask="address"),
                FieldSpec("district", "领卡大厅", mask="district"),
                FieldSpec("phone", "联系电话", mask="phone", required=True),
            ),
        ),
    )
}


# --- masking (bot/personal/masking.py) ------------------------------------------------------

def _digits(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


_MASKS = {"name": mask_name, "id": mask_id_number, "phone": mask_phone, "address": mask_address}


# --- views --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Receipt:
    receipt_no: str
    display: str  # "2611 2904 37"
    kind: str
    kind_name: str
    status: str
    created_at: datetime  # aware, Asia/Shanghai
    is_new: bool  # False when an earlier submission with the same key was returned


@dataclass(frozen=True)
class StatusChange:
    status: str
    reason: Optional[str]
    actor: str
    at: datetime  # aware, Asia/Shanghai


@dataclass(frozen=True)
class ApplicationView:
    """An application as it may be shown: personal data masked."""

    receipt_no: str
    display: str
    kind: str
    kind_name: str
    status: str
    applicant: str  # masked name
    id_number: str  # masked
    phone: str  # masked
    details: Tuple[Tuple[str, str], ...]  # (label, masked value) in form order
    created_at: datetime
    updated_at: datetime
    history: Tuple[StatusChange, ...]

    @property
    def latest_reason(self) -> Optional[str]:
        """Why it was returned (or the latest note), for the progress answer."""
        return self.history[-1].reason if self.history else None


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _local(stored: datetime) -> datetime:
    return stored.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)


def _kind(kind: str) -> ApplicationKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownKind(kind) from None


def _kind_name(kind: str) -> str:
    return KINDS[kind].name if kind in KINDS else kind


def _receipt(app: Application, *, is_new: bool) -> Receipt:
    return Receipt(app.receipt_no, format_receipt(app.receipt_no), app.kind, _kind_name(app.kind),
                   app.status, _local(app.created_at), is_new)


def _district_names(session: Session) -> Dict[str, str]:
    from bot.catalogue.models import District

    return dict(session.execute(select(District.id, District.name)).all())


def _show(spec: Optional[FieldSpec], value: Any, districts: Mapping[str, str]) -> str:
    text = str(value)
    if spec is None:
        return text
    if spec.choices:
        return spec.choices.get(text, text)
    if spec.mask == "district":
        return districts.get(text, text)
    if spec.mask:
        return _MASKS[spec.mask](text)
    return text


def _view(app: Application, districts: Mapping[str, str]) -> ApplicationView:
    kind = KINDS.get(app.kind)
    fields: Dict[str, Any] = app.fields or {}
    if kind is not None:
        order = [f.key for f in kind.fields if f.key in fields]
        details = tuple((kind.spec(k).label, _show(kind.spec(k), fields[k], districts)) for k in order)
        name = mask_name(str(fields.get(kind.name_field, "")))
        id_masked = mask_id_number(str(fields.get(kind.id_field, "")))
        phone = mask_phone(str(fields.get(kind.phone_field, "")))
    else:  # a kind retired from the chat: show nothing personal
        details, name, id_masked, phone = (), "", "**************" + app.id_last4, "*******" + app.phone_last4
    return ApplicationView(
        receipt_no=app.receipt_no, display=format_receipt(app.receipt_no), kind=app.kind,
        kind_name=_kind_name(app.kind), status=app.status, applicant=name, id_number=id_masked,
        phone=phone, details=details, created_at=_local(app.created_at),
        updated_at=_local(app.updated_at),
        history=tuple(StatusChange(h.status, h.reason, h.actor, _local(h.at)) for h in app.history),
    )


# --- input cleaning -----------------------------------------------------------------------

_ID_RE = re.compile(r"\d{17}[\dX]")
_ID_SEPARATORS = re.compile(r"[\s\-]+")


def _clean_id(value: str) -> str:
    cleaned = _ID_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value))).upper()
    if not _ID_RE.fullmatch(cleaned):
        raise InvalidApplication("id_number must be 18 characters (17 digits and a digit or X)")
    return cleaned


def _clean_phone(value: str) -> str:
    cleaned = unicodedata.normalize("NFKC", str(value)).strip()
    if not 7 <= len(_digits(cleaned)) <= 13:
        raise InvalidApplication("phone must have 7 to 13 digits")
    return cleaned


def _clean_fields(kind: ApplicationKind, fields: Mapping[str, Any], id_number: str,
                  phone: str) -> Dict[str, Any]:
    """The fields to store: known keys only, empty values dropped, ID and phone checked."""
    unknown = sorted(set(fields) - {f.key for f in kind.fields})
    if unknown:
        raise InvalidApplication(f"fields not stored for {kind.id}: {', '.join(map(str, unknown))}")
    stored: Dict[str, Any] = {}
    for key, value in fields.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if not isinstance(value, (str, int, float, bool)):
            raise InvalidApplication(f"field {key} must be text or a number")
        stored[key] = value.strip() if isinstance(value, str) else value
    id_clean, phone_clean = _clean_id(id_number), _clean_phone(phone)
    if kind.id_field in stored and _clean_id(stored[kind.id_field]) != id_clean:
        raise InvalidApplication(f"{kind.id_field} differs from id_number")
    if kind.phone_field in stored and _digits(str(stored[kind.phone_field])) != _digits(phone_clean):
        raise InvalidApplication(f"{kind.phone_field} differs from phone")
    stored[kind.id_field] = id_clean
    stored[kind.phone_field] = phone_clean
    missing = [f.key for f in kind.fields if f.required and f.key not in stored]
    if missing:
        raise InvalidApplication(f"missing fields for {kind.id}: {', '.join(missing)}")
    return stored


def _check_key(idempotency_key: str) -> str:
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise InvalidApplication(f"idempotency_key must be 1 to {MAX_KEY_LENGTH} characters")
    return idempotency_key


def parse_status(status: Union[str, ApplicationStatus]) -> ApplicationStatus:
    """ApplicationStatus for "审核中", "reviewing" or the member itself."""
    if isinstance(status, ApplicationStatus):
        return status
    text = unicodedata.normalize("NFKC", str(status)).strip()
    try:
        return ApplicationStatus(text)
    except ValueError:
        pass
    if text.lower() in _STATUS_ALIASES:
        return _STATUS_ALIASES[text.lower()]
    raise UnknownStatus(text)


# --- unit-of-work functions ---------------------------------------------------------------

def _receipt_for_key(session: Session, *, idempotency_key: str, kind: str,
                     sender_id: str) -> Optional[Receipt]:
    app = session.execute(
        select(Application).where(Application.idempotency_key == idempotency_key)
    ).scalar_one_or_none()
    if app is None:
        return None
    if app.sender_id != sender_id or app.kind != kind:
        raise IdempotencyConflict(idempotency_key)
    return _receipt(app, is_new=False)


def _existing_receipt(sessions: sessionmaker, *, idempotency_key: str, kind: str,
                      sender_id: str) -> Optional[Receipt]:
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

    `fields` are the form's values (keys as in `KINDS`); `id_number` and `phone` are
    the applicant's (for 高龄津贴 the elder's ID) and must agree with the fields if
    these carry them. Raises OpenApplicationExists while the same ID number has an
    application of this kind in 受理 or 审核中. The transaction starts with BEGIN
    IMMEDIATE, so on SQLite the key and limit checks and the INSERT see no other writer
    in between (a racing retry with the same key gets the first receipt, not a refusal).
    """
    spec = _kind(kind)
    stored = _clean_fields(spec, fields, id_number, phone)
    key = _check_key(idempotency_key)
    earlier = _existing_receipt(sessions, idempotency_key=key, kind=kind, sender_id=sender_id)
    if earlier is not None:
        return earlier
    id_last4 = stored[spec.id_field][-4:]
    phone_last4 = _digits(stored[spec.phone_field])[-4:]
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
                begin_immediate(session)
                earlier = _receipt_for_key(session, idempotency_key=key, kind=kind, sender_id=sender_id)
                if earlier is not None:
                    return earlier
                _refuse_second_open(session, spec, id_hash)
                session.add(app)
                session.flush()
                receipt = _receipt(app, is_new=True)
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


def advance_status(sessions: sessionmaker, *, receipt_no: str, status: Union[str, ApplicationStatus],
                   reason: Optional[str] = None, actor: str) -> ApplicationView:
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
        return _view(app, _district_names(session))


def applications_for_sender(sessions: sessionmaker, *, sender_id: str) -> List[ApplicationView]:
    """This conversation's own applications, newest first."""
    with sessions() as session:
        apps = session.execute(
            select(Application).where(Application.sender_id == sender_id)
            .options(selectinload(Application.history))
            .order_by(Application.created_at.desc(), Application.id.desc())
        ).scalars().all()
        districts = _district_names(session) if apps else {}
        return [_view(app, districts) for app in apps]


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
        return _view(app, _district_names(session))


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
        return _view(app, _district_names(session))


def list_applications(sessions: sessionmaker, *, sender_id: Optional[str] = None,
                      limit: int = 100) -> List[ApplicationView]:
    """Staff listing, newest first, optionally for one sender."""
    with sessions() as session:
        query = select(Application).options(selectinload(Application.history))
        if sender_id is not None:
            query = query.where(Application.sender_id == sender_id)
        apps = session.execute(
            query.order_by(Application.created_at.desc(), Application.id.desc()).limit(limit)
        ).scalars().all()
        districts = _district_names(session) if apps else {}
        return [_view(app, districts) for app in apps]
