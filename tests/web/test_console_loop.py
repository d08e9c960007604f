"""The staff console's whole loop in a real browser (Debian chromium + playwright).

A phrasing the live model does not understand gets the fallback and lands in the inbox; a
reviewer assigns it to the right service; a trainer retrains (a fine-tune, with progress),
sees the evaluation gate pass, and puts the model live on the running Rasa server; the
same phrasing is now answered with that service. Rolling back restores the old answer.

Everything runs on copies: the training data and models live in a temporary project, so
the repository's data/ and models/ are untouched. Takes a few minutes (a real fine-tune
and two held-out evaluations).
"""
from __future__ import annotations

import os
import re
import shutil
import uuid

import pytest
from argon2 import PasswordHasher

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.stack import QUIET_ENV, running_stack
from console.auth import accounts, passwords
from console.database import open_database
from console.training.job import copy_training_inputs
from console.training.pipeline import Pipeline, PipelineSettings
from console.training.rasa_admin import RasaServer
from tests.support.server_thread import ServerThread, free_port
from tests.support.servers import trained_model

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.training]  # a real fine-tune in a browser
TOKEN = "loop-" + uuid.uuid4().hex
SECRET = "loop-secret-0123456789abcdef"
PASSWORD = "correct-horse-42"
#: Phrasings the shipped model did not understand (checked below), with their service; a
#: service answer starts with its name in 【】 (a fallback may still list it among choices).
CANDIDATES = [
    ("厂里不要我了钱咋领", "svc_unemployment", "【失业保险金申领】"),
    ("开店卖吃的要啥证", "svc_food_license", "【食品经营许可】"),
    ("屋里老头子满八十了钱咋领", "svc_elderly_allowance", "【高龄津贴申领】"),
]
TRAINING_TIMEOUT_MS = 15 * 60 * 1000


@pytest.fixture(scope="module")
def loop(tmp_path_factory, catalogue_db_url):
    patch = pytest.MonkeyPatch()
    patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    root = tmp_path_factory.mktemp("loop_project")
    training = copy_training_inputs(root)
    live = root / "models" / ("shipped-" + trained_model().name)
    shutil.copy(trained_model(), live)
    db_url = f"sqlite:///{root / 'console.db'}"
    db = open_database(db_url)
    load_catalogue(db, PROJECT_ROOT / "data" / "catalogue")  # the 归入意图 list names services by it
    accounts.create_user(db, "reviewer", PASSWORD, "reviewer")
    accounts.create_user(db, "trainer", PASSWORD, "trainer")
    env = {**os.environ, **QUIET_ENV, "PYTHONPATH": str(PROJECT_ROOT),
           "RASA_CACHE_DIRECTORY": str(root / ".rasa_cache")}
    with running_stack(tmp_path_factory.mktemp("loop_stack"), live, catalogue_db_url,
                       api_token=TOKEN) as stack:
        settings = PipelineSettings(models_dir=root / "models",
                                    heldout_dir=PROJECT_ROOT / "tests" / "nlu_heldout",
                                    domain_path=root / "domain.yml", training=training,
                                    pointer_file=root / "active_model", training_env=env)
        pipeline = Pipeline(db, settings, RasaServer(stack.rasa_url, TOKEN))
        from console.web.app import create_app
        app = create_app(db_url, f"sqlite:///{stack.tracker_db}", root / "data" / "nlu",
                         root / "domain.yml", SECRET, secure_cookies=False, pipeline=pipeline)
        server = ServerThread(app, free_port())
        server.start()
        try:
            yield {"base": f"http://127.0.0.1:{server.port}", "stack": stack, "root": root,
                   "live": live, "pipeline": pipeline}
        finally:
            server.stop()
            patch.undo()


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/inbox")


def sign_out(page) -> None:
    page.click("header button:has-text('退出登录')")
    page.wait_for_url(re.compile(r".*/login$"))


