"""The inbox reads what Rasa really writes: trackers saved through SQLTrackerStore."""
from __future__ import annotations

import asyncio
import json

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot import replies
from bot.config import PROJECT_ROOT
from console.teaching.inbox import (
    Choice,
    Reason,
    Turn,
    channel_of,
    conversations,
    decode_row,
    find_uncertain,
    group_items,
    read_inbox,
    read_uncertain,
)
from console.teaching.redaction import FLOW_TURN
from tests.support.tracker_events import T0, act, bot, fallback, ranking, slot, start, user

LATE = T0 + 10_000
CLARIFY_TEXT = "您想办的是哪一项？\n1. 社会保障卡申领\n2. 社会保障卡补换\n都不是请换个说法。"
PENDING_SBK = {"kind": "service", "options": ["sbk-apply", "sbk-replace"],
               "labels": ["社会保障卡申领", "社会保障卡补换"]}


CONVERSATIONS: dict[str, list[Event]] = {
    # Fallback -> numbered choices -> the resident answers "2".
    "picked": [
        *start(T0),
        user("你好", "greet", 0.99, T0 + 1), act("action_greet", T0 + 2),
        bot("您好，我是芜湖政务服务助手。", T0 + 2), act("action_listen", T0 + 2),
        fallback("社保那个东西怎么弄", T0 + 10, ("svc_sbk_apply", 0.22), ("svc_sbk_replace", 0.18)),
        act("action_clarify", T0 + 11), bot(CLARIFY_TEXT, T0 + 11),
        slot("pending_choice", PENDING_SBK, T0 + 11), act("action_listen", T0 + 11),
        user("2", "choose_number", 0.99, T0 + 20), act("action_resolve_choice", T0 + 21),
        bot("【社会保障卡补换】所需材料：身份证。", T0 + 21), slot("current_service", "sbk-replace", T0 + 21),
        slot("pending_choice", None, T0 + 21), act("action_listen", T0 + 21),
        user("谢谢", "thank", 0.98, T0 + 30), act("utter_thank", T0 + 31),
        bot("不客气！", T0 + 31), act("action_listen", T0 + 31),
    ],
    # The same request, traditional characters and other punctuation, answered unsure.
    "unsure": [
        *start(T0 + 100),
        user("社保那個東西 怎麼弄！", "svc_sbk_apply", 0.42, T0 + 101,
             ranking(("svc_sbk_apply", 0.42), ("svc_sbk_replace", 0.3))),
        act("action_answer_service", T0 + 102), bot("【社会保障卡申领】所需材料：身份证。", T0 + 102),
        slot("current_service", "sbk-apply", T0 + 102), act("action_listen", T0 + 102),
    ],
    # Confidently (wrongly) answered, then "转人工" twice.
    "handoff": [
        *start(T0 + 200),
        user("我家老房子拆迁补偿标准", "svc_property_reg", 0.81, T0 + 201),
        act("action_answer_service", T0 + 202), bot("【不动产登记】……", T0 + 202),
        act("action_listen", T0 + 202),
        user("转人工", "human_handoff", 0.97, T0 + 210), act("utter_human_handoff", T0 + 211),
        bot("需要人工帮助的话：拨打12345。", T0 + 211), act("action_listen", T0 + 211),
        user("转人工", "human_handoff", 0.97, T0 + 220), act("utter_human_handoff", T0 + 221),
        bot("需要人工帮助的话：拨打12345。", T0 + 221), act("action_listen", T0 + 221),
    ],
    # A button payload (never an item) and a confident message (not uncertain).
    "payload": [
        *start(T0 + 300),
        user("/choose_number", "nlu_fallback", 0.1, T0 + 301), act("action_clarify", T0 + 302),
        bot(CLARIFY_TEXT, T0 + 302), act("action_listen", T0 + 302),
        user("社保卡怎么办", "svc_sbk_apply", 0.97, T0 + 310), act("action_answer_service", T0 + 311),
        bot("【社会保障卡申领】", T0 + 311), slot("current_service", "sbk-apply", T0 + 311),
        act("action_listen", T0 + 311),
    ],
    # Choices offered, but the resident asks something else: no pick.
    "ignored": [
        *start(T0 + 400),
        fallback("公积金", T0 + 401, ("svc_hf_rent", 0.2), ("svc_hf_buy", 0.19)),
        act("action_clarify", T0 + 402), bot("您想办的是哪一项？\n1. 租房提取\n2. 购房提取", T0 + 402),
        slot("pending_choice", {"kind": "service", "options": ["hf-rent", "hf-buy"],
                                "labels": ["租房提取", "购房提取"]}, T0 + 402),
        act("action_listen", T0 + 402),
        user("我要查违章", "svc_traffic_violation", 0.95, T0 + 410),
        act("action_answer_service", T0 + 411), bot("【交通违法处理】", T0 + 411),
        slot("current_service", "traffic-violation", T0 + 411), act("action_listen", T0 + 411),
    ],
    # Early small talk, then much later an unsure question (for `since`).
    "late": [
        *start(T0 + 500),
        user("你好", "greet", 0.99, T0 + 501), act("action_greet", T0 + 502),
        bot("您好，我是芜湖政务服务助手。", T0 + 502), act("action_listen", T0 + 502),
        user("医保报销比例是多少", "svc_medins_pay", 0.35, LATE),
        act("action_answer_service", LATE + 1), bot("【医保缴费】", LATE + 1),
        act("action_listen", LATE + 1),
    ],
}


