"""The patched action-answer check accepts and refuses exactly what Rasa's own did."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import speedups

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "district", "value": "镜湖区"}], "responses": [{"text": "好的"}]},
    {},
]
BAD = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": ["not an object"]},
    [],
]


@pytest.fixture()
def patched():
    original = RemoteAction._validate_action_result
    assert speedups.install()
    yield RemoteAction(name="action_x", action_endpoint=None)
    RemoteAction._validate_action_result = original


@pytest.mark.parametrize("answer", GOOD)
def test_valid_answers_pass(patched, answer):
    jsonschema.validate(answer, RemoteAction.action_response_format_spec())  # Rasa's own check agrees
    assert patched._validate_action_result(answer) is True


@pytest.mark.parametrize("answer", BAD)
def test_invalid_answers_raise_the_same_error_as_before(patched, answer):
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as got:
        patched._validate_action_result(answer)
    assert got.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in got.value.message


def test_not_installed_on_another_rasa_release(monkeypatch):
    import rasa

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    original = RemoteAction._validate_action_result
    assert speedups.install() is False
    assert RemoteAction._validate_action_result is original
