"""Keeping personal data out of the logs of every process the assistant runs.

Each process calls :func:`install_log_masking` once its logging is configured:

* the Rasa server, when it builds the tracker store (bot/tracker_store.py): `rasa run`
  offers no start-up hook, and the tracker store named in endpoints.yml is built once,
  at start, after Rasa and Sanic have configured logging and before any message;
* the action server, when rasa_sdk imports the `actions` package (actions/__init__.py);
* the staff console, in ``main`` (console/web/server.py).

What it installs is in bot/personal/log_filter.py: a log-record factory (every record
of every logger, also through handlers added later) and a filter on the handlers that
exist now (for ``extra`` fields such as Sanic's request line). Rasa's structlog output
renders exceptions with the local variables of every frame, each cut to 80 characters,
which can cut a number in two where no masker can recognise it; tracebacks keep their
frames but lose the locals.
"""
from __future__ import annotations

import logging

from bot.personal import log_filter


def _loggers_with_handlers() -> list[str]:
    names = [""]
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and logger.handlers:
            names.append(name)
    return names


def _structlog_tracebacks_without_locals() -> None:
    """Swap structlog's dict tracebacks for ones without locals, in place.

    In place because loggers cached on first use hold the processor list itself.
    """
    try:
        import structlog
        from structlog.processors import ExceptionRenderer
        from structlog.tracebacks import ExceptionDictTransformer
    except ImportError:  # not a Rasa process
        return
    processors = structlog.get_config()["processors"]
    for index, processor in enumerate(processors):
        transformer = getattr(processor, "format_exception", None)
        if (isinstance(processor, ExceptionRenderer) and isinstance(transformer, ExceptionDictTransformer)
                and transformer.show_locals):
            processors[index] = ExceptionRenderer(ExceptionDictTransformer(show_locals=False))


def install_log_masking() -> None:
    """Mask personal data in every log record this process writes (idempotent)."""
    log_filter.install_record_factory()
    log_filter.install(_loggers_with_handlers())
    _structlog_tracebacks_without_locals()


def uninstall_log_masking() -> None:
    """Undo :func:`install_log_masking` (tests)."""
    log_filter.uninstall_record_factory()
    log_filter.uninstall(_loggers_with_handlers())