@pytest.fixture(scope="module")
def tracker_db(tmp_path_factory) -> str:
    """A tracker store database written by Rasa itself."""
    path = tmp_path_factory.mktemp("tracker") / "tracker.db"
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))

    async def save_all() -> None:
        for sender_id, events in CONVERSATIONS.items():
            tracker = DialogueStateTracker.from_events(sender_id, events, slots=domain.slots)
            await store.save(tracker)

    asyncio.run(save_all())
    store.engine.dispose()
    return f"sqlite:///{path}"


def by_text(items) -> dict:
    return {item.normalized: item for item in items}


def test_the_database_has_rasas_schema(tracker_db):
    import sqlalchemy as sa

    engine = sa.create_engine(tracker_db)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("events")}
    engine.dispose()
    assert {"id", "sender_id", "type_name", "timestamp", "intent_name", "action_name", "data"} <= columns


def test_fallback_clarify_and_the_picked_choice(tracker_db):
    (item,) = [i for i in read_uncertain(tracker_db) if i.sender_id == "picked"]
    assert item.text == "社保那个东西怎么弄" and item.timestamp == T0 + 10
    assert item.reasons == {Reason.FALLBACK, Reason.LOW_CONFIDENCE, Reason.CLARIFIED}
    assert (item.intent, item.confidence) == ("nlu_fallback", 0.3)
    assert (item.guess_intent, item.guess_confidence) == ("svc_sbk_apply", 0.22)
    assert item.choice == Choice("2", "choose_number", "sbk-replace", ("sbk-apply", "sbk-replace"))
    # Three turns either side at most; only the greeting came before.
    assert [t.role for t in item.before] == ["user", "bot"]
    assert item.before[0] == Turn("user", "你好", T0 + 1)
    assert [t.text for t in item.after] == [CLARIFY_TEXT, "2", "【社会保障卡补换】所需材料：身份证。"]


def test_low_confidence_without_fallback(tracker_db):
    item = [i for i in read_uncertain(tracker_db) if i.sender_id == "unsure"]
    assert len(item) == 1
    assert item[0].reasons == {Reason.LOW_CONFIDENCE}
    assert item[0].text == "社保那個東西 怎麼弄！"  # as stored; grouped by normalized form
    assert item[0].choice is None


