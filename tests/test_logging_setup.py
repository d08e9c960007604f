"""Installing log masking in a process: records, handlers, and Rasa's structlog tracebacks."""
from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

import structlog

from bot.config import PROJECT_ROOT
from bot.logging_setup import install_log_masking, uninstall_log_masking
from bot.personal.log_filter import MaskingRecordFactory, PersonalDataFilter


def test_importing_the_actions_package_installs_masking_once():
    code = ("import logging; logging.basicConfig()\n"
            "import actions, bot.personal.log_filter as m\n"
            "root = logging.getLogger()\n"
            "print(isinstance(logging.getLogRecordFactory(), m.MaskingRecordFactory),"
            " sum(isinstance(f, m.PersonalDataFilter) for h in root.handlers for f in h.filters))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT,
                            check=True)
    assert result.stdout.split() == ["True", "1"]


def test_handlers_of_every_configured_logger_get_the_filter():
    handler = logging.StreamHandler(io.StringIO())
    sanic_like = logging.getLogger("setup_test.access")
    sanic_like.addHandler(handler)
    try:
        install_log_masking()
        install_log_masking()
        assert sum(isinstance(f, PersonalDataFilter) for f in handler.filters) == 1
        assert isinstance(logging.getLogRecordFactory(), MaskingRecordFactory)
    finally:
        uninstall_log_masking()
        sanic_like.removeHandler(handler)
    assert not handler.filters and not isinstance(logging.getLogRecordFactory(), MaskingRecordFactory)


def test_structlog_tracebacks_lose_their_locals_even_for_cached_loggers():
    """Rasa renders exceptions with every frame's locals cut to 80 characters: a cut number."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    std = logging.getLogger("setup_test.structlog")
    std.addHandler(handler)
    std.setLevel(logging.INFO)
    std.propagate = False
    previous = structlog.get_config()
    structlog.configure(processors=[structlog.processors.dict_tracebacks, structlog.processors.JSONRenderer()],
                        logger_factory=structlog.stdlib.LoggerFactory(), cache_logger_on_first_use=True,
                        wrapper_class=structlog.stdlib.BoundLogger)
    logger = structlog.get_logger("setup_test.structlog")

    def fail(text: str) -> None:
        raise ValueError("could not handle the message")

    def log_failure() -> dict:
        try:
            fail("x" * 70 + "电话13812345678")  # 80 characters cut the number in two
        except ValueError:
            logger.exception("rest.message.received.failure")
        return json.loads([line for line in stream.getvalue().splitlines() if line.startswith("{")][-1])

    try:
        assert "电话13812345'+3" in json.dumps(log_failure(), ensure_ascii=False)  # cut: no mask can match
        install_log_masking()
        logged = log_failure()
        frames = logged["exception"][0]["frames"]
        assert frames and all(not frame.get("locals") for frame in frames)
        assert "12345" not in json.dumps(logged)
    finally:
        uninstall_log_masking()
        structlog.configure(**previous)
        std.removeHandler(handler)
