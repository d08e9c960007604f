"""Rollback over HTTP, then taking back what the rolled-back model had added
(console/web/routes/take_back.py): a reviewer teaches a message, a newer model is live, a
trainer rolls back, confirms, and the message is back in the inbox and out of the data.

Rasa is a stand-in that remembers what it loaded; the models are archives holding only
their domain; the data, the database and the console are real.
"""
from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from console.auth import audit, passwords
from console.teaching import decisions
from console.teaching.nlu_files import scan_nlu
from console.training import registry
from console.training.job import TrainingSettings
from console.training.pipeline import Pipeline, PipelineSettings
from tests.support.console_web import PHRASE, SECRET, console_files, csrf_of, get, logged_in, post
from tests.support.server_thread import ServerThread, free_port
from tests.support.training import FakeRasa, fake_model

OLD, NEW = "20261201-090000-old.tar.gz", "20261203-090000-new.tar.gz"


@pytest.fixture()
def console(tmp_path, monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    nlu_dir, domain_path, db_url, db, tracker = console_files(tmp_path)
    load_catalogue(db, PROJECT_ROOT / "data" / "catalogue")
    models = tmp_path / "models"
    models.mkdir()
    fake_model(models / OLD, mtime=time.time() - 1000)
    registry.record_activation(db, NEW, OLD, "activate", "admin")  # OLD was live before NEW
    rasa = FakeRasa(NEW)
    training = TrainingSettings(data=[nlu_dir], config=tmp_path / "config.yml", domain=domain_path,
                                out=models, cwd=tmp_path)
    pipeline = Pipeline(db, PipelineSettings(models_dir=models, heldout_dir=tmp_path / "heldout",
                                             domain_path=domain_path, training=training), rasa)
    from console.web.app import create_app
    app = create_app(db_url, tracker, nlu_dir, domain_path, SECRET, secure_cookies=False, pipeline=pipeline)
    server = ServerThread(app, free_port())
    server.start()
    try:
        yield dict(base=f"http://127.0.0.1:{server.port}", db=db, nlu_dir=nlu_dir, models=models, rasa=rasa)
    finally:
        server.stop()


def test_rollback_offers_the_taught_examples_and_taking_them_back_returns_them_to_the_inbox(console):
    base, db = console["base"], console["db"]
    reviewer = logged_in(base, "reviewer")
    inbox = get(reviewer, base + "/inbox").text
    taught = post(reviewer, base + "/inbox/decide", {"text": PHRASE, "action": "assign",
                                                     "target": "社会保障卡申领", "csrf": csrf_of(inbox)})
    assert taught.status_code == 303
    fake_model(console["models"] / NEW, mtime=time.time() + 1)  # trained after the decision
    assert PHRASE not in get(reviewer, base + "/inbox").text

    trainer = logged_in(base, "trainer")
    page = get(trainer, base + "/models").text
    assert "回滚到此版本" in page and "+1 例句" in page
    rolled = post(trainer, base + "/models/activate", {"model": OLD, "csrf": csrf_of(page)})
    assert rolled.status_code == 303
    assert rolled.headers["Location"] == f"/models/take-back?from={NEW}&to={OLD}"
    assert console["rasa"].loaded == [OLD]

    confirm = get(trainer, base + rolled.headers["Location"])
    assert confirm.status_code == 200
    assert f'<input type="checkbox" name="text" value="{PHRASE}" checked>' in confirm.text
    assert "社会保障卡申领" in confirm.text and "svc_sbk_apply" not in confirm.text
    assert "待处理消息（撤回后回到待处理消息）" in confirm.text

    nothing = post(trainer, base + "/models/take-back", {"from": NEW, "to": OLD, "csrf": csrf_of(confirm.text)})
    assert nothing.status_code == 400 and "请选择要撤回的例句" in nothing.text
    assert PHRASE in scan_nlu(console["nlu_dir"]).examples

    done = post(trainer, base + "/models/take-back", {"from": NEW, "to": OLD, "text": PHRASE,
                                                     "csrf": csrf_of(confirm.text)})
    assert done.status_code == 303 and done.headers["Location"] == "/models?taken_back=1&returned=1"
    notice = get(trainer, base + done.headers["Location"]).text
    assert "已从训练数据中撤回 1 条例句，其中 1 条消息已回到待处理消息" in notice

    assert PHRASE not in scan_nlu(console["nlu_dir"]).examples
    assert decisions.get_decision(db, PHRASE) is None
    assert PHRASE in get(reviewer, base + "/inbox").text
    actions = [(e.username, e.action) for e in audit.recent(db, 10)]
    assert actions[:3] == [("trainer", "model_take_back"), ("trainer", "inbox_revert"), ("trainer", "model_rollback")]

    # The newer model is no rollback target now: it goes live again through the gate.
    rows = get(trainer, base + "/models").text
    new_row = rows[rows.index(f'class="filename">{NEW}<'):]
    new_row = new_row[:new_row.index("</tr>")]
    assert "回滚到此版本" not in new_row and ">评估</button>" in new_row


def test_a_rollback_with_nothing_to_take_back_goes_back_to_the_models_page(console):
    fake_model(console["models"] / NEW, mtime=time.time() + 1)
    trainer = logged_in(console["base"], "trainer")
    page = get(trainer, console["base"] + "/models").text
    rolled = post(trainer, console["base"] + "/models/activate", {"model": OLD, "csrf": csrf_of(page)})
    assert rolled.status_code == 303 and rolled.headers["Location"] == "/models"
