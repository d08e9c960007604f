"""Keeps WeChat credentials out of every log.

WeChat puts the AppSecret (token API) and the access token (every other API) in the query
string, and urllib3 logs request URLs: "Retrying (…) after connection broken by …:
/cgi-bin/token?grant_type=client_credential&appid=…&secret=…" is a WARNING whenever WeChat's
API is unreachable, and every request line is logged at DEBUG. The channel installs one
filter on the urllib3, requests and wechatpy loggers, on its own, and on the root logger's
handlers (which see records propagated from loggers created later); it rewrites each
record with ``secret=``, ``access_token=``… values and every known secret value replaced.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "***"
#: Loggers whose records (theirs and their children's) are filtered at the source.
LOGGER_PREFIXES = ("urllib3", "requests", "wechatpy", "channels.wechat")
#: Children that log URLs, created now so they get the filter even if not imported yet.
KNOWN_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.poolmanager",
                 "urllib3.util.retry", "urllib3.response", "wechatpy.client.base",
                 "wechatpy.client.api.base")
#: Shorter values are not replaced literally (they would hit ordinary words).
MIN_LITERAL_CHARS = 8

_NAMES = r"(?:app)?secret|access_token|refresh_token|token|encoding_?aes_?key|aes_?key"
_QUERY_PARAM = re.compile(rf"(?i)((?:{_NAMES})=)[^&\s'\"<>),]+")
_QUOTED_FIELD = re.compile(rf"(?i)([\"']?(?:{_NAMES})[\"']?\s*[:=]\s*[\"'])[^\"']+([\"'])")
_FORMATTER = logging.Formatter()


class SecretFilter(logging.Filter):
    """Rewrites a record's message and traceback without credentials; never drops a record."""

    def __init__(self) -> None:
        super().__init__()
        self._literals: set[str] = set()
        self._lock = threading.Lock()

    def add_secrets(self, values: Iterable[str]) -> None:
        """Values replaced wherever they appear (AppSecret, token, AES key, access tokens)."""
        with self._lock:
            for value in values:
                if value and len(value) >= MIN_LITERAL_CHARS:
                    self._literals.update({value, quote(value, safe="")})

    def redact(self, text: str) -> str:
        text = _QUERY_PARAM.sub(rf"\g<1>{REDACTED}", text)
        text = _QUOTED_FIELD.sub(rf"\g<1>{REDACTED}\g<2>", text)
        with self._lock:
            literals: list[str] = sorted(self._literals, key=len, reverse=True)
        for literal in literals:
            text = text.replace(literal, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # malformed record: let the handler report it
            return True
        record.msg, record.args = self.redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_FILTER = SecretFilter()


def _targets() -> list:
    for name in KNOWN_LOGGERS:
        logging.getLogger(name)
    names = [n for n in list(logging.root.manager.loggerDict)
             if any(n == p or n.startswith(p + ".") for p in LOGGER_PREFIXES)]
    loggers = [logging.getLogger(n) for n in {*LOGGER_PREFIXES, *names}]
    return [*loggers, *logging.getLogger().handlers]


def install(secrets: Iterable[str] = ()) -> SecretFilter:
    """Attach the process's one filter where it is missing, and teach it ``secrets``.

    Call after logging is configured (Rasa has done so before it builds channels); calling
    again attaches it to loggers and handlers created since.
    """
    _FILTER.add_secrets(secrets)
    for target in _targets():
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)
    return _FILTER


def add_secrets(values: Iterable[str]) -> None:
    """Teach the filter values learnt at run time (a new access token)."""
    _FILTER.add_secrets(values)
