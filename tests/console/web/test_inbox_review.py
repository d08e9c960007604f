"""The inbox as a reviewer uses it all day, over HTTP: targets in Chinese, no guessed default,
confirmation and undo, the 已处理 list, filters, search, pages, bulk decisions; flow answers
kept out, the context masked, acknowledged and out-of-scope messages listed."""
from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime, timedelta
from types import SimpleNamespace
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import update

from bot import replies
from bot.config import PROJECT_ROOT
from console.auth import audit, passwords
from console.tables import InboxDecision
from console.teaching import decisions
from tests.support.console_web import (
    SECRET,
    card_of,
    console_files,
    csrf_of,
    get,
    logged_in,
    nlu_digest,
    post,
    visible_text,
)
from tests.support.server_thread import ServerThread, free_port
from tests.support.tracker_events import act, bot, fallback, slot, start, user

SHANGHAI = ZoneInfo("Asia/Shanghai")
PICKED, UNSURE, PRIVATE = "公司注册去哪办那个", "工资拖欠找谁", "那这个怎么弄啊"
NONSENSE, FLIGHT, OLD = "阿巴阿巴嗯嗯哈哈哈啦啦", "明天飞北京的机票多少钱", "三天前没听懂的问题"
FLOW_ANSWERS = ("王秀兰", "赭山街道", "本人")
ID_NUMBER, PHONE = "340202199001011234", "13912345678"
BULK = [f"批量问题{i:02d}号" for i in range(25)]
UNDO_TEXTS = ["撤销测试一", "撤销测试二", "撤销测试三", "撤销测试四"]


def conversations(now: float) -> dict[str, list]:
    t = now - 3600
    search_oos = fallback(FLIGHT, t + 61, ("svc_passport", 0.05))
    search_oos.parse_data["service_search"] = {"service": None, "out_of_scope": True, "candidates": []}
    found = {
        "web:pick": [
            *start(t), fallback(PICKED, t + 1, ("svc_company_reg", 0.25), ("svc_individual_biz", 0.2)),
            act("action_clarify", t + 2), bot("您想办的是哪一项？\n1. 企业设立登记\n2. 个体工商户登记", t + 2),
            slot("pending_choice", {"kind": "service", "options": ["company-reg", "individual-biz"]}, t + 2),
            act("action_listen", t + 2), user("1", "choose_number", 0.99, t + 5),
            act("action_resolve_choice", t + 6), bot("【企业设立登记】……", t + 6),
            slot("current_service", "company-reg", t + 6), act("action_listen", t + 6)],
        "web:unsure": [*start(t + 10), fallback(UNSURE, t + 11, ("goodbye", 0.2), ("svc_unemployment", 0.15)),
                       act("action_clarify", t + 12), bot(replies.NOT_UNDERSTOOD, t + 12),
                       act("action_listen", t + 12)],
        "web:flow": [
            *start(t + 20), user("办理", "start_application", 1.0, t + 21), act("action_start_flow", t + 22),
            act("guided_form", t + 22), ActiveLoop("guided_form", timestamp=t + 22),
            bot("（第1步，共3步）请告诉我老人的姓名。", t + 22), act("action_listen", t + 22),
            fallback(FLOW_ANSWERS[0], t + 23), act("guided_form", t + 24),
            bot("（第2步，共3步）请问在哪个街道？", t + 24),
            act("action_listen", t + 24), user(FLOW_ANSWERS[1], "inform_district", 0.4, t + 25),
            act("guided_form", t + 26), act("action_listen", t + 26), fallback(FLOW_ANSWERS[2], t + 27),
            act("guided_form", t + 28), ActiveLoop(None, timestamp=t + 28), act("action_flow_end", t + 28),
            bot("已受理。", t + 28), act("action_listen", t + 28)],
        "web:private": [
            *start(t + 30), user(f"我的身份证号{ID_NUMBER} 电话{PHONE}", "svc_idcard", 0.95, t + 31),
            act("action_answer_service", t + 32), bot("【居民身份证申领】……", t + 32), act("action_listen", t + 32),
            fallback(PRIVATE, t + 33, ("svc_idcard", 0.2)), act("action_clarify", t + 34),
            bot(replies.NOT_UNDERSTOOD, t + 34), act("action_listen", t + 34)],
        "wechat:ack": [*start(t + 50), user(NONSENSE, "affirm", 0.93, t + 51), act("action_start_flow", t + 52),
                       bot(replies.ANYTHING_ELSE, t + 52), act("action_listen", t + 52)],
        "wechat:oos": [*start(t + 60), search_oos, act("action_clarify", t + 62),
                       bot("抱歉，这个问题我回答不了。", t + 62), act("action_listen", t + 62)],
        "rest:old": [*start(now - 3 * 86400), fallback(OLD, now - 3 * 86400 + 1),
                     act("action_listen", now - 3 * 86400 + 1)],
    }
    for i, text in enumerate(BULK + UNDO_TEXTS):
        found[f"web:bulk-{i}"] = [*start(t + 100 + i), fallback(text, t + 101 + i, ("svc_hf_rent", 0.2)),
                                  act("action_clarify", t + 102 + i), act("action_listen", t + 102 + i)]
    return found


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    root = tmp_path_factory.mktemp("inbox_review")
    nlu_dir, domain_path, db_url, db, tracker = console_files(root)
    now = time.time()
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(root / "tracker.db"))

    async def save_all() -> None:
        for sender, events in conversations(now).items():
            await store.save(DialogueStateTracker.from_events(sender, events, slots=domain.slots))

    asyncio.run(save_all())
    store.engine.dispose()
    from console.web.app import create_app
    app = create_app(db_url, tracker, nlu_dir, domain_path, SECRET, secure_cookies=False)
    server = ServerThread(app, free_port())
    server.start()
    try:
        yield SimpleNamespace(base=f"http://127.0.0.1:{server.port}", db=db, nlu_dir=nlu_dir, now=now)
    finally:
        server.stop()
        patch.undo()


