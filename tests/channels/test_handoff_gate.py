"""The gate's routing with a real database and Rasa's agent played at the edge.

The whole path with Rasa itself (pause, log, resume) is tests/e2e/test_handoff.py; here:
what goes to the assistant, what to the agent, and that a database failure fails open.
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from types import SimpleNamespace

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import ConversationPaused, Event
from sqlalchemy.exc import OperationalError

from bot.handoff import outbox, queue, service, texts
from channels.conversations import Conversations
from channels.handoff_gate import HandoffGate


class Tracker:
    def __init__(self, paused: bool) -> None:
        self.paused, self.events = paused, []

    def is_paused(self) -> bool:
        return self.paused

    def update(self, event: Event, _domain=None) -> None:
        self.events.append(event)
        self.paused = isinstance(event, ConversationPaused) or (self.paused and event.type_name != "resume")


class Agent:
    """What the gate uses of Rasa's agent: the lock store, log_message, get/save_tracker."""

    def __init__(self, paused: bool = True) -> None:
        self.tracker, self.logged, self.saved, self.domain = Tracker(paused), [], 0, None
        self.lock_store = SimpleNamespace(lock=self._lock)
        self.processor = SimpleNamespace(log_message=self._log, save_tracker=self._save,
                                         get_tracker=self._get)

    def is_ready(self) -> bool:
        return True

    @asynccontextmanager
    async def _lock(self, _conversation):
        yield

    async def _log(self, message, should_save_tracker=True):
        self.logged.append(message.text)
        return self.tracker

    async def _save(self, _tracker):
        self.saved += 1

    async def _get(self, _conversation):
        return self.tracker


def gate_for(agent, sessions) -> tuple[HandoffGate, list[str]]:
    assistant: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        assistant.append(message.text)

    conversations = Conversations()
    conversations.app = SimpleNamespace(ctx=SimpleNamespace(agent=agent))
    return HandoffGate(on_new_message, conversations, sessions=sessions), assistant


def say(gate: HandoffGate, conversation: str, text: str) -> list[dict]:
    out = CollectingOutputChannel()
    asyncio.run(gate(UserMessage(text, out, conversation)))
    return out.messages


def test_without_a_hand_off_messages_go_to_the_assistant(handoff_sessions):
    agent = Agent(paused=False)
    gate, assistant = gate_for(agent, lambda: handoff_sessions)
    assert say(gate, "rest:me", "社保卡怎么办") == []
    assert assistant == ["社保卡怎么办"] and agent.logged == []


def test_while_queued_messages_are_stored_for_the_agent_and_the_pause_is_kept(handoff_sessions):
    rid = service.request_handoff(handoff_sessions, conversation_id="rest:me", channel="rest").request.id
    agent = Agent(paused=False)  # e.g. a new session reset the pause
    gate, assistant = gate_for(agent, lambda: handoff_sessions)
    assert say(gate, "rest:me", "我的电话13812345678") == []
    assert assistant == [] and agent.logged == ["我的电话13812345678"]
    assert agent.tracker.is_paused()
    assert [m.text for m in queue.transcript(handoff_sessions, request_id=rid)] == ["我的电话138****5678"]


def test_a_tapped_button_is_stored_as_the_label_the_resident_saw(handoff_sessions):
    rid = service.request_handoff(handoff_sessions, conversation_id="web:me", channel="webchat").request.id
    gate, _ = gate_for(Agent(), lambda: handoff_sessions)
    asyncio.run(gate(UserMessage("1", CollectingOutputChannel(), "web:me", metadata={"display": "1. 镜湖区"})))
    assert [m.text for m in queue.transcript(handoff_sessions, request_id=rid)] == ["1. 镜湖区"]


def test_someone_elses_queue_is_never_touched(handoff_sessions):
    service.request_handoff(handoff_sessions, conversation_id="web:other", channel="webchat")
    gate, assistant = gate_for(Agent(paused=False), lambda: handoff_sessions)
    assert say(gate, "rest:web:other", "不等了") == []  # the channel's id, not one the client chose
    assert assistant == ["不等了"]
    assert service.pending_handoff(handoff_sessions, conversation_id="web:other").status == "queued"


def test_a_database_failure_fails_open_to_the_assistant():
    def broken():
        raise OperationalError("SELECT", {}, Exception("database is down"))

    gate, assistant = gate_for(Agent(), broken)
    say(gate, "rest:me", "社保卡怎么办")
    assert assistant == ["社保卡怎么办"]


