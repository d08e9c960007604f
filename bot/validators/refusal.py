"""The refusal every validator raises: why (for code) and what to tell the resident."""
from __future__ import annotations


class Refused(ValueError):
    """A value a validator refused: ``reason`` for code, ``message`` for the resident."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