@pytest.fixture(scope="module")
def reviewer(env):
    return logged_in(env.base, "reviewer")


def inbox(env, session, query: str = "") -> str:
    response = get(session, env.base + "/inbox" + query)
    assert response.status_code == 200, response.text[:300]
    return response.text


def target_value(card: str) -> str:
    return re.search(r'<input id="t\d+" name="target"[^>]*value="([^"]*)"', card).group(1)


def local(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, SHANGHAI).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------------- labelling

def test_targets_are_chinese_grouped_and_searchable_with_no_code_in_sight(env, reviewer):
    page = inbox(env, reviewer)
    assert '<datalist id="targets">' in page
    assert '<option value="企业设立登记" label="服务事项 · 市市场监督管理局"></option>' in page
    assert '<option value="政务服务中心几点上班" label="常见问题"></option>' in page
    assert '<option value="告别（再见、没事了）" label="对话操作"></option>' in page
    assert '<script' not in page  # searching is the browser's own <input list>
    for heading in ("<h3>服务事项 · 市人力资源和社会保障局</h3>", "<h3>常见问题</h3>", "<h3>对话操作</h3>"):
        assert heading in page
    shown = visible_text(page)
    for code in ("svc_", "faq/", "nlu_fallback", "goodbye", "form_help", "company-reg", "choose_number"):
        assert code not in shown, code
    unsure = card_of(inbox(env, reviewer, "?q=" + quote(UNSURE)), UNSURE)
    assert "模型猜测：告别（再见、没事了）（置信度 0.20）" in unsure


def test_no_default_when_the_model_was_unsure_and_the_residents_pick_otherwise(env, reviewer):
    unsure = card_of(inbox(env, reviewer, "?q=" + quote(UNSURE)), UNSURE)
    picked = card_of(inbox(env, reviewer, "?q=" + quote(PICKED)), PICKED)
    assert target_value(unsure) == "" and "模型没有把握" in unsure
    assert target_value(picked) == "企业设立登记" and "已按居民的选择预填" in picked
    assert "居民选择：企业设立登记 ×1" in picked


def test_assign_confirms_in_place_and_undo_restores_group_and_data(env, reviewer):
    before = nlu_digest(env.nlu_dir)
    page = inbox(env, reviewer, "?q=" + quote("工资"))
    response = post(reviewer, env.base + "/inbox/decide", {
        "csrf": csrf_of(page), "text": UNSURE, "action": "assign", "target": "失业保险金申领",
        "back": "q=" + quote("工资"), "at": "0"})
    decision = decisions.get_decision(env.db, UNSURE)
    assert decision.intent == "svc_unemployment"
    location = response.headers["Location"]
    assert response.status_code == 303 and location == f"/inbox?q=%E5%B7%A5%E8%B5%84&done={decision.id}&at=0#notice"
    assert nlu_digest(env.nlu_dir) != before

    confirmed = inbox(env, reviewer, location.split("#")[0][len("/inbox"):])
    assert card_of(confirmed, UNSURE) == ""
    assert f"已处理“{UNSURE}”：加入训练样本 → 失业保险金申领。" in confirmed
    assert 'action="/inbox/undo"' in confirmed and "10 分钟内可撤销" in confirmed
    undo = post(reviewer, env.base + "/inbox/undo", {
        "csrf": csrf_of(confirmed), "decision": str(decision.id), "back": "q=" + quote("工资")})
    assert undo.status_code == 303 and undo.headers["Location"] == "/inbox?q=%E5%B7%A5%E8%B5%84&undone=1#notice"
    assert nlu_digest(env.nlu_dir) == before
    assert decisions.get_decision(env.db, UNSURE) is None
    again = inbox(env, reviewer, "?q=" + quote("工资") + "&undone=1")
    assert card_of(again, UNSURE) and "已撤销，1 组消息回到了待处理列表。" in again
    entry = audit.recent(env.db, 1)[0]
    assert (entry.username, entry.action, entry.detail["undo"]) == ("reviewer", "inbox_revert", True)


