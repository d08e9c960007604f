"""Issue 16's journey in two browsers on the real servers.

A resident on the phone-size web chat in elder mode asks for a person; an agent in the
console (another browser context) sees them on the queue without a reload, claims, and
they exchange messages both ways; a service question the resident sends meanwhile gets no
catalogue answer; the agent closes with a note; the resident is told, rates the hand-off,
and the assistant answers again.
"""
from __future__ import annotations

import re
import shutil
import uuid

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import expect

from bot.evaluation.texts import THANKS
from bot.handoff.texts import HANDED_BACK
from bot.stack import free_port
from console.auth import accounts, passwords
from console.database import open_database
from tests.support.console_browser import page_errors, sign_in
from tests.support.console_web import PASSWORD, SECRET
from tests.support.server_thread import ServerThread
from tests.web.chat_page import bots, open_chat, say, wait_for_bot_text

pytestmark = pytest.mark.browser

LIVE_MS = 10_000
SBK = "首次申领实体社会保障卡"  # the 社会保障卡申领 answer card (web chat shows no 【】)


@pytest.fixture(scope="module")
def own_db_url(tmp_path_factory) -> str:
    """A fresh application database with the catalogue: the hand-off desk sees this journey only
    (the session's database holds earlier tests' hand-offs, whose messages a delivery loop would
    also take up)."""
    from bot.catalogue.loader import load_catalogue
    from bot.config import PROJECT_ROOT
    from bot.db import session_factory

    url = f"sqlite:///{tmp_path_factory.mktemp('two_browsers_db') / 'app.db'}"
    load_catalogue(session_factory(url), PROJECT_ROOT / "data" / "catalogue")
    return url


@pytest.fixture(scope="module")
def stack(tmp_path_factory, own_db_url, wechat_api):
    """A stack of this module's own, on its own database: tests earlier in the run deliberately
    break the shared one (tests/security/test_logs.py makes its tracker store fail)."""
    import secrets

    from bot.stack import running_stack
    from tests.support.servers import all_channels, trained_model

    with running_stack(tmp_path_factory.mktemp("two_browsers_stack"), trained_model(), own_db_url,
                       credentials=all_channels(wechat_api.base), api_token=secrets.token_urlsafe(24),
                       extra_env={"GOV_HANDOFF_HOURS": "全年无休 0:00-24:00"}) as running:
        yield running


@pytest.fixture(scope="module")
def desk(stack, own_db_url, tmp_path_factory):
    """The staff console on the stack's own database and tracker store, closing through its API."""
    from bot.config import PROJECT_ROOT
    from console.web.app import create_app

    root = tmp_path_factory.mktemp("two_browsers")
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", root / "nlu")
    shutil.copy(PROJECT_ROOT / "domain.yml", root / "domain.yml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        patch.setenv("RASA_URL", stack.rasa_url)
        patch.setenv("RASA_TOKEN", stack.api_token)
        db = open_database(own_db_url)
        name = f"agent-{uuid.uuid4().hex[:6]}"
        accounts.create_user(db, name, PASSWORD, "agent")
        app = create_app(own_db_url, f"sqlite:///{stack.tracker_db}", root / "nlu", root / "domain.yml",
                         SECRET, secure_cookies=False)
        server = ServerThread(app, free_port())
        server.start()
        try:
            yield {"base": f"http://127.0.0.1:{server.port}", "agent": name}
        finally:
            server.stop()


def test_request_queue_claim_talk_close_and_the_assistant_answers_again(stack, desk, open_phone, open_desk):
    tag = uuid.uuid4().hex[:4]
    resident = open_chat(open_phone("375x812"), stack.rasa_url)
    resident.get_by_role("button", name="长辈模式").click()
    say(resident, "我要找人工")
    wait_for_bot_text(resident, "已为您转人工")
    say(resident, f"我家老人的社保卡丢了{tag}")

    agent = open_desk("1366x768")
    sign_in(agent, desk["base"], desk["agent"], landing="/handoff")
    row = agent.locator("#queue tr", has_text=f"社保卡丢了{tag}")
    expect(row).to_be_visible(timeout=LIVE_MS)
    expect(row).to_contain_text("网页")
    row.locator("button", has_text="接入").click()
    agent.wait_for_url(re.compile(r".*/handoff/\d+#reply$"))
    transcript = agent.locator("#transcript")
    expect(transcript).to_contain_text(f"社保卡丢了{tag}")

    # Resident → agent, live; the assistant stays silent about the service question.
    before = bots(resident).count()
    say(resident, f"社保卡怎么办{tag}")
    expect(transcript).to_contain_text(f"社保卡怎么办{tag}", timeout=LIVE_MS)
    # Agent → resident, live through the web chat's socket.
    agent.fill("#reply-text", f"您好，我是工作人员，补办社保卡带身份证即可{tag}。")
    agent.click("form[action='/handoff/reply'] button")
    wait_for_bot_text(resident, f"补办社保卡带身份证即可{tag}")
    assert SBK not in "".join(bots(resident).all_inner_texts()[before:])
    say(resident, f"好的谢谢{tag}")
    expect(transcript).to_contain_text(f"好的谢谢{tag}", timeout=LIVE_MS)

    agent.fill("#close-note", "已告知补办材料")
    agent.click("button:has-text('结束并交还助手')")
    # The close commits before its page answers: the live stream's reload must not cancel that page.
    agent.wait_for_url(re.compile(r".*/handoff\?done=closed"))
    expect(agent.locator("p.notice")).to_contain_text("已结束")
    wait_for_bot_text(resident, HANDED_BACK[:12])
    wait_for_bot_text(resident, "您对这次人工服务满意吗")  # 好差评: the hand-off is rated once
    say(resident, "1")
    wait_for_bot_text(resident, THANKS)

    say(resident, "社保卡怎么办理")
    wait_for_bot_text(resident, SBK)
    assert page_errors(agent) == [] and resident.errors == []
