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

Installed by :mod:`bot.serve` before Rasa starts; only Rasa's own server process needs it.
"""
from __future__ import annotations

import functools
import logging
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


def install() -> bool:
    """Apply the patches; False (and a warning) on a Rasa release they were not written for."""
    import rasa
    from rasa.core.actions.action import RemoteAction

    if not rasa.__version__.startswith(PATCHED_RASA):
        logger.warning("bot.speedups: Rasa %s is not %s; running unpatched", rasa.__version__, PATCHED_RASA)
        return False
    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = validate_action_result
    if not _ORIGINAL_RESOLVE:
        _ORIGINAL_RESOLVE.append(Event.resolve_by_type)
        Event.resolve_by_type = staticmethod(resolve_event_type)
    return True
