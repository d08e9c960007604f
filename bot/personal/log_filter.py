"""Masking personal data in log records before any handler writes them.

Rasa and the action server log residents' raw messages (with ID and phone numbers) at
debug level, Rasa logs the text of a message that failed, and a database error quotes
the values it could not write. Two layers, installed by the entry point (nothing at
import time; see bot/logging_setup.py):

* a log-record factory (:func:`install_record_factory`): every record of every logger is
  masked as it is created, whichever handler later writes it, including handlers set up
  after installation (Sanic's, a ``--log-file``);
* a filter on handlers (:func:`install`), which also masks the ``extra`` fields some
  libraries attach (Sanic's access log puts the request line there).

JSON that escapes non-ASCII characters (structlog's renderer writes "\\uff11" for "１",
the repr of such JSON "\\\\uff11") is unescaped first, so full-width and Chinese digits
are found there too; the log then shows the characters themselves.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from bot.personal.masking import mask_personal_data

_FORMATTER = logging.Formatter()
#: A \\uXXXX escape, also escaped again ("\\\\uXXXX" in the repr of a JSON string).
_JSON_ESCAPE = re.compile(r"\\+u([0-9a-fA-F]{4})")
#: Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _unescape(match: re.Match) -> str:
    code = int(match.group(1), 16)
    if code < 0x80 or 0xD800 <= code <= 0xDFFF:  # quotes, controls, emoji halves: keep
        return match.group(0)
    return chr(code)


def mask_log_text(text: str) -> str:
    """A log message or traceback with personal data masked (JSON escapes resolved)."""
    if "\\u" in text:
        text = _JSON_ESCAPE.sub(_unescape, text)
    return mask_personal_data(text)


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Render ``msg % args``, mask it, and store it back; exception and stack texts too.

    A record whose arguments do not fit its message is left for logging's own error
    reporting. Masking is idempotent, so a record seen twice is unchanged the second time.
    """
    try:
        message = record.getMessage()
    except Exception:  # malformed record: let the handler report it
        return record
    record.msg = mask_log_text(message)
    record.args = ()
    if record.exc_info and not record.exc_text:
        record.exc_text = _FORMATTER.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_log_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_log_text(record.stack_info)
    return record


class PersonalDataFilter(logging.Filter):
    """Masks the record (see :func:`mask_record`) and its string ``extra`` fields.

    Never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, mask_log_text(value))
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
    configured; handlers added later are not covered (the record factory is). The
    default is the root logger. Installing twice adds nothing.
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


class MaskingRecordFactory:
    """A log-record factory that masks each record the previous factory makes."""

    def __init__(self, previous: Callable[..., logging.LogRecord]) -> None:
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(self.previous(*args, **kwargs))


def install_record_factory() -> None:
    """Mask every log record of this process as it is created (idempotent)."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, MaskingRecordFactory):
        logging.setLogRecordFactory(MaskingRecordFactory(current))


def uninstall_record_factory() -> None:
    """Put back the factory that was there before :func:`install_record_factory`."""
    current: Callable[..., logging.LogRecord] | None = logging.getLogRecordFactory()
    if isinstance(current, MaskingRecordFactory):
        logging.setLogRecordFactory(current.previous)
