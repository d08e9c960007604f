"""What can go wrong with an application, as typed errors.

The services raise these; the wording residents and staff see is the caller's job
(bot/flows/submission.py, bot/cli_applications.py). A key used twice is
:class:`bot.receipts.IdempotencyConflict`, shared with bookings.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.applications.statuses import ApplicationStatus


class ApplicationError(Exception):
    """Base class for the errors below."""


class UnknownKind(ApplicationError, ValueError):
    """No application of that kind can be submitted in the chat."""


class InvalidApplication(ApplicationError, ValueError):
    """The fields do not fit the kind (a programming error in the caller, not bad input)."""


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
