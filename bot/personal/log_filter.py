"""A logging filter that masks personal data before any handler writes a record.

Rasa and the action server log residents' raw messages (with ID and phone numbers) at
debug level; this keeps them out of log files. Nothing is installed at import time:
the entry point calls :func:`install`.
"""
from __future__ import annotations

import logging
from typing import Iterable

from bot.personal.masking import mask_personal_data

_FORMATTER = logging.Formatter()


class PersonalDataFilter(logging.Filter):
    """Renders ``msg % args``, masks the result and stores it back on the record.

    Exception and stack texts are masked too (an exception message may quote input).
    Never drops a record; a record whose arguments do not fit its message is left for
    logging's own error reporting.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - malformed record: let the handler report it
            return True
        record.msg = mask_personal_data(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True


def _targets(logger_names: Iterable[str]) -> list:
    """Each named logger and the handlers attached to it right now."""
    targets: list = []
    for name in logger_names:
        logger = logging.getLogger(name)
        targets.append(logger)
        targets.extend(logger.handlers)
    return targets


def install(logger_names: Iterable[str] = ("",)) -> PersonalDataFilter:
    """Attach one :class:`PersonalDataFilter` to the named loggers and their handlers.

    A logger's own filters only see records logged on that very logger, not those
    propagated from its children ("rasa.core.processor" under "rasa"); its handlers see
    both, which is why the handlers get the filter too. Install after logging is
    configured; handlers added later are not covered. The default is the root logger.
    Installing twice adds nothing.
    """
    log_filter = PersonalDataFilter()
    for target in _targets(logger_names):
        if not any(isinstance(existing, PersonalDataFilter) for existing in target.filters):
            target.addFilter(log_filter)
    return log_filter


def uninstall(logger_names: Iterable[str] = ("",)) -> None:
    """Remove every :class:`PersonalDataFilter` from the named loggers and their handlers."""
    for target in _targets(logger_names):
        for existing in [f for f in target.filters if isinstance(f, PersonalDataFilter)]:
            target.removeFilter(existing)
