"""The masking tracker store: events written to a real SQLite file, then read back raw."""
from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.logging_setup import uninstall_log_masking
from bot.tracker_store import MaskingSQLTrackerStore

ELDER_ID = "340202194003150013"  # check digit right
PHONE = "13812345678"


@pytest.fixture()
def store(tmp_path):
    path = tmp_path / "tracker.db"
    store = MaskingSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    yield store, path
    uninstall_log_masking()  # the store installs it for the Rasa server's process


def user(text: str, intent: str = "inform", confidence: float = 0.9, entities=(), **extra) -> UserUttered:
    parse_data = {"text": text, "intent": {"name": intent, "confidence": confidence},
                  "entities": list(entities), "message_id": "m-" + text[:3], **extra}
    return UserUttered(text, parse_data["intent"], list(entities), parse_data, message_id="8d0c2f1e9a7b4c3d")


def save(store, sender: str, *events) -> list[dict]:
    """Append the events to the conversation, save it, return every stored event as JSON."""
    tracker_store, path = store
    tracker = asyncio.run(tracker_store.retrieve(sender)) or DialogueStateTracker(sender, [])
    for event in events:
        tracker.update(event)
    asyncio.run(tracker_store.save(tracker))
    with sqlite3.connect(path) as db:
        rows = db.execute("select data from events where sender_id = ? order by id", (sender,)).fetchall()
    return [json.loads(row[0]) for row in rows]


def raw(store, sender: str) -> str:
    with sqlite3.connect(store[1]) as db:
        return "\n".join(row[0] for row in db.execute("select data from events where sender_id = ?", (sender,)))


def test_numbers_in_every_accepted_spelling_are_masked_in_text_parse_data_and_slots(store):
    text = "身份证340202.19400315.0013，电话138.1234.5678，卡号６２２２，０２１２，３４５６，７８９０"
    entity = {"entity": "phone", "value": "138.1234.5678", "start": 24, "end": 37}
    stored = save(store, "s1", user(text, entities=[entity]), SlotSet("flow_done", text))
    message, slot = stored[0], stored[1]
    assert message["text"] == "身份证340202********0013，电话138****5678，卡号**** **** **** 7890"
    assert message["parse_data"]["text"] == message["text"]
    assert message["parse_data"]["entities"][0]["value"] == "138****5678"
    assert slot["value"] == message["text"]
    stored_json = raw(store, "s1")
    for secret in ("19400315", "1234", "0212", "3456"):
        assert secret not in stored_json


def test_identifiers_are_kept(store):
    stored = save(store, "s2", user("13812345678"),
                  SlotSet("flow_state", {"draft": "5f3a13812345678901234abcdef12345"}))
    assert stored[0]["message_id"] == "8d0c2f1e9a7b4c3d"
    assert stored[0]["parse_data"]["message_id"] == "m-138"
    assert stored[1]["value"] == {"draft": "5f3a13812345678901234abcdef12345"}


def test_a_name_given_to_the_name_question_is_stored_masked_with_its_slot(store):
    question = BotUttered("（第4步，共8步）请告诉我老人的姓名。")
    stored = save(store, "s3", question, user("我叫王秀英"), SlotSet("flow_done", "我叫王秀英"))
    assert stored[1]["text"] == "王*英" and stored[1]["parse_data"]["text"] == "王*英"
    assert stored[2]["value"] == "王*英"
    assert "秀" not in raw(store, "s3")


def test_an_address_answer_keeps_only_the_district_and_street(store):
    question = BotUttered("（第6步，共7步）请告诉我收卡地址（区县、街道、小区和门牌号）。")
    stored = save(store, "s4", question, user("镜湖区范罗山街道赭山小区3栋201"))
    assert stored[1]["text"] == "镜湖区范罗山街道****"


def test_the_question_may_have_been_stored_in_an_earlier_turn(store):
    save(store, "s5", BotUttered("（第4步，共8步）请告诉我老人的姓名。"), ActionExecuted("action_listen"))
    stored = save(store, "s5", user("王秀英"))
    assert stored[-1]["text"] == "王*英"


def test_commands_and_questions_at_a_name_step_are_left_readable(store):
    question = BotUttered("（第4步，共8步）请告诉我老人的姓名。")
    stored = save(store, "s6", question, user("上一步", intent="form_back", confidence=1.0),
                  question, user("社保卡怎么补办"))
    assert stored[1]["text"] == "上一步" and stored[3]["text"] == "社保卡怎么补办"


def test_other_answers_are_not_taken_for_names(store):
    stored = save(store, "s7", BotUttered("（第1步，共8步）请问是老人本人申请，还是子女或亲属代办？"), user("王秀英"))
    assert stored[1]["text"] == "王秀英"


SUMMARY = ("请核对您填写的高龄津贴申请信息：\n· 申请方式：子女或亲属代办\n· 代办人姓名：李大山\n"
           "· 代办人电话：139****1111\n· 老人姓名：王秀英\n· 老人身份证号：340202********0013\n"
           "· 所在区县：镜湖区\n· 街道社区：赭山街道赭山社区\n· 联系电话：138****5678\n没问题请回复 1 确认提交。")


def test_the_summary_stores_names_and_addresses_masked(store):
    stored = save(store, "s8", BotUttered(SUMMARY, data={"buttons": [{"title": "1. 确认提交", "payload": "1"}]}))
    text = stored[0]["text"]
    assert "· 代办人姓名：李*山" in text and "· 老人姓名：王*英" in text
    assert "· 街道社区：赭山街道****" in text and "· 所在区县：镜湖区" in text
    assert "· 申请方式：子女或亲属代办" in text and "· 联系电话：138****5678" in text
    assert stored[0]["data"]["buttons"] == [{"title": "1. 确认提交", "payload": "1"}]
    assert "大山" not in raw(store, "s8") and "秀英" not in raw(store, "s8")


