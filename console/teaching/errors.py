"""Why an edit of the training data was refused; every message is for staff (Chinese)."""
from __future__ import annotations

from pathlib import Path


class TrainingDataError(ValueError):
    """An edit was refused; the message is for the operator (Chinese)."""


class InvalidExampleError(TrainingDataError):
    """Empty or too long."""


class DuplicateExampleError(TrainingDataError):
    """The normalized text is already an example (of this or another intent)."""

    def __init__(self, message: str, text: str, intent: str, path: Path | None) -> None:
        super().__init__(message)
        self.text = text
        self.intent = intent  # the intent that already has it
        self.path = path


class UnknownIntentError(TrainingDataError):
    """The intent is not in the domain."""


class InvalidIntentError(TrainingDataError):
    """A new intent's name is invalid or taken, or it has too few examples."""


class DataFileError(TrainingDataError):
    """A data file has a shape the surgical edit does not support, or the edit failed."""
