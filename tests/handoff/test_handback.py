"""Closing hands the conversation back through Rasa's HTTP API, or at the resident's next message."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from bot.handoff import service
from bot.handoff.handback import RasaApi, close_and_hand_back, rasa_from_env, resume_events
from bot.handoff.texts import HANDED_BACK

TOKEN = "t0ken-for-the-fake-rasa-api"


class FakeRasaApi:
    """Records POSTs; answers 200 with the right token, 401 otherwise (as Rasa's API does)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict, object]] = []
        self.answer_for: dict[str, str] = {}  # conversation → the sender_id the state names
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.calls.append((parts.path, parse_qs(parts.query), body))
                ok = parse_qs(parts.query).get("token") == [TOKEN]
                self.send_response(200 if ok else 401)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                conversation = unquote(parts.path.split("/")[2])
                self.wfile.write(json.dumps({"sender_id": fake.answer_for.get(conversation, conversation),
                                             "paused": False}).encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def rasa_api() -> Iterator[FakeRasaApi]:
    fake = FakeRasaApi()
    yield fake
    fake.server.shutdown()


def claimed(sessions, conversation="wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M") -> int:
    rid = service.request_handoff(sessions, conversation_id=conversation, channel="wechat").request.id
    service.claim(sessions, request_id=rid, agent="zhang")
    return rid


def test_closing_appends_resume_the_message_and_listen_to_the_tracker(handoff, rasa_api):
    rid = claimed(handoff)
    done = close_and_hand_back(handoff, RasaApi(rasa_api.url, TOKEN), request_id=rid, agent="zhang", note="已解答")
    assert done.resumed and done.closed.request.status == "closed"
    path, query, events = rasa_api.calls[0]
    assert path == "/conversations/wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M/tracker/events"
    assert query["token"] == [TOKEN]
    assert events == [{"event": "resume"}, {"event": "bot", "text": HANDED_BACK, "data": {}, "metadata": {}},
                      {"event": "action", "name": "action_listen"}]
    assert service.pending_handoff(handoff, conversation_id=done.closed.request.conversation_id) is None


def test_a_conversation_id_cannot_leave_its_path(handoff, rasa_api):
    rid = claimed(handoff, conversation="rest:a/../../model?x=1")
    close_and_hand_back(handoff, RasaApi(rasa_api.url, TOKEN), request_id=rid, agent="zhang", note="已解答")
    assert rasa_api.calls[0][0] == "/conversations/rest:a%2F..%2F..%2Fmodel%3Fx%3D1/tracker/events"


@pytest.mark.parametrize("api", ["refused", "down", "no token", "another conversation"])
def test_when_rasa_is_not_reached_the_close_stands_and_the_hand_back_waits(handoff, rasa_api, api):
    rid = claimed(handoff)
    rasa_api.answer_for["wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"] = "wechat:o6_bmjrPTlm6"  # a mangled id
    rasa = {"refused": RasaApi(rasa_api.url, "wrong-token-of-16+chars"),
            "down": RasaApi("http://127.0.0.1:9", TOKEN, timeout=2), "no token": None,
            "another conversation": RasaApi(rasa_api.url, TOKEN)}[api]
    done = close_and_hand_back(handoff, rasa, request_id=rid, agent="zhang", note="已解答")
    assert not done.resumed
    pending = service.pending_handoff(handoff, conversation_id=done.closed.request.conversation_id)
    assert pending is not None and pending.status == "closed"  # the gate resumes it at the next message


def test_a_note_is_required_before_anything_is_sent(handoff, rasa_api):
    from bot.handoff.errors import NoteRequired

    rid = claimed(handoff)
    with pytest.raises(NoteRequired):
        close_and_hand_back(handoff, RasaApi(rasa_api.url, TOKEN), request_id=rid, agent="zhang", note=" ")
    assert rasa_api.calls == []


def test_the_api_is_found_like_the_console_finds_it(tmp_path, monkeypatch):
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    monkeypatch.delenv("RASA_URL", raising=False)
    monkeypatch.setenv("GOV_VAR_DIR", str(tmp_path))
    assert rasa_from_env() is None
    (tmp_path / "rasa_token").write_text(TOKEN + "\n", encoding="utf-8")
    assert rasa_from_env() == RasaApi("http://localhost:5005", TOKEN)
    monkeypatch.setenv("RASA_TOKEN", "another")
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:6005")
    assert rasa_from_env() == RasaApi("http://127.0.0.1:6005", "another")


def test_the_resume_events_are_what_rasa_reads():
    from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed, Event

    events = [Event.from_parameters(e) for e in resume_events("再见")]
    assert [type(e) for e in events] == [ConversationResumed, BotUttered, ActionExecuted]
    assert events[1].text == "再见" and events[2].action_name == "action_listen"
