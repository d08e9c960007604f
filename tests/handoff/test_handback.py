"""Closing hands the conversation back through Rasa's HTTP API, or at the resident's next message."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.evaluation.texts import invitation, invitation_text
from bot.handoff import service
from bot.handoff.errors import NotHolder
from bot.handoff.handback import RasaApi, close_and_hand_back, rasa_from_env, resume_events
from bot.handoff.texts import HANDED_BACK
from tests.support.rasa_api import TOKEN, FakeRasaApi, fake_rasa_api


@pytest.fixture()
def rasa_api() -> Iterator[FakeRasaApi]:
    with fake_rasa_api() as fake:
        yield fake


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
    said = HANDED_BACK + "\n" + invitation_text("人工服务")  # 好差评: the hand-off is rated once
    assert events == [{"event": "resume"}, {"event": "bot", "text": said, "data": {}, "metadata": {}},
                      {"event": "slot", "name": "pending_choice", "value": invitation("人工服务")[2]},
                      {"event": "action", "name": "action_listen"}]
    assert done.closed.handback.text == said
    assert service.pending_handoff(handoff, conversation_id=done.closed.request.conversation_id) is None


def test_a_hand_off_asked_for_inside_a_flow_is_not_rated_now(handoff, rasa_api):
    rid = service.request_handoff(handoff, conversation_id="web:inflow12", channel="webchat",
                                  flow_step="高龄津贴申请 · 第3步（共6步）").request.id
    service.claim(handoff, request_id=rid, agent="zhang")
    close_and_hand_back(handoff, RasaApi(rasa_api.url, TOKEN), request_id=rid, agent="zhang", note="已解答")
    (_, _, events), = rasa_api.calls
    assert "满意" not in events[1]["text"] and [e["event"] for e in events] == ["resume", "bot", "action"]


def test_a_refused_close_leaves_no_invitation_behind(handoff, rasa_api):
    rid = claimed(handoff, conversation="wechat:refused-close")
    with pytest.raises(NotHolder):
        close_and_hand_back(handoff, RasaApi(rasa_api.url, TOKEN), request_id=rid, agent="li", note="已解答")
    done = close_and_hand_back(handoff, RasaApi(rasa_api.url, TOKEN), request_id=rid, agent="zhang", note="已解答")
    assert invitation_text("人工服务") in done.closed.handback.text  # the holder's close still invites


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
