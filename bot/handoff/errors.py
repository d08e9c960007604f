"""What can go wrong with a hand-off, as typed errors; the wording staff see is the caller's."""
from __future__ import annotations


class HandoffError(Exception):
    """Base class for the errors below."""


class RequestNotFound(HandoffError, LookupError):
    """No hand-off request with that id."""


class AlreadyTaken(HandoffError):
    """The request is no longer queued: another agent claimed it, or it ended."""


class NotHolder(HandoffError):
    """Only the agent holding a claimed request may reply to, transfer or close it."""


class NoteRequired(HandoffError, ValueError):
    """Closing needs a short resolution note."""


class InvalidAgent(HandoffError, ValueError):
    """An agent's name is empty or too long, or a transfer names the same agent."""


class EmptyMessage(HandoffError, ValueError):
    """A message with no text."""