def test_threshold_decides_what_is_low(tracker_db):
    texts = {i.text for i in read_uncertain(tracker_db, threshold=0.3)}
    assert "社保那個東西 怎麼弄！" not in texts and "医保报销比例是多少" not in texts
    assert "社保那个东西怎么弄" in texts  # still a fallback


def test_the_message_before_a_hand_off(tracker_db):
    items = [i for i in read_uncertain(tracker_db) if i.sender_id == "handoff"]
    assert [(i.text, i.reasons) for i in items] == [("我家老房子拆迁补偿标准", {Reason.HANDOFF})]
    assert [t.text for t in items[0].after][:2] == ["【不动产登记】……", "转人工"]


def test_clarify_without_a_pick(tracker_db):
    item = by_text(read_uncertain(tracker_db))["公积金"]
    assert Reason.CLARIFIED in item.reasons and item.choice is None


def test_payloads_and_confident_messages_are_skipped(tracker_db):
    texts = {i.text for i in read_uncertain(tracker_db)}
    assert "/choose_number" not in texts and "社保卡怎么办" not in texts
    assert not {"你好", "谢谢", "2", "转人工", "我要查违章"} & texts


def test_grouping_sorting_and_picked_services(tracker_db):
    groups = read_inbox(tracker_db)
    assert [g.text for g in groups] == ["社保那个东西怎么弄", "医保报销比例是多少", "公积金", "我家老房子拆迁补偿标准"]
    top = groups[0]
    assert top.count == 2 and top.residents == 2
    assert top.reasons == {Reason.FALLBACK, Reason.LOW_CONFIDENCE, Reason.CLARIFIED}
    assert top.predicted_intent == "svc_sbk_apply"
    assert top.mean_confidence == pytest.approx((0.22 + 0.42) / 2)
    assert top.picked_services == {"sbk-replace": 1}
    assert [(e.sender_id, e.timestamp) for e in top.examples] == [("unsure", T0 + 101), ("picked", T0 + 10)]
    assert top.variants == {"社保那个东西怎么弄": 1, "社保那個東西 怎麼弄！": 1}
    assert top.last_seen == T0 + 101


def test_since_limits_messages_not_their_context(tracker_db):
    items = read_uncertain(tracker_db, since=T0 + 5_000)
    assert [i.text for i in items] == ["医保报销比例是多少"]
    assert [t.text for t in items[0].before] == ["你好", "您好，我是芜湖政务服务助手。"]
    assert read_uncertain(tracker_db, since=LATE + 1) == []


def test_a_database_without_conversations(tmp_path):
    assert read_uncertain(f"sqlite:///{tmp_path / 'empty.db'}") == []


# ----------------------------------------------------------------- pure helpers, plain dicts

def u(text: str, intent: str, confidence: float, ts: float, rank: list | None = None) -> dict:
    return {"event": "user", "text": text, "timestamp": ts,
            "parse_data": {"intent": {"name": intent, "confidence": confidence},
                           "intent_ranking": rank or [], "entities": []}}


def a(name: str, ts: float) -> dict:
    return {"event": "action", "name": name, "timestamp": ts}


def test_rows_decode_and_split_into_conversations():
    rows = [
        {"id": 1, "sender_id": "x", "type_name": "user", "timestamp": 1.0,
         "data": json.dumps({"event": "user", "text": "你好", "timestamp": 1.0})},
        {"id": 2, "sender_id": "x", "type_name": "bot", "timestamp": 2.0, "data": "not json"},
        {"id": 3, "sender_id": "y", "type_name": "user", "timestamp": 3.0, "data": {"text": "嗨"}},
    ]
    assert decode_row(rows[1]) is None
    assert decode_row(rows[2]) == {"text": "嗨", "event": "user", "timestamp": 3.0}
    split = list(conversations(rows))
    assert [(s, [e["text"] for e in events]) for s, events in split] == [("x", ["你好"]), ("y", ["嗨"])]