def test_going_back_stores_the_earlier_answer_masked(store):
    back = BotUttered("好的，回到上一步。您之前填的是：王秀英\n（第4步，共8步）请告诉我老人的姓名。")
    stored = save(store, "s9", back)
    assert stored[0]["text"].startswith("好的，回到上一步。您之前填的是：王*英\n")


def test_bot_messages_mask_personal_numbers_but_keep_hall_phones(store):
    stored = save(store, "s10", BotUttered("您输入的是138.1234.5678吗？大厅电话0553-3838888"))
    assert stored[0]["text"] == "您输入的是138****5678吗？大厅电话0553-3838888"


def test_stored_events_read_back_as_the_same_events(store):
    tracker_store, _ = store
    save(store, "s11", user("电话13812345678"), SlotSet("district", "jinghu"), BotUttered("好的"))
    tracker = asyncio.run(tracker_store.retrieve("s11"))
    texts = [e.text for e in tracker.events if isinstance(e, (UserUttered, BotUttered))]
    assert texts == ["电话138****5678", "好的"]
    assert [e.value for e in tracker.events if isinstance(e, SlotSet)] == ["jinghu"]


class CollectingBroker:
    """An event broker that keeps what it is given (Rasa calls only ``publish`` here)."""

    def __init__(self) -> None:
        self.published: list = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


def test_events_published_to_an_event_broker_are_masked(tmp_path):
    broker = CollectingBroker()
    store = MaskingSQLTrackerStore(domain=Domain.empty(), event_broker=broker, dialect="sqlite",
                                   db=str(tmp_path / "tracker.db"))
    try:
        save((store, tmp_path / "tracker.db"), "s12", BotUttered("（第4步，共8步）请告诉我老人的姓名。"))
        save((store, tmp_path / "tracker.db"), "s12", user("王秀英"), user("电话138.1234.5678"))
    finally:
        uninstall_log_masking()
    texts = [event.get("text") for event in broker.published if event["event"] in ("user", "bot")]
    assert texts == ["（第4步，共8步）请告诉我老人的姓名。", "王*英", "电话138****5678"]


def _long_conversation() -> list:
    """Earlier turns, then a name question answered, then events that depend on that answer."""
    earlier = []
    for n in range(30):
        earlier += [user(f"社保卡怎么办{n}"), BotUttered(f"答复{n} 电话13812345678"), ActionExecuted("action_listen")]
    return [*earlier, BotUttered("（第4步，共8步）请告诉我老人的姓名。"), ActionExecuted("action_listen"),
            user("王秀英"), SlotSet("elder_name", "王秀英"), BotUttered("（第5步，共8步）请告诉我老人的住址。"),
            ActionExecuted("action_listen"), user("镜湖区赭山街道幸福路8号"),
            SlotSet("address", "镜湖区赭山街道幸福路8号")]


@pytest.mark.parametrize("new", [1, 2, 3, 5, 6])
def test_masking_with_only_the_last_turns_as_context_stores_the_same(new):
    """The store observes only the tail of the stored events; the result must not change."""
    from bot.event_masking import ConversationMasker
    from bot.tracker_store import context_start, masked_events

    events = _long_conversation()
    stored = len(events) - new
    masker = ConversationMasker()  # every event masked in order: what the store must match
    everything = [masker.mask(e.as_dict()) for e in events][stored:]
    assert [e.as_dict() for e in masked_events(events, stored)] == everything
    assert context_start(events, stored) > 80  # the earlier turns were not masked again


def test_the_context_of_a_conversation_without_user_messages_starts_at_its_beginning():
    from bot.tracker_store import context_start

    assert context_start([BotUttered("您好"), ActionExecuted("action_listen")], 2) == 0


def test_the_sqlite_tracker_database_is_in_wal_mode_and_keeps_its_connections(store):
    tracker_store, path = store
    save(store, "s-pool", user("你好"))
    with tracker_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert tracker_store.engine.pool.checkedin() >= 1  # returned to the pool, not closed


def test_reading_a_conversation_returns_what_rasas_own_query_returns(store):
    """Plain SQL in place of Rasa's ORM query: same events, same sessions, same count."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import SessionStarted

    tracker_store, _ = store
    save(store, "s-sql", ActionExecuted("action_session_start"), SessionStarted(), user("你好", intent="greet"),
         BotUttered("您好"), ActionExecuted("action_listen"))
    save(store, "s-sql", ActionExecuted("action_session_start"), SessionStarted(), user("社保卡怎么办"))
    save(store, "other", user("别人的对话"))
    for every_session in (False, True):
        ours = asyncio.run(tracker_store._retrieve("s-sql", every_session))
        rasas = asyncio.run(SQLTrackerStore._retrieve(tracker_store, "s-sql", every_session))
        assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in rasas.events]
    latest = asyncio.run(tracker_store.retrieve("s-sql")).events  # from the latest session start on
    assert [e.type_name for e in latest] == ["session_started", "user"]
    with tracker_store.session_scope() as session:
        assert tracker_store.stored_count(session, "s-sql") == \
            SQLTrackerStore._event_query(tracker_store, session, "s-sql", False).count() == 2
    assert asyncio.run(tracker_store.retrieve("nobody")) is None


def test_stored_rows_fill_the_same_columns_as_rasa(store):
    _, path = store
    save(store, "s-cols", user("你好", intent="greet"), ActionExecuted("utter_greet"))
    with sqlite3.connect(path) as db:
        rows = db.execute("select type_name, intent_name, action_name, timestamp is not null from events "
                          "where sender_id = 's-cols' order by id").fetchall()
    assert rows == [("user", "greet", None, 1), ("action", None, "utter_greet", 1)]
