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
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    original = RemoteAction._validate_action_result
    resolve = Event.__dict__["resolve_by_type"]
    session = EndpointConfig.session
    assert speedups.install()
    yield RemoteAction(name="action_x", action_endpoint=None)
    RemoteAction._validate_action_result = original
    Event.resolve_by_type = resolve
    EndpointConfig.session = session
    speedups._ORIGINAL_RESOLVE.clear()
    speedups._ORIGINAL_SESSION.clear()


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


@pytest.mark.parametrize("name", ["user", "bot", "action", "slot", "session_started", "active_loop", "restart",
                                  "pause", "resume", "followup", "user_featurization", "reset_slots"])
def test_event_types_resolve_to_the_class_rasas_walk_finds(patched, name):
    from rasa.shared.core.events import Event

    original = speedups._ORIGINAL_RESOLVE[0]
    assert Event.resolve_by_type is not original and Event.resolve_by_type(name) is original(name)


def test_unknown_event_types_behave_as_before(patched):
    from rasa.shared.core.events import Event

    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such", default=dict) is dict
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such")


def test_calls_to_an_endpoint_reuse_one_connection(patched):
    """Rasa opened a new client session, so a new TCP connection, per action call."""
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    async def scenario() -> tuple[set, list]:
        peers: set = set()

        async def answer(request: web.Request) -> web.Response:
            peers.add(request.transport.get_extra_info("peername"))
            return web.json_response({"events": [], "responses": [], "seen": await request.json()})

        app = web.Application()
        app.router.add_post("/webhook", answer)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        answers = [await endpoint.request(json={"n": n}) for n in range(3)]
        answers += await asyncio.gather(*(endpoint.request(json={"n": n}) for n in range(3, 5)))
        await runner.cleanup()
        return peers, answers

    peers, answers = asyncio.run(scenario())
    assert [a["seen"]["n"] for a in answers] == [0, 1, 2, 3, 4]
    assert len(peers) <= 2  # three calls in a row on one connection; two at once may need a second
