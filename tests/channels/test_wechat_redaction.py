"""The log filter that keeps WeChat credentials out of log records."""
from __future__ import annotations

import logging

import pytest

from channels.wechat.redaction import REDACTED, SecretFilter, install

SECRET = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("line, leaked", [
    ("/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=s3cr3t-value", "s3cr3t-value"),
    ("/cgi-bin/message/custom/send?access_token=ACCESS_123", "ACCESS_123"),
    ('{"access_token": "ACCESS_456", "expires_in": 7200}', "ACCESS_456"),
    ("params={'appid': 'wx1', 'secret': 'abc-def'}", "abc-def"),
    (f"any text quoting {SECRET} literally", SECRET),
    (f"url-encoded too: {SECRET[:8]}%2B{SECRET[8:]}", f"{SECRET[:8]}%2B"),
])
def test_credentials_are_replaced(line, leaked):
    log_filter = SecretFilter()
    log_filter.add_secrets([SECRET, f"{SECRET[:8]}+{SECRET[8:]}"])
    redacted = log_filter.redact(line)
    assert leaked not in redacted and REDACTED in redacted


def test_short_values_are_not_replaced_literally():
    log_filter = SecretFilter()
    log_filter.add_secrets(["abc", ""])
    assert log_filter.redact("abc abc") == "abc abc"


def test_records_and_tracebacks_are_rewritten_and_never_dropped():
    log_filter = SecretFilter()
    try:
        raise ValueError(f"Max retries exceeded with url: /cgi-bin/token?secret={SECRET}")
    except ValueError:
        import sys
        record = logging.LogRecord("urllib3.connectionpool", logging.WARNING, __file__, 1,
                                   "Retrying after %s: %s", ("boom", f"/x?access_token={SECRET}"), sys.exc_info())
    assert log_filter.filter(record) is True
    assert SECRET not in record.getMessage() and SECRET not in record.exc_text
    assert record.getMessage() == f"Retrying after boom: /x?access_token={REDACTED}"


def test_install_covers_urllib3_children_and_the_channels_own_loggers(caplog):
    install([SECRET])
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3.connectionpool", "urllib3.util.retry", "channels.wechat.outbox", "requests"):
        logging.getLogger(name).warning("url /cgi-bin/token?secret=%s", SECRET)
    assert SECRET not in caplog.text and caplog.text.count("secret=***") == 4
