"""差评回访 and 申诉 as staff do them in the console, each audited.

The changes are bot/evaluation's (followups.advance, appeals.request_appeal,
appeals.decide), each one transaction that also keeps its own trail (the follow-up's
steps, the appeal's decision); the console's audit entry is written right after, in the
console's log, with the free text masked (console/auth/audit.py). Routes check the
member of staff's scope (scope.py) before calling these, and translate the typed refusals
of bot/evaluation/errors.py into texts.py's messages.
"""
from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from bot.evaluation import appeals, followups
from bot.evaluation.followups import FollowUpStatus, Revisit
from bot.evaluation.views import AppealView, FollowUpView
from console.auth import audit
from console.auth.audit import Actor


def advance(db: sessionmaker, actor: Actor, followup: FollowUpView, seen: FollowUpStatus, to: FollowUpStatus,
            note: str, revisit: Revisit | None) -> FollowUpView:
    """Move `followup` from `seen` (what the page showed) to `to`; InvalidStep when someone moved it first."""
    moved = followups.advance(db, followup_id=followup.id, actor=actor.username, seen=seen, to=to, note=note,
                              revisit=revisit)
    detail: dict[str, object] = {"followup": followup.id, "department": followup.department,
                                 "from_status": seen.value, "to_status": to.value, "note": note}
    if revisit is not None:
        detail.update(reached=revisit.reached, satisfied=revisit.satisfied)
    audit.record(db, actor.username, "followup_advance", actor.detail(detail), actor.ip)
    return moved


def request_appeal(db: sessionmaker, actor: Actor, followup: FollowUpView, reason: str) -> AppealView:
    """Ask for the follow-up's rating to be set aside; AppealPending when one waits already."""
    filed = appeals.request_appeal(db, rating_id=followup.rating.id, requested_by=actor.username, reason=reason)
    audit.record(db, actor.username, "appeal_request",
                 actor.detail({"appeal": filed.id, "followup": followup.id, "rating": followup.rating.id,
                               "department": followup.department, "reason": reason}), actor.ip)
    return filed


def decide(db: sessionmaker, actor: Actor, appeal: AppealView, approve: bool, note: str) -> AppealView:
    """Approve (the rating is set aside, its follow-up 办结) or refuse; InvalidStep when decided already."""
    decided = appeals.decide(db, appeal_id=appeal.id, decided_by=actor.username, approve=approve, note=note)
    audit.record(db, actor.username, "appeal_approve" if approve else "appeal_refuse",
                 actor.detail({"appeal": appeal.id, "rating": appeal.rating_id, "requested_by": appeal.requested_by,
                               "note": note}), actor.ip)
    return decided
