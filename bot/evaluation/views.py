"""What callers get back: frozen views, free text already masked (bot/personal/masking.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.evaluation.levels import Level, PoorReason
from bot.evaluation.models import Appeal, FollowUp, FollowUpStep, Rating
from bot.personal.masking import mask_personal_data


def _masked(text: str | None) -> str | None:
    return mask_personal_data(text) if text else None


@dataclass(frozen=True)
class RatingView:
    id: int
    subject: str
    service_id: str | None
    department: str | None
    reference: str | None
    channel: str
    district: str | None
    level: Level
    reason: PoorReason | None
    reason_text: str | None  # masked
    created_at: datetime
    set_aside: bool


@dataclass(frozen=True)
class FollowUpView:
    id: int
    rating: RatingView
    department: str
    status: str
    created_at: datetime
    due_on: date
    closed_at: datetime | None
    revisit_reached: bool | None
    revisit_satisfied: bool | None


@dataclass(frozen=True)
class StepView:
    actor: str
    from_status: str | None
    to_status: str
    note: str | None  # masked
    at: datetime


@dataclass(frozen=True)
class AppealView:
    id: int
    rating_id: int
    requested_by: str
    reason: str  # masked
    status: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None  # masked


def rating_view(rating: Rating) -> RatingView:
    return RatingView(
        id=rating.id, subject=rating.subject, service_id=rating.service_id, department=rating.department,
        reference=rating.reference, channel=rating.channel, district=rating.district,
        level=Level(rating.level), reason=PoorReason(rating.reason) if rating.reason else None,
        reason_text=_masked(rating.reason_text), created_at=rating.created_at,
        set_aside=rating.set_aside_at is not None)


def followup_view(followup: FollowUp, rating: Rating) -> FollowUpView:
    return FollowUpView(
        id=followup.id, rating=rating_view(rating), department=followup.department, status=followup.status,
        created_at=followup.created_at, due_on=followup.due_on, closed_at=followup.closed_at,
        revisit_reached=followup.revisit_reached, revisit_satisfied=followup.revisit_satisfied)


def step_view(step: FollowUpStep) -> StepView:
    return StepView(actor=step.actor, from_status=step.from_status, to_status=step.to_status,
                    note=_masked(step.note), at=step.at)


def appeal_view(appeal: Appeal) -> AppealView:
    return AppealView(
        id=appeal.id, rating_id=appeal.rating_id, requested_by=appeal.requested_by,
        reason=mask_personal_data(appeal.reason or ""), status=appeal.status,
        requested_at=appeal.requested_at, decided_by=appeal.decided_by, decided_at=appeal.decided_at,
        decision_note=_masked(appeal.decision_note))
