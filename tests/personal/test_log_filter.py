import io
import logging
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT
from bot.personal.log_filter import (
    MaskingRecordFactory,
    PersonalDataFilter,
    install,
    install_record_factory,
    mask_log_text,
    uninstall,
    uninstall_record_factory,
)

PARENT = "personal_test"


@pytest.fixture(autouse=True)
def plain_factory():
    """Each test starts without the masking record factory (another test may have installed it)."""
    before = logging.getLogRecordFactory()
    uninstall_record_factory()
    yield
    logging.setLogRecordFactory(before)


@pytest.fixture()
def captured():
    """A parent logger with its own handler; records from children propagate to it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    parent = logging.getLogger(PARENT)
    parent.addHandler(handler)
    parent.setLevel(logging.DEBUG)
    parent.propagate = False
    yield stream
    uninstall([PARENT])
    parent.removeHandler(handler)


def test_nothing_is_installed_at_import():
    # A fresh interpreter, so no other test has installed anything yet.
    code = (
        "import logging, bot.personal.log_filter as m, bot.logging_setup\n"
        "loggers = [logging.getLogger()] + [l for l in logging.root.manager.loggerDict.values()"
        " if isinstance(l, logging.Logger)]\n"
        "targets = loggers + [h for l in loggers for h in l.handlers]\n"
        "print(sum(isinstance(f, m.PersonalDataFilter) for t in targets for f in t.filters),\n"
        "      isinstance(logging.getLogRecordFactory(), m.MaskingRecordFactory))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, check=True)
    assert result.stdout.strip() == "0 False"


def test_filter_masks_rendered_message_and_keeps_the_record():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s said %r", (
        "13812345678", "身份证340202194003151234"), None)
    assert PersonalDataFilter().filter(record) is True
    assert record.getMessage() == "user 138****5678 said '身份证340202********1234'"
    assert record.args == ()


def test_installed_filter_covers_the_logger_and_its_children(captured):
    install([PARENT])
    logging.getLogger(PARENT).info("phone %s", "13812345678")
    logging.getLogger(PARENT + ".child").debug("Received user message '我的卡号6222021234567890'")
    lines = captured.getvalue().splitlines()
    assert lines == [
        f"{PARENT} phone 138****5678",
        f"{PARENT}.child Received user message '我的卡号**** **** **** 7890'",
    ]


def test_exception_text_is_masked(captured):
    install([PARENT])
    try:
        raise ValueError("bad id 340202194003151234")
    except ValueError:
        logging.getLogger(PARENT).exception("failed for %s", "13812345678")
    output = captured.getvalue()
    assert "340202********1234" in output and "138****5678" in output
    assert "194003151" not in output and "13812345678" not in output


def test_install_twice_adds_one_filter_and_uninstall_removes_it(captured):
    install([PARENT])
    install([PARENT])
    parent = logging.getLogger(PARENT)
    for target in [parent, *parent.handlers]:
        assert sum(isinstance(f, PersonalDataFilter) for f in target.filters) == 1
    uninstall([PARENT])
    for target in [parent, *parent.handlers]:
        assert not any(isinstance(f, PersonalDataFilter) for f in target.filters)
    parent.info("phone %s", "13812345678")
    assert captured.getvalue().strip().endswith("phone 13812345678")


def test_a_malformed_record_is_passed_on_untouched():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d items", ("many",), None)
    assert PersonalDataFilter().filter(record) is True
    assert record.msg == "%d items" and record.args == ("many",)


def test_json_escaped_digits_are_found():
    # structlog's JSON renderer escapes non-ASCII: full-width and Chinese digits arrive as \\uXXXX
    line = '{"text": "\\u7535\\u8bdd\\uff11\\uff13\\uff18.1234.5678", "event": "rest.message.received.failure"}'
    masked = mask_log_text(line)
    assert masked == '{"text": "电话138****5678", "event": "rest.message.received.failure"}'
    assert mask_log_text('"a \\"quote\\u0022 stays"') == '"a \\"quote\\u0022 stays"'


def test_extra_fields_are_masked(captured):
    install([PARENT])
    handler = logging.getLogger(PARENT).handlers[0]
    handler.setFormatter(logging.Formatter("%(request)s %(message)s"))
    logging.getLogger(PARENT).info("done", extra={"request": "GET /conversations/13812345678/tracker"})
    assert captured.getvalue().strip() == "GET /conversations/138****5678/tracker done"


def test_the_record_factory_masks_records_for_handlers_added_later():
    install_record_factory()
    install_record_factory()
    assert isinstance(logging.getLogRecordFactory(), MaskingRecordFactory)
    assert not isinstance(logging.getLogRecordFactory().previous, MaskingRecordFactory)
    stream = io.StringIO()
    logger = logging.getLogger("personal_test_late")
    logger.propagate = False
    handler = logging.StreamHandler(stream)  # no filter anywhere
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError("db said: parameters ('340202.19400315.0016', '１３８１２３４５６７８')")
        except RuntimeError:
            logger.exception("insert failed for %s", "138-1234-5678")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "insert failed for 138****5678" in output and "340202********0016" in output
    assert "19400315" not in output and "１２３４" not in output and "1234-5678" not in output
    uninstall_record_factory()
    assert not isinstance(logging.getLogRecordFactory(), MaskingRecordFactory)