def test_an_unknown_target_is_refused_with_the_page_again(env, reviewer):
    page = inbox(env, reviewer)
    response = post(reviewer, env.base + "/inbox/decide", {
        "csrf": csrf_of(page), "text": PICKED, "action": "assign", "target": "随便写的", "back": ""})
    assert response.status_code == 400 and "没有“随便写的”这一项，请从列表中选择" in response.text
    assert decisions.get_decision(env.db, PICKED) is None


def test_undo_after_the_window_is_refused(env, reviewer):
    text = UNDO_TEXTS[0]
    page = inbox(env, reviewer)
    post(reviewer, env.base + "/inbox/decide", {"csrf": csrf_of(page), "text": text, "action": "assign",
                                                 "target": "住房公积金租房提取", "back": ""})
    decision = decisions.get_decision(env.db, text)
    late = decision.at - decisions.UNDO_WINDOW - timedelta(minutes=1)
    with env.db.begin() as session:
        session.execute(update(InboxDecision).where(InboxDecision.id == decision.id).values(at=late))
    data = nlu_digest(env.nlu_dir)
    shown = inbox(env, reviewer, f"?done={decision.id}")
    assert f"已处理“{text}”" in shown and 'action="/inbox/undo"' not in shown  # no button any more
    response = post(reviewer, env.base + "/inbox/undo", {"csrf": csrf_of(shown), "decision": str(decision.id)})
    assert response.status_code == 409 and "已超过 10 分钟，不能再撤销" in response.text
    assert nlu_digest(env.nlu_dir) == data and decisions.get_decision(env.db, text) is not None


def test_the_decided_list_shows_who_what_where_when_and_reverts(env, reviewer):
    text = UNDO_TEXTS[1]
    page = inbox(env, reviewer)
    before = nlu_digest(env.nlu_dir)
    post(reviewer, env.base + "/inbox/decide", {"csrf": csrf_of(page), "text": text, "action": "assign",
                                                 "target": "政务服务中心几点上班", "back": ""})
    decision = decisions.get_decision(env.db, text)
    listing = get(reviewer, env.base + "/inbox/decided").text
    row = re.search(rf'<tr id="d{decision.id}">.*?</tr>', listing, flags=re.S).group(0)
    at = decision.at.replace(tzinfo=ZoneInfo("UTC")).timestamp()
    for cell in (text, "加入训练样本", "政务服务中心几点上班", "reviewer", local(at)):
        assert re.search(rf'<td( class="\w+")?>{re.escape(cell)}</td>', row), cell
    assert "faq/" not in visible_text(listing)

    response = post(reviewer, env.base + "/inbox/revert",
                    {"csrf": csrf_of(listing), "decision": str(decision.id), "page": "1"})
    assert response.status_code == 303 and response.headers["Location"] == "/inbox/decided?page=1&reverted=1#notice"
    assert nlu_digest(env.nlu_dir) == before
    assert card_of(inbox(env, reviewer), text)
    after = get(reviewer, env.base + "/inbox/decided?reverted=1").text
    assert "已撤回 1 条处理" in after and f'<tr id="d{decision.id}">' not in after


# ---------------------------------------------------------------------------------- the inbox

def test_flow_answers_never_reach_the_inbox(env, reviewer):
    page = inbox(env, reviewer, "?q=" + quote("王秀兰"))
    assert "没有符合筛选条件的消息" in page
    everything = "".join(inbox(env, reviewer, f"?page={n}") for n in (1, 2))
    for answer in FLOW_ANSWERS:
        assert card_of(everything, answer) == "", answer


