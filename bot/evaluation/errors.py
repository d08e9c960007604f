"""Typed refusals of the evaluation services; the console turns each into a Chinese message."""
from __future__ import annotations


class EvaluationError(Exception):
    """Base class for the errors below."""


class NotFound(EvaluationError, LookupError):
    """No such invitation, rating, follow-up or appeal."""


class NotInvited(EvaluationError):
    """The conversation has no open invitation to rate (never invited, declined, or rated)."""


class NoteRequired(EvaluationError, ValueError):
    """This step needs a note (回访, 办结, an appeal and its decision)."""


class InvalidStep(EvaluationError, ValueError):
    """A follow-up cannot move from its state to the one asked (or someone moved it first)."""


class AppealPending(EvaluationError):
    """The rating already has an appeal waiting for a decision, or was set aside."""
