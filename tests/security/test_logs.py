"""Residents' personal data in no log file of the real servers, nor in the tracker store.

Personal data goes through the REST channel in several spellings, a whole 高龄津贴
application is filled in (name, ID, street, phone), and one message makes the server
fail: a trigger in the tracker store's SQLite file refuses it, and Rasa logs the error
with the statement's values (bot/tracker_store.py masked them before the write).
Every log file of the stack is then read as a person would read it (JSON \\uXXXX
escapes resolved, separators between digits skipped) and searched.

Two stacks: the shared one at Rasa's default level (INFO), where names and addresses
must not appear either, and one at DEBUG, where Rasa and the action server log every
message, parse result and tracker: numbers must be masked there. (A name inside a
logged message cannot be recognised: run production at INFO.)
"""
from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
import uuid

import pytest

pytestmark = pytest.mark.e2e

ELDER_ID = "340202194003150013"
PHONE = "13970931825"
CARD = "6222021234567890"
NAME, STREET = "王秀英", "赭山街道赭山社区5栋"
#: Pieces no log line may show: the birth date, the mobile's middle with a neighbour, card middles.
DIGIT_SECRETS = ("19400315", "1397093", "70931825", "02123456", "62220212")
WORD_SECRETS = ("秀英", "赭山社区")
MESSAGES = (
    "我的身份证号是340202.19400315.0013",
    "电话１３９，７０９３，１８２５",
    "幺三九．七零九三．幺八二五是我的手机",
    "银行卡6222_0212_3456_7890扣款不对",
)


def readable(text: str) -> str:
    """JSON escapes (also escaped twice) resolved, as a person reading the log sees it."""
    return re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def digit_runs(text: str) -> list:
    """Runs of digits (any script, spoken Chinese too) with separators skipped."""
    spoken = {c: str(d)
              for d, chars in enumerate(("零〇洞", "一幺", "二两兩", "三", "四", "五", "六", "七", "八", "九"))
              for c in chars}
    runs, current = [], ""
    for ch in unicodedata.normalize("NFKC", text):
        if ch.isdecimal() or ch in spoken:
            current += spoken.get(ch) or str(unicodedata.decimal(ch))
        elif ch != "*" and (ch.isspace() or unicodedata.category(ch).startswith("P")):
            continue
        else:
            runs.append(current)
            current = ""
    return [run for run in [*runs, current] if run]


def leaks(text: str, words: bool) -> list:
    text = readable(text)
    found = [secret for secret in DIGIT_SECRETS if any(secret in run for run in digit_runs(text))]
    return found + [secret for secret in WORD_SECRETS if words and secret in text]


def converse(stack, sender: str) -> None:
    for message in MESSAGES:
        stack.say(sender, message)
    stack.say(sender, "高龄津贴怎么申请")
    for message in ("办理", "1", NAME, "340202 1940 0315 0013", "1", STREET, "139-7093-1825"):
        stack.say(sender, message)
    assert "请核对" in stack.text(sender, "再说一遍")


def fail_one_message(stack, sender: str) -> None:
    """A message the tracker store refuses to write (the trigger matches its marker)."""
    marker = f"FAILME{uuid.uuid4().hex[:8]}"
    with sqlite3.connect(stack.tracker_db) as db:
        db.execute(f"CREATE TRIGGER h7_fail_{marker} BEFORE INSERT ON events WHEN NEW.data LIKE '%{marker}%' "
                   "BEGIN SELECT RAISE(ABORT, 'forced failure'); END")
    try:
        stack.say(sender, f"{marker} 身份证340202/19400315/0013，手机１３９ ７０９３ １８２５")
    finally:
        with sqlite3.connect(stack.tracker_db) as db:
            db.execute(f"DROP TRIGGER h7_fail_{marker}")
    assert "forced failure" in stack.log_text(), "the failure did not reach the log"


def stored(stack, sender: str) -> str:
    with sqlite3.connect(stack.tracker_db) as db:
        rows = db.execute("select data from events where sender_id like ?", (f"%{sender}",)).fetchall()
    assert rows
    return "\n".join(json.dumps(json.loads(row[0]), ensure_ascii=False) for row in rows)


def test_logs_and_tracker_store_hold_no_personal_data(stack):
    sender = f"logs-{uuid.uuid4().hex[:8]}"
    converse(stack, sender)
    fail_one_message(stack, sender)
    for name, path in stack.logs.items():
        assert leaks(path.read_text(encoding="utf-8", errors="replace"), words=True) == [], name
    assert leaks(stored(stack, sender), words=True) == []


@pytest.fixture(scope="module")
def debug_stack(tmp_path_factory, catalogue_db_url, wechat_api):
    from bot.stack import running_stack
    from tests.support.servers import all_channels, trained_model

    with running_stack(tmp_path_factory.mktemp("debug-logs"), trained_model(), catalogue_db_url,
                       credentials=all_channels(wechat_api.base), extra_env={"LOG_LEVEL": "DEBUG"}) as running:
        yield running


def test_debug_logs_mask_every_number(debug_stack):
    sender = f"debug-{uuid.uuid4().hex[:8]}"
    converse(debug_stack, sender)
    fail_one_message(debug_stack, sender)
    text = debug_stack.log_text()
    assert "340202********0013" in readable(text) and "139****1825" in readable(text)  # logged, masked
    assert leaks(text, words=False) == []
