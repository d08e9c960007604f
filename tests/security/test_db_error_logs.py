"""A database error in the middle of an application logs no personal data.

The guided form's action (actions/guided_form.py) logs the exception when the database
fails. SQLAlchemy's message quotes the statement's values, here a draft holding the
whole application (name, ID, phone, address) or the application itself. A trigger in a
real SQLite database makes the write fail, the action runs as the action server runs it
(with the log masking that `actions/__init__.py` installs), and every captured line is
searched for each piece of personal data, also in JSON's \\uXXXX spelling.

Without ``hide_parameters`` on the engine (bot/db.py) the draft's JSON, and with it the
name, is in the log: no pattern can find a name in free text.
"""
from __future__ import annotations

import asyncio
import io
import logging
import re
import uuid

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import text

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from bot.flows import engine
from bot.flows.context import flow_context
from bot.flows.drafts import save_draft
from bot.logging_setup import install_log_masking, uninstall_log_masking

NAME, STREET = "王秀英", "赭山街道赭山社区5栋"
ELDER_ID = "340202194003150013"  # check digit right, 80+ today
PHONE = "13970931825"
SECRETS = (NAME, "秀英", STREET, "赭山社区", ELDER_ID, "19400315", PHONE, "7093")


@pytest.fixture()
def app_db(tmp_path, monkeypatch):
    """A fresh application database with the catalogue; keys in a private var folder."""
    from actions import runtime

    var = tmp_path / "var"
    url = f"sqlite:///{var / 'app.db'}"
    monkeypatch.setenv("GOV_VAR_DIR", str(var))
    monkeypatch.setenv("GOV_DATABASE_URL", url)
    for name in ("GOV_DATA_KEY_FILE", "GOV_DIGEST_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    load_catalogue(session_factory(url), PROJECT_ROOT / "data" / "catalogue")
    runtime.catalogue.cache_clear()
    yield url
    runtime.catalogue.cache_clear()


@pytest.fixture()
def captured_logs():
    """Everything the process logs, as a handler on the root logger writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    level, root.level = root.level, logging.DEBUG
    install_log_masking()  # what importing `actions` does in the action server
    yield stream
    uninstall_log_masking()
    root.removeHandler(handler)
    root.setLevel(level)


def draft_at(app_db: str, sender: str, answers: list) -> str:
    """A saved draft of 高龄津贴 after these answers; returns its id."""
    ctx = flow_context()
    flow = ctx.build("elderly-allowance")
    state = engine.start(flow).state
    for answer in answers:
        state = engine.handle(flow, state, answer).state
    return save_draft(session_factory(app_db), sender_id=sender, state={**state, "instance": uuid.uuid4().hex})


def run_step(sender: str, draft_id: str, message: str, intent: str) -> list:
    from actions.guided_form import ValidateGuidedForm

    latest = {"text": message, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    tracker = Tracker(sender, {"flow_state": {"draft": draft_id}, "flow_done": message}, latest,
                      [{"event": "user", "text": message, "parse_data": latest}], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateGuidedForm().validate_flow_done(message, dispatcher, tracker, {}))
    return dispatcher.messages


ANSWERS_BEFORE_PHONE = ["1", NAME, ELDER_ID, "1", STREET]


@pytest.mark.parametrize("table, when, answers, message, intent", [
    # the last answer: saving the draft (all answers in clear JSON) fails
    ("flow_drafts", "UPDATE", ANSWERS_BEFORE_PHONE, PHONE, "inform"),
    # the confirmation: storing the application fails
    ("applications", "INSERT", [*ANSWERS_BEFORE_PHONE, PHONE], "1", "affirm"),
])
def test_a_failed_write_logs_the_error_without_personal_data(app_db, captured_logs, table, when, answers,
                                                             message, intent):
    sender = f"logs-{uuid.uuid4().hex[:8]}"
    draft_id = draft_at(app_db, sender, answers)
    with session_factory(app_db).begin() as session:
        session.execute(text(f"CREATE TRIGGER read_only BEFORE {when} ON {table} "
                             "BEGIN SELECT RAISE(ABORT, 'table is read-only'); END"))
    messages = run_step(sender, draft_id, message, intent)
    output = captured_logs.getvalue()
    assert "guided flow step failed" in output and "table is read-only" in output  # the error is there
    assert messages and "系统有点忙" in messages[-1]["text"]
    readable = re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), output)  # JSON escapes
    for secret in SECRETS:
        assert secret not in readable, secret