def test_fallback_to_inbox_to_retrain_to_live_and_back(loop, browser):
    stack, base = loop["stack"], loop["base"]
    # 1. Find a phrasing the live model does not understand: the resident gets the fallback.
    for candidate in CANDIDATES:
        phrase, intent, service = candidate  # the one that breaks out is used below
        if service not in stack.text(f"loop-probe-{uuid.uuid4().hex[:6]}", phrase):
            break
    else:
        pytest.fail("the shipped model already understands every candidate phrasing; add a new one")
    resident = f"loop-{uuid.uuid4().hex[:8]}"
    assert service not in stack.text(resident, phrase)

    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # 2. A reviewer finds it in the inbox and assigns it to the right service.
        sign_in(page, base, "reviewer")
        card = page.locator("section.card", has=page.locator(".phrase", has_text=phrase))
        assert card.count() == 1, page.content()[:2000]
        assert "未识别" in card.inner_text()
        assert card.locator("input[name=target]").input_value() == ""  # the model was unsure: no default
        card.locator("input[name=target]").fill(service.strip("【】"))  # the service's catalogue name
        card.locator("button:has-text('加入训练样本')").click()
        page.wait_for_url(re.compile(re.escape(base) + r"/inbox\?done=\d+&at=\d+#notice$"))
        assert "加入训练样本" in page.locator("#notice").inner_text()
        assert page.locator(".phrase", has_text=phrase).count() == 0
        nlu_text = "".join(p.read_text(encoding="utf-8") for p in (loop["root"] / "data" / "nlu").glob("*.yml"))
        assert f"- {phrase}\n" in nlu_text
        page.goto(base + "/models")
        assert "禁止访问" in page.content()  # reviewers cannot retrain
        sign_out(page)

        # 3. A trainer retrains: a fine-tune, and says why; progress shows while it runs.
        sign_in(page, base, "trainer")
        page.goto(base + "/models")
        assert "微调" in page.inner_text("main")
        page.click("button:has-text('开始训练')")
        page.wait_for_url(base + "/models")
        assert re.search(r"训练中|评估中", page.inner_text("main"))
        page.wait_for_selector("text=评估完成", timeout=TRAINING_TIMEOUT_MS)
        main = page.inner_text("main")
        assert "评估完成，可以上线" in main, main[:3000]
        assert "整体准确率" in main and "各意图 F1 对比" in main

        # 4. Activate: the same phrasing now gets the right service.
        page.click("button:has-text('上线这个模型')")
        page.wait_for_url(base + "/models")
        new_model = loop["pipeline"].run.model_filename
        assert new_model and new_model in page.inner_text("section.card:has(h2:has-text('线上模型'))")
        assert service in stack.text(f"loop-after-{uuid.uuid4().hex[:6]}", phrase)

        # 5. Roll back in one click: the old model and its old behaviour return.
        row = page.locator("tr", has=page.locator("td", has_text=loop["live"].name))
        row.locator("button:has-text('回滚到此版本')").click()
        # 6. The console offers to take back what the rolled-back model had learned.
        page.wait_for_url(re.compile(re.escape(base) + r"/models/take-back\?"))
        offered = page.locator("tr", has=page.locator("td", has_text=phrase))
        assert offered.count() == 1, page.inner_text("main")[:2000]
        offered.locator("input[type=checkbox]").check()
        page.click("button:has-text('撤回选中的例句')")
        page.wait_for_url(re.compile(re.escape(base) + r"/models\?taken_back=1"))
        nlu_text = "".join(p.read_text(encoding="utf-8") for p in (loop["root"] / "data" / "nlu").glob("*.yml"))
        assert f"- {phrase}\n" not in nlu_text
        assert loop["live"].name in page.inner_text("section.card:has(h2:has-text('线上模型'))")
        assert service not in stack.text(f"loop-rollback-{uuid.uuid4().hex[:6]}", phrase)
        history = page.inner_text("section.card:has(h2:has-text('上线记录'))")
        assert "回滚" in history and "上线" in history
        assert not errors
    finally:
        context.close()
