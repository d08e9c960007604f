"""Is a server the cluster profile depends on answering? Checked at start and by the health route.

A Rasa node whose tracker database or Redis is gone must not keep serving: Rasa would
keep conversations in memory (its FailSafeTrackerStore, or InMemoryTrackerStore when a
store cannot be built) and forget them, or loop on "Database might take a while to come
up" without ever saying why it does not answer. So at start :func:`require` logs one
CRITICAL line naming the service and its address (never a password) and ends the process
with :data:`EXIT_SERVICE_DOWN`; ``SystemExit`` passes Rasa's and Sanic's ``except
Exception`` handlers on its way out. The health route (channels/health.py) uses
:func:`problem` with the same probes, and names the service only.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger(__name__)

#: Exit status of a node that found a service it needs down at start (EX_UNAVAILABLE).
EXIT_SERVICE_DOWN = 69
#: Seconds a probe may take before the service counts as down.
PROBE_TIMEOUT_S = 3


def shown_url(url: str) -> str:
    """`url` as it may be logged: the password (and a user's token) replaced by ***.

    A value that is no URL at all might be a password pasted into the wrong place: it is not shown.
    """
    if "://" not in url:
        return "<not a URL>"
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user = parts.username or ""
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return "<unparseable URL>"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def probe_sql(url: str) -> None:
    """Open one connection and run SELECT 1 (raises when the database does not answer)."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    args = {"connect_timeout": PROBE_TIMEOUT_S} if url.startswith("postgresql") else {}
    engine = create_engine(url, poolclass=NullPool, connect_args=args)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    finally:
        engine.dispose()


def probe_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=PROBE_TIMEOUT_S, socket_connect_timeout=PROBE_TIMEOUT_S)
    try:
        client.ping()
    finally:
        client.close()


def problem(probe: Callable[[], None]) -> str | None:
    """The failure's class name and message, or None when the probe passed."""
    try:
        probe()
    except Exception as exc:  # whatever the driver raises, the service is not usable
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


def require(service: str, url: str, probe: Callable[[str], None]) -> None:
    """Return if `probe(url)` passes; else log CRITICAL and exit with EXIT_SERVICE_DOWN."""
    failure = problem(lambda: probe(url))
    if failure is None:
        return
    password = urlsplit(url).password
    if password:
        failure = failure.replace(password, "***")
    logger.critical("%s is unreachable at %s (%s): this node stops instead of running without it, "
                    "which would forget conversations", service, shown_url(url), failure)
    raise SystemExit(EXIT_SERVICE_DOWN)
