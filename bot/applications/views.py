"""Applications as residents and staff see them: personal data masked, labels from the kind.

Every service function returns these frozen views, never ORM rows, so nothing that is
shown or logged can leak an ID number or phone. Times are shown in Wuhu's time zone.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.applications.kinds import KINDS, FieldSpec, kind_name
from bot.applications.models import Application
from bot.personal.masking import mask_address, mask_id, mask_name, mask_phone
from bot.receipts import format_receipt

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_MASKS = {"name": mask_name, "id": mask_id, "phone": mask_phone, "address": mask_address}


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
    reason: str | None
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
    details: tuple[tuple[str, str], ...]  # (label, masked value) in form order
    created_at: datetime
    updated_at: datetime
    history: tuple[StatusChange, ...]

    @property
    def latest_reason(self) -> str | None:
        """Why it was returned (or the latest note), for the progress answer."""
        return self.history[-1].reason if self.history else None


def local_time(stored: datetime) -> datetime:
    """A stored naive-UTC time in Wuhu's time zone."""
    return stored.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)


def receipt_view(app: Application, *, is_new: bool) -> Receipt:
    return Receipt(app.receipt_no, format_receipt(app.receipt_no), app.kind, kind_name(app.kind),
                   app.status, local_time(app.created_at), is_new)


def district_names(session: Session) -> dict[str, str]:
    """District id -> name, for the district a form stored (read in the caller's session)."""
    from bot.catalogue.models import District

    return dict(session.execute(select(District.id, District.name)).all())


def _show(spec: FieldSpec | None, value: Any, districts: Mapping[str, str]) -> str:
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


def application_view(app: Application, districts: Mapping[str, str]) -> ApplicationView:
    """The application with its history; a kind retired from the chat shows nothing personal."""
    kind = KINDS.get(app.kind)
    fields: dict[str, Any] = app.fields or {}
    if kind is not None:
        details = tuple((spec.label, _show(spec, fields[spec.key], districts))
                        for spec in kind.fields if spec.key in fields)
        name = mask_name(str(fields.get(kind.name_field, "")))
        id_masked = mask_id(str(fields.get(kind.id_field, "")))
        phone = mask_phone(str(fields.get(kind.phone_field, "")))
    else:
        details, name, id_masked, phone = (), "", "**************" + app.id_last4, "*******" + app.phone_last4
    return ApplicationView(
        receipt_no=app.receipt_no, display=format_receipt(app.receipt_no), kind=app.kind,
        kind_name=kind_name(app.kind), status=app.status, applicant=name, id_number=id_masked,
        phone=phone, details=details, created_at=local_time(app.created_at),
        updated_at=local_time(app.updated_at),
        history=tuple(StatusChange(h.status, h.reason, h.actor, local_time(h.at)) for h in app.history),
    )
