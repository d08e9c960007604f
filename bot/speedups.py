"""Work Rasa 3.6 repeats on every turn that can be done once per process.

Found by profiling the Rasa server under load (bench/profile_turns.py; README "Where a
turn's time goes"):

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` for every answer
  of the action server, and ``validate`` checks the schema itself against its
  meta-schema each time before checking the answer: a third of the server's CPU per turn
  went there. Replaced by a validator built once, which checks answers exactly as before
  (same schema, same error, same message).
* ``Event.resolve_by_type`` walks every subclass of ``Event`` (recursively, with an
  abstract-class check each) for every event read back from the tracker store: 5 % of
  the turn. Replaced by a table built once and rebuilt when a name is missing from it,
  which returns the class the walk would have found first.
* ``EndpointConfig.request`` opens a new HTTP client session, so a new TCP connection,
  for every call to the action server. Its sessions are now kept, one per endpoint
  settings and event loop, and their connections reused (the action server keeps idle
  connections 75 s, longer than the client's 15 s: bot/stack.py ACTION_SERVER_ENV).

Installed by :mod:`bot.serve` before Rasa starts; only Rasa's own server process needs it.
"""
from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Hashable
from typing import Any

logger = logging.getLogger(__name__)

#: Rasa releases this patch was written against; on another release it is not installed.
PATCHED_RASA = ("3.6.",)


@functools.lru_cache(maxsize=1)
def action_response_validator() -> Any:
    """The jsonschema validator of the action server's answer, built and checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with the validator built once."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(action_response_validator().iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


_EVENT_TYPES: dict[str, Any] = {}


def event_types() -> dict[str, Any]:
    """type_name → the first concrete Event subclass with that name, in the walk's order."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table: dict[str, Any] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def resolve_event_type(type_name: str, default: Any = None) -> Any:
    """``Event.resolve_by_type`` answered from a table; a miss rebuilds it, then asks the original."""
    cls = _EVENT_TYPES.get(type_name)
    if cls is None:
        _EVENT_TYPES.clear()
        _EVENT_TYPES.update(event_types())  # a subclass imported since
        cls = _EVENT_TYPES.get(type_name)
    return cls if cls is not None else _ORIGINAL_RESOLVE[0](type_name, default)


_ORIGINAL_RESOLVE: list[Any] = []


class KeptSession:
    """Stands for ``async with endpoint.session() as session``, leaving the session open."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *_exc: object) -> None:
        return None


_SESSIONS: dict[Hashable, tuple[asyncio.AbstractEventLoop, Any]] = {}
_ORIGINAL_SESSION: list[Any] = []


def kept_session(endpoint: Any) -> Any:
    """``EndpointConfig.session`` kept per settings and event loop; Rasa's own outside a loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return _ORIGINAL_SESSION[0](endpoint)
    key = (id(loop), tuple(sorted(endpoint.headers.items())), tuple(sorted(endpoint.basic_auth.items())))
    kept = _SESSIONS.get(key)
    if kept is None or kept[0] is not loop or kept[1].closed:
        kept = (loop, _ORIGINAL_SESSION[0](endpoint))
        _SESSIONS[key] = kept
    return KeptSession(kept[1])


def install() -> bool:
    """Apply the patches; False (and a warning) on a Rasa release they were not written for."""
    import rasa
    from rasa.core.actions.action import RemoteAction

    if not rasa.__version__.startswith(PATCHED_RASA):
        logger.warning("bot.speedups: Rasa %s is not %s; running unpatched", rasa.__version__, PATCHED_RASA)
        return False
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    RemoteAction._validate_action_result = validate_action_result
    if not _ORIGINAL_SESSION:
        _ORIGINAL_SESSION.append(EndpointConfig.session)
        EndpointConfig.session = kept_session
    if not _ORIGINAL_RESOLVE:
        _ORIGINAL_RESOLVE.append(Event.resolve_by_type)
        Event.resolve_by_type = staticmethod(resolve_event_type)
    return True