def test_no_model_loaded_means_no_database_question():
    def untouched():
        raise AssertionError("the database was asked")

    gate, assistant = gate_for(SimpleNamespace(is_ready=lambda: False), untouched)
    say(gate, "rest:me", "你好")
    assert assistant == ["你好"]


def closed_without_rasa(sessions, conversation: str, channel: str = "rest") -> int:
    """An agent closed the request while Rasa's API was down: it waits for the next message."""
    rid = service.request_handoff(sessions, conversation_id=conversation, channel=channel).request.id
    service.claim(sessions, request_id=rid, agent="zhang")
    service.close(sessions, request_id=rid, agent="zhang", note="已解答")
    return rid


def test_a_hand_back_the_gate_says_itself_is_not_delivered_again(handoff_sessions):
    rid = closed_without_rasa(handoff_sessions, "rest:me")
    gate, assistant = gate_for(Agent(paused=True), lambda: handoff_sessions)
    assert [m["text"] for m in say(gate, "rest:me", "社保卡怎么办")] == [texts.HANDED_BACK]
    assert assistant == ["社保卡怎么办"]
    (handback,) = queue.transcript(handoff_sessions, request_id=rid)
    assert handback.direction == "system" and handback.delivered_at is not None
    assert outbox.due(handoff_sessions, channels=["rest"]) == []


def test_where_the_gates_reply_is_not_shown_the_delivery_loop_shows_the_hand_back(handoff_sessions):
    rid = closed_without_rasa(handoff_sessions, "web:me", "webchat")
    assistant: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        assistant.append(message.text)

    conversations = Conversations()
    conversations.app = SimpleNamespace(ctx=SimpleNamespace(agent=Agent(paused=True)))
    gate = HandoffGate(on_new_message, conversations, sessions=lambda: handoff_sessions, says_handback=False)
    say(gate, "web:me", "社保卡怎么办")
    (handback,) = queue.transcript(handoff_sessions, request_id=rid)
    assert handback.delivered_at is None
    assert [d.message_id for d in outbox.due(handoff_sessions, channels=["webchat"])] == [handback.id]


# -- 留言 while queued, and a flow the resident left ------------------------------------------

def test_leave_a_message_while_queued_leaves_the_queue_and_the_assistant_starts_the_form(handoff_sessions):
    rid = service.request_handoff(handoff_sessions, conversation_id="web:me", channel="webchat").request.id
    agent = Agent(paused=True)
    gate, assistant = gate_for(agent, lambda: handoff_sessions)
    replies = say(gate, "web:me", "留言")
    assert [m["text"] for m in replies] == [texts.TO_MESSAGE]
    assert assistant == ["留言"]  # on to Rasa, where "留言" starts the 留言 flow
    assert [e.type_name for e in agent.tracker.events] == ["resume", "bot", "action"] and not agent.tracker.paused
    request = service.pending_handoff(handoff_sessions, conversation_id="web:me")
    assert request is None  # cancelled and already handed back
    assert queue.transcript(handoff_sessions, request_id=rid) == []  # not stored for an agent


def test_leave_a_message_once_an_agent_has_it_reaches_the_agent(handoff_sessions):
    rid = service.request_handoff(handoff_sessions, conversation_id="web:me", channel="webchat").request.id
    service.claim(handoff_sessions, request_id=rid, agent="zhang")
    gate, assistant = gate_for(Agent(), lambda: handoff_sessions)
    assert say(gate, "web:me", "留言") == [] and assistant == []
    assert [m.text for m in queue.transcript(handoff_sessions, request_id=rid)] == ["留言"]


def test_leaving_the_queue_names_the_flow_left_behind(handoff_sessions):
    service.request_handoff(handoff_sessions, conversation_id="web:me", channel="webchat",
                            flow_step="高龄津贴申请 · 第3步（共6步）")
    agent = Agent()
    gate, assistant = gate_for(agent, lambda: handoff_sessions)
    [reply] = say(gate, "web:me", "不等了")
    assert reply["text"] == texts.cancelled_text("高龄津贴申请 · 第3步（共6步）")
    assert "高龄津贴申请 · 第3步（共6步）还没办完" in reply["text"] and "再说一遍" in reply["text"]
    assert assistant == [] and not agent.tracker.paused