def test_grouping_plain_items_of_two_phrasings():
    items = (find_uncertain("a", [u("怎么办 社保卡?", "svc_sbk_apply", 0.4, 5.0)])
             + find_uncertain("b", [u("怎麼辦社保卡？", "svc_sbk_apply", 0.2, 9.0)])
             + find_uncertain("c", [u("公积金。", "svc_hf_rent", 0.1, 20.0)]))
    groups = group_items(items)
    assert [(g.text, g.count) for g in groups] == [("怎么办社保卡?", 2), ("公积金", 1)]
    assert groups[0].mean_confidence == pytest.approx(0.3)
    assert groups[0].last_seen == 9.0
    assert group_items([]) == []


def test_a_new_session_ends_the_pick_and_the_hand_off():
    events = [
        u("嗯嗯那个", "nlu_fallback", 0.3, 1.0, [{"name": "nlu_fallback", "confidence": 0.3},
                                               {"name": "svc_idcard", "confidence": 0.2}]),
        a("action_clarify", 2.0),
        {"event": "session_started", "timestamp": 3.0},
        u("1", "choose_number", 0.99, 4.0),
        {"event": "slot", "name": "current_service", "value": "idcard", "timestamp": 5.0},
        u("转人工", "human_handoff", 0.99, 6.0),
    ]
    items = find_uncertain("s", events)
    assert [(i.text, i.reasons, i.choice) for i in items] == [
        ("嗯嗯那个", {Reason.FALLBACK, Reason.LOW_CONFIDENCE, Reason.CLARIFIED}, None),
        ("1", {Reason.HANDOFF}, None),
    ]


def test_naming_an_offered_service_counts_as_a_pick():
    events = [
        u("证明", "nlu_fallback", 0.3, 1.0),
        a("action_clarify", 2.0),
        {"event": "slot", "name": "pending_choice", "value": {"options": ["no-crime", "pension-cert"]},
         "timestamp": 2.0},
        u("无犯罪记录证明", "svc_no_crime", 0.9, 3.0),
        a("action_answer_service", 4.0),
        {"event": "slot", "name": "current_service", "value": "no-crime", "timestamp": 4.0},
    ]
    (item,) = find_uncertain("s", events)
    assert item.choice == Choice("无犯罪记录证明", "svc_no_crime", "no-crime", ("no-crime", "pension-cert"))
    assert item.guess_intent is None  # nothing but the fallback in the ranking


def test_emoji_only_messages_are_not_items():
    assert find_uncertain("s", [u("👍👍", "nlu_fallback", 0.3, 1.0)]) == []


# ----------------------------------------------------------------- guided flows, replies, channels

def b(text: str, ts: float) -> dict:
    return {"event": "bot", "text": text, "timestamp": ts}


def loop(name: str | None, ts: float) -> dict:
    return {"event": "active_loop", "name": name, "timestamp": ts}


FLOW_QUESTION = "（第2步，共8步）请告诉我老人的姓名。"


def test_answers_inside_a_guided_flow_never_reach_the_inbox():
    events = [
        u("高龄津贴办理", "start_application", 1.0, 1.0), a("action_start_flow", 2.0), a("guided_form", 2.0),
        loop("guided_form", 2.0), b(FLOW_QUESTION, 2.0), a("action_listen", 2.0),
        # The flow understood these, whatever the classifier made of them.
        u("王秀兰", "nlu_fallback", 0.3, 3.0), a("guided_form", 4.0), b("请问在哪个街道？", 4.0),
        u("赭山街道", "inform_district", 0.41, 5.0), a("guided_form", 6.0),
        u("本人", "nlu_fallback", 0.3, 7.0), a("guided_form", 8.0), loop(None, 8.0),
        a("action_flow_end", 8.0), b("已受理。", 8.0),
        u("那个补贴多久到账", "nlu_fallback", 0.3, 9.0, [{"name": "nlu_fallback", "confidence": 0.3}]),
        a("action_clarify", 10.0), b(replies.NOT_UNDERSTOOD, 10.0),
    ]
    (item,) = find_uncertain("s", events)
    assert item.text == "那个补贴多久到账"
    # What was said in the flow is not shown as context either.
    assert [t.text for t in item.before] == [FLOW_TURN, FLOW_TURN, "已受理。"]