def test_the_context_shows_reviewers_no_number(env, reviewer):
    card = card_of(inbox(env, reviewer, "?q=" + quote(PRIVATE)), PRIVATE)
    context = re.search(r'<ul class="turns">.*?</ul>', card, flags=re.S).group(0)
    assert "居民：我的身份证号〔号码已隐藏〕 电话〔号码已隐藏〕" in context
    for part in (ID_NUMBER[:6], ID_NUMBER[6:14], ID_NUMBER[-5:], PHONE[:7], PHONE[-4:], "**"):
        assert part not in context, part


def test_acknowledged_and_out_of_scope_messages_are_listed_with_a_reason(env, reviewer):
    page = inbox(env, reviewer, "?channel=wechat")
    assert "只回了客套话" in card_of(page, NONSENSE) and "渠道：微信公众号 ×1" in card_of(page, NONSENSE)
    assert "判为与政务无关" in card_of(page, FLIGHT)
    assert "回复了“没听懂，请换个说法”" in card_of(inbox(env, reviewer, "?q=" + quote(PRIVATE)), PRIVATE)


def test_each_group_shows_its_local_time(env, reviewer):
    card = card_of(inbox(env, reviewer, "?q=" + quote(PICKED)), PICKED)
    assert f"时间：{local(env.now - 3600 + 1)} · 渠道：网页聊天 ×1" in card


def test_search_filters_and_pages(env, reviewer):
    first = inbox(env, reviewer, "?q=" + quote("批量"))
    assert "符合筛选条件的共 25 组" in first and "第 1 / 2 页" in first
    assert 'value="批量"' in first  # the form keeps the search
    assert 'href="/inbox?q=%E6%89%B9%E9%87%8F&amp;page=2" rel="next"' in first
    second = inbox(env, reviewer, "?q=" + quote("批量") + "&page=2")
    shown = re.findall(r'<p class="phrase" id="g\d+">([^<]*)</p>', first + second)
    assert sorted(shown) == sorted(BULK)

    def phrases(query: str) -> set[str]:
        return set(re.findall(r'<p class="phrase" id="g\d+">([^<]*)</p>', inbox(env, reviewer, query)))

    assert phrases("?channel=wechat") == {NONSENSE, FLIGHT}
    assert phrases("?reason=acknowledged") == {NONSENSE}
    assert phrases("?reason=out_of_scope&channel=rest") == set()
    day = datetime.fromtimestamp(env.now - 3 * 86400 + 1, SHANGHAI).date().isoformat()
    assert phrases(f"?from={day}&to={day}") == {OLD}
    assert OLD not in phrases("?channel=rest&from=" + datetime.fromtimestamp(env.now, SHANGHAI).date().isoformat())
    assert phrases("?service=svc_idcard") == {PRIVATE}
    selected = '<option value="svc_idcard" selected>居民身份证申领换领</option>'
    assert selected in inbox(env, reviewer, "?service=svc_idcard")


def test_bulk_dismiss_of_the_checked_groups(env, reviewer):
    page = inbox(env, reviewer, "?q=" + quote("批量"))
    chosen = BULK[-3:]  # the latest come first
    assert f'form="bulk" name="text" value="{chosen[0]}"' in page and '<form id="bulk"' in page
    response = post(reviewer, env.base + "/inbox/bulk", {
        "csrf": csrf_of(page), "text": chosen, "action": "dismiss", "back": "q=" + quote("批量")})
    assert response.status_code == 303
    ids = [decisions.get_decision(env.db, t).id for t in chosen]
    assert response.headers["Location"] == (
        "/inbox?q=%E6%89%B9%E9%87%8F&done=" + "&done=".join(map(str, ids)) + "&at=0#notice")
    after = inbox(env, reviewer, response.headers["Location"].split("#")[0][len("/inbox"):])
    assert "已处理 3 组（忽略）" in after and "符合筛选条件的共 22 组" in after
    assert not any(card_of(after, t) for t in chosen)
    assert {decisions.get_decision(env.db, t).action for t in chosen} == {"dismiss"}


def test_bulk_assign_needs_a_known_target(env, reviewer):
    page = inbox(env, reviewer)
    for target, message in (("乱写的", "没有“乱写的”这一项"), ("", "请选择要归入的意图")):
        response = post(reviewer, env.base + "/inbox/bulk", {
            "csrf": csrf_of(page), "text": [UNDO_TEXTS[2], UNDO_TEXTS[3]], "action": "assign", "target": target})
        assert response.status_code == 400 and message in response.text
    assert decisions.get_decision(env.db, UNDO_TEXTS[2]) is None
