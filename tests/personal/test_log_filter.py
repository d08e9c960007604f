import io
import logging
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT
from bot.personal.log_filter import PersonalDataFilter, install, uninstall

PARENT = "personal_test"


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
        "import logging, bot.personal.log_filter as m\n"
        "loggers = [logging.getLogger()] + [l for l in logging.root.manager.loggerDict.values()"
        " if isinstance(l, logging.Logger)]\n"
        "targets = loggers + [h for l in loggers for h in l.handlers]\n"
        "print(sum(isinstance(f, m.PersonalDataFilter) for t in targets for f in t.filters))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, check=True)
    assert result.stdout.strip() == "0"


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
        f"{PARENT}.child Received user message '我的卡号6222 **** **** 7890'",
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