def test_a_new_session_ends_the_flow():
    events = [loop("guided_form", 1.0), {"event": "session_started", "timestamp": 2.0},
              u("怎么查公积金", "nlu_fallback", 0.3, 3.0)]
    assert [i.text for i in find_uncertain("s", events)] == ["怎么查公积金"]


def test_fallback_replies_are_reasons_of_their_own():
    not_understood = [u("嗯那个东西", "nlu_fallback", 0.3, 1.0), a("action_clarify", 2.0),
                      b(replies.NOT_UNDERSTOOD, 2.0)]
    (item,) = find_uncertain("s", not_understood)
    assert item.reasons == {Reason.FALLBACK, Reason.NOT_UNDERSTOOD}  # no choices were offered
    rephrase = [u("都不是我要那个卡", "deny", 0.9, 1.0), a("utter_ask_rephrase", 2.0), b("不好意思没理解对。", 2.0)]
    assert find_uncertain("s", rephrase)[0].reasons == {Reason.NOT_UNDERSTOOD}


def test_a_message_the_service_search_judged_out_of_scope():
    event = u("明天飞北京的机票", "nlu_fallback", 0.3, 1.0)
    event["parse_data"]["service_search"] = {"service": None, "out_of_scope": True, "candidates": []}
    (item,) = find_uncertain("s", [event, a("action_clarify", 2.0), b("抱歉，这个问题我回答不了。", 2.0)])
    assert item.reasons == {Reason.FALLBACK, Reason.OUT_OF_SCOPE}
    event["parse_data"]["service_search"]["out_of_scope"] = False
    (item,) = find_uncertain("s", [event, a("action_clarify", 2.0)])
    assert Reason.OUT_OF_SCOPE not in item.reasons and Reason.CLARIFIED in item.reasons


KNOWN = {"谢谢", "好的谢谢", "对"}


def test_an_acknowledgement_of_a_phrasing_nobody_taught_is_listed():
    nonsense = [u("阿巴阿巴嗯嗯哈哈哈啦啦", "affirm", 0.93, 1.0), a("action_start_flow", 2.0),
                b(replies.ANYTHING_ELSE, 2.0)]
    (item,) = find_uncertain("s", nonsense, known=KNOWN)
    assert item.reasons == {Reason.ACKNOWLEDGED}
    thanks = [u("哈哈哈啦啦嘿", "thank", 0.88, 1.0), a("utter_thank", 2.0), b("不客气！", 2.0)]
    assert find_uncertain("s", thanks, known=KNOWN)[0].reasons == {Reason.ACKNOWLEDGED}
    # Taught phrasings and exact commands are answered as meant.
    assert find_uncertain("s", [u("谢谢！", "thank", 0.99, 1.0), a("utter_thank", 2.0)], known=KNOWN) == []
    command = [u("确认", "affirm", 1.0, 1.0), a("action_start_flow", 2.0), b(replies.ANYTHING_ELSE, 2.0)]
    assert find_uncertain("s", command, known=KNOWN) == []
    assert find_uncertain("s", nonsense) == []  # without the training data: not judged


def test_the_channel_of_a_message():
    assert channel_of("wechat:oAbc", {}) == "wechat" and channel_of("web:x1", {}) == "webchat"
    assert channel_of("rest:me", {}) == "rest" and channel_of("someone", {}) == "other"
    assert channel_of("someone", {"input_channel": "wechat"}) == "wechat"
    (item,) = find_uncertain("web:abc", [u("公积金那个", "nlu_fallback", 0.3, 1.0)])
    assert item.channel == "webchat"
    (group,) = group_items([item])
    assert group.channels == {"webchat": 1} and group.first_seen == group.last_seen == 1.0
