"""The console's hand-off desk over real HTTP: a served console with key files of its own,
residents put in the queue the way the assistant does it, agents signed in, the event stream read.

Shared by tests/console/web/test_handoff_*.py.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from sqlalchemy.orm import sessionmaker

from bot.handoff import service
from bot.handoff.models import HandoffRequest
from console.auth import accounts
from console.handoff import idle
from tests.support.console_web import PASSWORD, csrf_of, get, logged_in, served_console


@contextmanager
def desk_console(root: Path, sweep_every: float = 3600.0) -> Iterator[SimpleNamespace]:
    """:func:`served_console` with the key files (and no Rasa token) under ``root``; RASA_* unset.

    The idle sweep runs every ``sweep_every`` seconds: by default not while a test runs, so
    only the tests that call it (console/handoff/idle.py release_idle) release anyone.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(idle, "SWEEP_EVERY_S", sweep_every)
        patch.setenv("GOV_VAR_DIR", str(root / "var"))
        patch.delenv("RASA_TOKEN", raising=False)
        patch.delenv("RASA_URL", raising=False)
        with served_console(root) as served:
            yield served


def queued(db: sessionmaker, conversation: str, channel: str = "webchat", says: Sequence[str] = (),
           **where: Any) -> int:
    """A resident asking for a person (district, service_id, flow_step, now in ``where``), then saying ``says``."""
    request_id = service.request_handoff(db, conversation_id=conversation, channel=channel, **where).request.id
    for text in says:
        service.record_resident_message(db, request_id=request_id, text=text)
    return request_id


def agent(base: str, db: sessionmaker, username: str, role: str = "agent") -> SimpleNamespace:
    """A signed-in member of staff (the account made if missing) with a CSRF token."""
    if accounts.get_user(db, username) is None:
        accounts.create_user(db, username, PASSWORD, role)
    http = logged_in(base, username)
    return SimpleNamespace(http=http, name=username, csrf=csrf_of(get(http, base + "/password").text))


def row(db: sessionmaker, request_id: int) -> HandoffRequest:
    with db() as session:
        found = session.get(HandoffRequest, request_id)
        session.expunge(found)
        return found


def wait_until(check: Callable[[], bool], seconds: float = 10, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


class EventStream:
    """GET /handoff/events read event by event; a read that waits longer than ``timeout`` fails."""

    def __init__(self, http: requests.Session, url: str, timeout: float = 5) -> None:
        self.response = http.get(url, stream=True, allow_redirects=False, timeout=(5, timeout))
        assert self.response.status_code == 200, self.response.text[:300]
        self._blocks = self.response.iter_lines(decode_unicode=True, delimiter="\n\n")

    def next_event(self) -> str | None:
        """The next event's name (comments skipped); None when the server ended the stream."""
        for block in self._blocks:
            for line in block.splitlines():
                if line.startswith("event: "):
                    return line[len("event: "):]
        return None

    def until(self, name: str, limit: int = 50) -> list[str]:
        """Events up to and including the first ``name``."""
        seen = []
        for _ in range(limit):
            found = self.next_event()
            if found is None:
                raise AssertionError(f"the stream ended before {name!r}; saw {seen}")
            seen.append(found)
            if found == name:
                return seen
        raise AssertionError(f"no {name!r} in {seen}")

    def close(self) -> None:
        self.response.close()
