"""Every role gets exactly what it may, over real HTTP, and a refusal changes nothing.

The console runs with a model pipeline (console/training/pipeline.py) but no Rasa server, so
activation is refused politely; "training" is a stand-in `rasa` that only sleeps, so a
retrain can be started and cancelled in a moment. The models folder holds two small
archives with nothing in them but the training domain, which is all that listing the
models and planning the next training read. The hand-off desk has a resident waiting
(QUEUED_ID), one held by the admin (HELD_ID) and a canned reply (CANNED_ID).
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import stat
import time
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
import requests
from argon2 import PasswordHasher
from sqlalchemy import select

from bot.catalogue import editing
from bot.evaluation import appeals
from bot.evaluation.models import Appeal, FollowUp, Rating
from bot.handoff import service as handoff
from bot.handoff import tickets
from bot.handoff.models import HandoffMessage, HandoffRequest
from console.auth import accounts, audit, passwords
from console.auth.audit import Actor
from console.auth.sessions import SESSION_COOKIE
from console.database import open_database
from console.followups import texts as followup_texts
from console.handoff import canned
from console.tables import CannedReply, StaffUser
from console.teaching import decisions, service
from console.teaching.service import TrainingFiles
from console.training.job import TrainingSettings
from console.training.pipeline import STEP_CANCELLED, STEP_TRAINING, Pipeline, PipelineSettings
from console.web.pages.layout import CSRF_MESSAGE, FORBIDDEN_MESSAGE
from tests.support.console_web import (
    PASSWORD,
    PHRASE,
    SECRET,
    console_files,
    csrf_of,
    get,
    logged_in,
    login,
    nlu_digest,
    post,
)
from tests.support.ratings import poor_rating
from tests.support.server_thread import ServerThread, free_port
from tests.support.training import fake_model, write_project

ROLES = ("anonymous", "reviewer", "trainer", "admin", "agent")
OLDER, NEWER = "20240101-090000-older.tar.gz", "20240102-090000-newer.tar.gz"
NO_RASA = "没有配置对话服务的管理地址和令牌"
UNDO_TEXT, UNDO_ID = "撤回测试用的一句话", 1
#: A message left for a callback (留言), the one the ticket forms below would reveal or close.
TICKET_PHONE, TICKET_ID = "13912345678", 1
LOCKED = "登录失败次数过多，请 15 分钟后再试。"
QUEUED_ID, HELD_ID, CANNED_ID = 1, 2, 1

#: Stands in for `rasa train`: records its arguments, then sleeps until cancelled.
SLEEPING_RASA = """\
#!/bin/sh
echo "$*" >> "{calls}"
exec sleep 30
"""

VIEW = ("reviewer", "trainer", "admin")
TRAIN = ("trainer", "admin")
ADMIN = ("admin",)
DESK = ("agent", "admin")
SIGNED_IN = (*VIEW, "agent")
FOLLOW = (*VIEW, "agent")
GET_ROUTES = {"/inbox": VIEW, "/inbox/decided": VIEW, "/faq": VIEW, "/models": TRAIN, "/models/status.json": TRAIN,
              "/audit": ADMIN, "/audit?action=login&from=2020-01-01&page=2": ADMIN, "/audit/export.csv": ADMIN,
              "/users": ADMIN, "/password": SIGNED_IN, "/services": VIEW, "/services/edit?id=marriage": VIEW,
              "/services/new": TRAIN, "/services/delete?id=hf-retire": TRAIN,
              f"/models/take-back?from={NEWER}&to={OLDER}": TRAIN,
              "/handoff": DESK, "/handoff/queue": DESK, "/handoff/mine": DESK, "/handoff/events": DESK,
              f"/handoff/{HELD_ID}": DESK, f"/handoff/{HELD_ID}/messages": DESK, "/handoff/replies": DESK,
              f"/handoff/answer?request={HELD_ID}&service=社会保障卡申领": DESK,
              "/followups": FOLLOW, "/followups?status=open&overdue=1&page=2": FOLLOW, "/followups/1": FOLLOW,
              "/appeals": ADMIN, "/handoff/tickets": DESK,
              "/dashboard": VIEW, "/dashboard?days=7&grain=week&channel=wechat": VIEW, "/dashboard.csv": VIEW}
#: GET routes that answer with a part of a page (for the desk's script), not a page.
PAGE_PARTS = {"/handoff/queue": "排队中", "/handoff/mine": "我的会话", f"/handoff/{HELD_ID}/messages": "对话记录"}
POST_ROUTES = {"/inbox/decide": VIEW, "/inbox/bulk": VIEW, "/inbox/undo": VIEW, "/inbox/revert": VIEW,
               "/faq/add": VIEW, "/faq/example": VIEW,
               "/models/retrain": TRAIN, "/models/evaluate": TRAIN, "/models/activate": TRAIN,
               "/models/cancel": TRAIN, "/models/take-back": TRAIN, "/services/save": TRAIN, "/services/delete": TRAIN,
               "/inbox/service": TRAIN, "/users/create": ADMIN, "/users/role": ADMIN, "/users/active": ADMIN,
               "/users/reset": ADMIN, "/password": SIGNED_IN, "/users/department": ADMIN,
               "/handoff/claim": DESK, "/handoff/reply": DESK, "/handoff/transfer": DESK, "/handoff/close": DESK,
               "/handoff/replies/save": DESK, "/handoff/replies/delete": DESK,
               "/followups/1/advance": FOLLOW, "/followups/1/appeal": FOLLOW, "/appeals/decide": ADMIN,
               "/handoff/tickets/reveal": DESK, "/handoff/tickets/close": DESK}
#: A complete new service as the 服务事项 form sends it.
SERVICE_FORM = {"id": "", "name": "养犬登记", "department": "市公安局", "aliases": "办狗证", "examples": "",
                "summary": "为犬只办理登记。", "eligibility": "养犬居民", "materials": "犬只免疫证明",
                "steps": "提交材料", "time_limit": "即办", "fee": "不收费", "needs_hall": "1",
                "hall_type": "government_center", "hall_note": "", "online": "皖事通｜搜索养犬登记",
                "faqs": "要带狗去吗？｜不用。", "related": ""}


def wait_until(check: Callable[[], bool], seconds: float = 20, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    root = tmp_path_factory.mktemp("console_permissions")
    patch.setenv("GOV_VAR_DIR", str(root / "var"))  # key files and no Rasa token of the project's
    nlu_dir, domain_path, db_url, db, tracker = console_files(root)  # with the catalogue
    # The hand-off desk: a resident waiting, one the admin holds, a canned reply.
    queued = handoff.request_handoff(db, conversation_id="web:perm-queued", channel="webchat").request.id
    held = handoff.request_handoff(db, conversation_id="wechat:perm-held", channel="wechat").request.id
    handoff.claim(db, request_id=held, agent="admin")
    handoff.record_resident_message(db, request_id=held, text="我想问一下社保卡")
    first = canned.add_reply(db, Actor("admin"), "问候", "您好，请问有什么可以帮您？")
    assert (queued, held, first.id) == (QUEUED_ID, HELD_ID, CANNED_ID)
    # Follow-up 1 to move and appeal; follow-up 2's rating has appeal 1 (the reviewer's) waiting.
    assert [poor_rating(db), poor_rating(db)] == [1, 2]
    assert appeals.request_appeal(db, rating_id=2, requested_by="reviewer", reason="误评").id == 1
    ticket = tickets.create_ticket(db, conversation_id="web:resident", channel="webchat", phone=TICKET_PHONE,
                                   message="请回电", reason="closed", days=2)
    assert ticket.id == TICKET_ID
    # A decision of the admin's own, the one the undo and revert forms below would take back.
    undoable = service.decide_inbox_message(db, TrainingFiles(nlu_dir, domain_path), Actor("admin"),
                                            UNDO_TEXT, "dismiss")
    assert undoable.id == UNDO_ID

    tiny = write_project(root / "tiny")
    heldout = root / "heldout"
    heldout.mkdir()
    shutil.copy(tiny / "data" / "nlu.yml", heldout / "nlu.yml")
    models = root / "models"
    models.mkdir()
    now = time.time()
    for age, name in ((200, OLDER), (100, NEWER)):
        os.utime(fake_model(models / name, ("greet", "goodbye", "thanks")), (now - age, now - age))
    calls = root / "rasa_calls.log"
    rasa_bin = root / "bin" / "rasa"
    rasa_bin.parent.mkdir()
    rasa_bin.write_text(SLEEPING_RASA.format(calls=calls), encoding="utf-8")
    rasa_bin.chmod(rasa_bin.stat().st_mode | stat.S_IXUSR)
    training = TrainingSettings(data=[tiny / "data"], config=tiny / "config.yml",
                                domain=tiny / "domain.yml", out=models, rasa=rasa_bin, cwd=tiny)
    pointer = root / "var" / "active_model"
    pipeline = Pipeline(db, PipelineSettings(models_dir=models, heldout_dir=heldout,
                                             domain_path=tiny / "domain.yml", training=training,
                                             pointer_file=pointer, stamp_file=None), None)

    from console.web.app import create_app
    app = create_app(db_url, tracker, nlu_dir, domain_path, SECRET, secure_cookies=False,
                     pipeline=pipeline)
    server = ServerThread(app, free_port())
    server.start()
    try:
        yield SimpleNamespace(base=f"http://127.0.0.1:{server.port}", db=db, nlu_dir=nlu_dir,
                              pipeline=pipeline, models=models, pointer=pointer, calls=calls,
                              server=server)
    finally:
        if pipeline.run is not None and pipeline.run.running:
            asyncio.run_coroutine_threadsafe(pipeline.cancel(), server.loop).result(30)
        server.stop()
        patch.undo()


@pytest.fixture(scope="module")
def users(env) -> dict:
    """A signed-in browser per role (and one without a session), with its CSRF token."""
    found = {"anonymous": SimpleNamespace(http=requests.Session(), csrf=uuid.uuid4().hex * 2)}
    for role in ("reviewer", "trainer", "admin", "agent"):
        http = logged_in(env.base, role)
        found[role] = SimpleNamespace(http=http, csrf=csrf_of(get(http, env.base + "/password").text))
    return found


def audit_rows(env) -> list:
    return audit.recent(env.db, 1000)


def snapshot(env) -> dict:
    """Everything a console POST could change."""
    pipeline = env.pipeline
    decided = sorted(decisions.decided_texts(env.db))
    with env.db() as session:
        staff = session.execute(select(StaffUser.username, StaffUser.role, StaffUser.active,
                                       StaffUser.must_change_password, StaffUser.password_hash,
                                       StaffUser.department)
                                .order_by(StaffUser.username)).all()
        requests_ = session.execute(select(HandoffRequest.id, HandoffRequest.status, HandoffRequest.agent,
                                           HandoffRequest.note).order_by(HandoffRequest.id)).all()
        messages = session.execute(select(HandoffMessage.id).order_by(HandoffMessage.id)).scalars().all()
        replies = session.execute(select(CannedReply.id, CannedReply.title, CannedReply.text)
                                  .order_by(CannedReply.id)).all()
        evaluation = [session.execute(select(FollowUp.id, FollowUp.status).order_by(FollowUp.id)).all(),
                      session.execute(select(Appeal.id, Appeal.status).order_by(Appeal.id)).all(),
                      session.execute(select(Rating.id, Rating.set_aside_at).order_by(Rating.id)).all()]
    return {
        "accounts": [tuple(row) for row in staff],
        "evaluation": [[tuple(row) for row in rows] for rows in evaluation],
        "handoff": [tuple(row) for row in requests_], "handoff_messages": messages,
        "canned": [tuple(row) for row in replies],
        "run": id(pipeline.run), "running": bool(pipeline.run and pipeline.run.running),
        "job": id(pipeline.trainer.job), "evaluating": pipeline.evaluating,
        "evaluation_error": pipeline.evaluation_error,
        "audit": [r.id for r in audit_rows(env)], "decisions": decided,
        "services": [(s.id, s.name, s.aliases, s.examples) for s in editing.list_services(env.db)],
        "nlu": nlu_digest(env.nlu_dir),
        "nlu_files": sorted(p.name for p in env.nlu_dir.rglob("*")),
        "models": sorted((p.name, p.stat().st_mtime) for p in env.models.iterdir()),
        "pointer": env.pointer.exists(),
        "tickets": [(t.number, t.status, t.note) for t in tickets.list_tickets(env.db)],
        "calls": env.calls.read_text() if env.calls.exists() else "",
    }


def cancel_and_wait(env, http: requests.Session, csrf: str) -> None:
    response = post(http, env.base + "/models/cancel", {"csrf": csrf})
    assert response.status_code == 303
    wait_until(lambda: env.pipeline.run is None or not env.pipeline.run.running, what="cancel")
    assert env.pipeline.run.step == STEP_CANCELLED


def assert_refused(response: requests.Response, role: str, method: str) -> None:
    if role == "anonymous":
        if method == "GET":
            assert response.status_code == 303
            assert response.headers["Location"] == "/login"
        else:
            assert response.status_code == 401
            assert "请先登录" in response.text
    else:
        assert response.status_code == 403, response.text[:300]
        assert FORBIDDEN_MESSAGE in response.text
    assert OLDER not in response.text and NEWER not in response.text and TICKET_PHONE not in response.text


#: Routes anyone may use: where "/" leads, the login form, and the desk's script (no data in it).
PUBLIC_ROUTES = {("GET", "/"), ("GET", "/login"), ("POST", "/login"), ("GET", "/static/seat.js")}


def route_of(path: str) -> str:
    """The router's name of a path: a number segment is the <…:int> parameter it fills."""
    return re.sub(r"/\d+(?=/|$)", "/<__dynamic__:int>", path.split("?")[0])


def test_every_route_of_the_console_is_in_these_tables(env):
    """A route added to the app but not to GET_ROUTES, POST_ROUTES and EFFECTIVE_FORMS would
    escape the role and CSRF checks below: this fails until it is listed."""
    served = {(method, "/" + "/".join(key)) for key, group in env.server.app.router.groups.items()
              for route in group.routes for method in route.methods}
    listed = ({("GET", route_of(path)) for path in GET_ROUTES} | {("POST", route_of(path)) for path in POST_ROUTES}
              | {("POST", "/logout")} | PUBLIC_ROUTES)
    assert served == listed
    assert set(POST_ROUTES) | {"/logout"} == set(EFFECTIVE_FORMS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(GET_ROUTES))
def test_get_routes(env, users, path, role):
    user = users[role]
    if path == "/handoff/events" and role in GET_ROUTES[path]:
        with user.http.get(env.base + path, stream=True, allow_redirects=False, timeout=10) as stream:
            assert stream.status_code == 200
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            assert "event: ready" in next(stream.iter_lines(decode_unicode=True, delimiter="\n\n"))
        return
    response = get(user.http, env.base + path)
    if role not in GET_ROUTES[path]:
        assert_refused(response, role, "GET")
        return
    assert response.status_code == 200, response.text[:300]
    if path in PAGE_PARTS:
        assert PAGE_PARTS[path] in response.text and "<html" not in response.text
    elif path.startswith("/handoff/answer"):
        assert response.headers["Content-Type"].startswith("text/plain")
        assert response.text.startswith("【社会保障卡申领】")
    elif path == "/models/status.json":
        body = response.json()
        assert body["live"] == NEWER and body["live_error"] is None
    elif path == "/audit/export.csv":
        assert response.headers["Content-Type"].startswith("text/csv")
        assert response.content.startswith("\ufeff时间".encode())
    elif path == "/dashboard.csv":
        assert response.headers["Content-Type"].startswith("text/csv")
        assert response.content.startswith("\ufeff服务分析".encode())
    else:
        assert '<html lang="zh-CN">' in response.text and FORBIDDEN_MESSAGE not in response.text
        assert f"{role}（" in response.text  # the signed-in header


def allowed_post(env, user, role: str, path: str) -> None:
    """The request each role may make, with a form that shows the handler ran."""
    base, pipeline = env.base, env.pipeline
    if path in ("/inbox/decide", "/inbox/bulk"):
        response = post(user.http, base + path, {"text": PHRASE, "action": "bogus", "csrf": user.csrf})
        assert response.status_code == 400 and "请选择处理方式" in response.text
    elif path in ("/inbox/undo", "/inbox/revert"):
        response = post(user.http, base + path, {"decision": "999999", "csrf": user.csrf})
        assert response.status_code == 409 and "这条处理记录已经撤回或不存在" in response.text
    elif path == "/faq/add":
        response = post(user.http, base + path, {"key": "Bad Key", "examples": "甲\n乙",
                                                 "answer": "答", "csrf": user.csrf})
        assert response.status_code == 400 and "问题标识 “Bad Key” 无效" in response.text
    elif path == "/faq/example":
        response = post(user.http, base + path, {"key": "no_such_faq", "text": "周末开门吗",
                                                 "csrf": user.csrf})
        assert response.status_code == 400 and "没有标识为 no_such_faq 的常见问题" in response.text
    elif path == "/models/retrain":
        response = post(user.http, base + path, {"csrf": user.csrf})
        assert response.status_code == 303 and response.headers["Location"] == "/models"
        assert pipeline.run is not None and pipeline.run.username == role
        newest = audit_rows(env)[0]
        assert (newest.username, newest.action) == (role, "model_retrain")
        cancel_and_wait(env, user.http, user.csrf)
    elif path == "/models/evaluate":
        response = post(user.http, base + path, {"model": "nope.tar.gz", "csrf": user.csrf})
        assert response.status_code == 409 and "没有找到模型 nope.tar.gz" in response.text
        assert pipeline.evaluating is None
    elif path == "/models/activate":
        before = snapshot(env)
        response = post(user.http, base + path, {"model": OLDER, "csrf": user.csrf})
        assert response.status_code == 409 and NO_RASA in response.text
        assert "全部模型" in response.text  # the models page again, with the reason on top
        assert snapshot(env) == before
    elif path == "/models/take-back":
        response = post(user.http, base + path, {"from": NEWER, "to": OLDER, "csrf": user.csrf})
        assert response.status_code == 400 and "请选择要撤回的例句" in response.text
    elif path == "/models/cancel":
        response = post(user.http, base + path, {"csrf": user.csrf})
        assert response.status_code == 303 and response.headers["Location"] == "/models"
    elif path == "/services/save":
        response = post(user.http, base + path, {**SERVICE_FORM, "name": "", "csrf": user.csrf})
        assert response.status_code == 400 and "名称：不能为空" in response.text
    elif path == "/services/delete":
        response = post(user.http, base + path, {"id": "hf-retire", "csrf": user.csrf})
        assert response.status_code == 400 and "请确认删除" in response.text
    elif path == "/inbox/service":
        response = post(user.http, base + path, {"text": PHRASE, "service": "没有这个事项", "csrf": user.csrf})
        assert response.status_code == 400 and "没有名为“没有这个事项”的服务事项" in response.text
    elif path == "/users/create":
        response = post(user.http, base + path, {"username": "1bad", "role": "reviewer", "csrf": user.csrf})
        assert response.status_code == 400 and "小写字母开头" in response.text
    elif path in ("/users/role", "/users/active"):
        response = post(user.http, base + path, {"username": "nobody", "role": "admin", "active": "1",
                                                 "csrf": user.csrf})
        assert response.status_code == 404 and "没有找到账号 nobody" in response.text
    elif path == "/users/reset":
        response = post(user.http, base + path, {"username": "reviewer", "csrf": user.csrf})
        assert response.status_code == 400 and "请勾选“确认重置”" in response.text
    elif path == "/users/department":
        response = post(user.http, base + path, {"username": "nobody", "department": "", "csrf": user.csrf})
        assert response.status_code == 404 and "没有找到账号 nobody" in response.text
    elif path == "/followups/1/advance":
        response = post(user.http, base + path, {"seen": "verifying", "to": "rectifying", "note": "",
                                                 "csrf": user.csrf})
        assert response.status_code == 400 and followup_texts.NOTE_REQUIRED in response.text
    elif path == "/followups/1/appeal":
        response = post(user.http, base + path, {"reason": "", "csrf": user.csrf})
        assert response.status_code == 400 and followup_texts.APPEAL_REASON in response.text
    elif path == "/appeals/decide":
        response = post(user.http, base + path, {"appeal": "999999", "decision": "approve", "note": "同意",
                                                 "csrf": user.csrf})
        assert response.status_code == 404 and followup_texts.APPEAL_MISSING in response.text
    elif path == "/password":
        response = post(user.http, base + path, {"current": "not-my-password", "new": "a-new-secret-1",
                                                 "again": "a-new-secret-1", "csrf": user.csrf})
        assert response.status_code == 400 and "当前密码不正确" in response.text
    elif path in ("/handoff/claim", "/handoff/reply", "/handoff/close"):
        response = post(user.http, base + path, {"request": "999999", "text": "您好", "note": "已解答",
                                                 "csrf": user.csrf})
        assert response.status_code == 404 and "没有找到这个会话" in response.text
    elif path == "/handoff/transfer":
        response = post(user.http, base + path, {"request": str(HELD_ID), "to": "nobody", "csrf": user.csrf})
        assert response.status_code == 400 and "请选择一位在岗的坐席同事" in response.text
    elif path == "/handoff/replies/save":
        response = post(user.http, base + path, {"title": " ", "text": "您好", "csrf": user.csrf})
        assert response.status_code == 400 and "标题不能为空" in response.text
    elif path == "/handoff/replies/delete":
        response = post(user.http, base + path, {"id": "999999", "confirm": "yes", "csrf": user.csrf})
        assert response.status_code == 404 and "没有找到这条常用回复" in response.text
    elif path == "/handoff/tickets/reveal":
        response = post(user.http, base + path, {"id": "999999", "csrf": user.csrf})
        assert response.status_code == 404 and "没有找到这条留言" in response.text
    elif path == "/handoff/tickets/close":
        response = post(user.http, base + path, {"id": str(TICKET_ID), "note": " ", "csrf": user.csrf})
        assert response.status_code == 400 and "请填写处理说明" in response.text
    else:  # pragma: no cover
        raise AssertionError(path)


#: Forms that would change something if the request went through.
EFFECTIVE_FORMS = {
    "/inbox/decide": {"text": PHRASE, "action": "dismiss"},
    "/inbox/bulk": {"text": PHRASE, "action": "dismiss"},
    "/inbox/undo": {"decision": str(UNDO_ID)},
    "/inbox/revert": {"decision": str(UNDO_ID)},
    "/models/retrain": {},
    "/models/evaluate": {"model": NEWER},
    "/models/activate": {"model": OLDER},
    "/models/cancel": {},
    "/models/take-back": {"from": NEWER, "to": OLDER, "text": PHRASE},
    "/faq/add": {"key": "test_hours", "examples": "办事大厅几点开门\n大厅几点下班",
                 "answer": "工作日 9:00–17:00。"},
    "/faq/example": {"key": "test_hours", "text": "周末大厅开门吗"},
    "/services/save": SERVICE_FORM,
    "/services/delete": {"id": "hf-retire", "confirm": "yes"},
    "/inbox/service": {"text": PHRASE, "service": "社会保障卡申领"},
    "/users/create": {"username": "newcomer", "role": "admin"},
    "/users/role": {"username": "reviewer", "role": "admin"},
    "/users/active": {"username": "trainer", "active": "0", "confirm": "yes"},
    "/users/reset": {"username": "trainer", "confirm": "yes"},
    "/password": {"current": PASSWORD, "new": "taken-over-42", "again": "taken-over-42"},
    "/handoff/claim": {"request": str(QUEUED_ID)},
    "/handoff/reply": {"request": str(HELD_ID), "text": "您好，我是人工客服。"},
    "/handoff/transfer": {"request": str(HELD_ID), "to": "agent"},
    "/handoff/close": {"request": str(HELD_ID), "note": "已解答"},
    "/handoff/replies/save": {"title": "稍等", "text": "请稍等，我帮您查一下。"},
    "/handoff/replies/delete": {"id": str(CANNED_ID), "confirm": "yes"},
    "/users/department": {"username": "reviewer", "department": "市民政局"},
    "/followups/1/advance": {"seen": "verifying", "to": "rectifying", "note": "已核实"},
    "/followups/1/appeal": {"reason": "恶意差评"},
    "/appeals/decide": {"appeal": "1", "decision": "approve", "note": "同意"},
    "/handoff/tickets/reveal": {"id": str(TICKET_ID)},
    "/handoff/tickets/close": {"id": str(TICKET_ID), "note": "已回电"},
    "/logout": {},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(POST_ROUTES))
def test_post_routes(env, users, path, role):
    user = users[role]
    if role in POST_ROUTES[path]:
        allowed_post(env, user, role, path)
        return
    before = snapshot(env)
    response = post(user.http, env.base + path, {**EFFECTIVE_FORMS[path], "csrf": user.csrf})
    assert_refused(response, role, "POST")
    assert snapshot(env) == before


@pytest.mark.parametrize("forgery", ["random", "other_session", "missing", "empty"])
@pytest.mark.parametrize("path", list(EFFECTIVE_FORMS))
def test_forged_csrf_is_refused_before_anything_happens(env, users, path, forgery):
    admin = users["admin"]  # may do everything, so only the CSRF check can refuse
    form = dict(EFFECTIVE_FORMS[path])
    if forgery == "random":
        form["csrf"] = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    elif forgery == "other_session":
        form["csrf"] = users["trainer"].csrf
        assert form["csrf"] != admin.csrf
    elif forgery == "empty":
        form["csrf"] = ""
    before = snapshot(env)
    response = post(admin.http, env.base + path, form)
    assert response.status_code == 403, response.text[:300]
    assert CSRF_MESSAGE in response.text
    assert snapshot(env) == before
    assert get(admin.http, env.base + "/audit").status_code == 200  # still signed in


def test_trainer_retrains_and_cancels_over_http(env, users):
    base, pipeline = env.base, env.pipeline
    trainer, admin = users["trainer"], users["admin"]
    page = get(trainer.http, base + "/models").text
    assert "开始训练" in page and "取消训练" not in page
    calls_before = env.calls.read_text() if env.calls.exists() else ""

    response = post(trainer.http, base + "/models/retrain", {"csrf": trainer.csrf})
    assert response.status_code == 303
    run = pipeline.run
    assert run is not None and run.running and run.username == "trainer"
    wait_until(lambda: env.calls.exists() and env.calls.read_text() != calls_before,
               what="the training command")
    argv = env.calls.read_text()[len(calls_before):].split()
    assert argv[0] == "train" and "--finetune" in argv
    assert str(env.models / NEWER) in argv  # fine-tunes the live (here: newest) model

    status = get(trainer.http, base + "/models/status.json").json()
    assert status["run"]["step"] == STEP_TRAINING and status["run"]["running"]
    assert status["run"]["mode"] == "finetune" and status["run"]["username"] == "trainer"
    page = get(trainer.http, base + "/models").text
    assert STEP_TRAINING in page and "取消训练" in page and "开始训练" not in page
    assert 'http-equiv="refresh"' in page

    busy = post(admin.http, base + "/models/retrain", {"csrf": admin.csrf})
    assert busy.status_code == 409 and "已有训练任务正在进行" in busy.text
    evaluating = post(admin.http, base + "/models/evaluate", {"model": OLDER, "csrf": admin.csrf})
    assert evaluating.status_code == 409 and "正在训练或评估" in evaluating.text
    assert pipeline.run is run and pipeline.evaluating is None

    assert post(trainer.http, base + "/models/cancel", {"csrf": trainer.csrf}).status_code == 303
    wait_until(lambda: STEP_CANCELLED in get(trainer.http, base + "/models").text, what="已取消")
    wait_until(lambda: not run.running, what="the run to end")
    assert run.step == STEP_CANCELLED and run.job.exit_code not in (0, None)
    status = get(trainer.http, base + "/models/status.json").json()
    assert status["run"]["step"] == STEP_CANCELLED and not status["run"]["running"]
    page = get(trainer.http, base + "/models").text
    assert "开始训练" in page and 'http-equiv="refresh"' not in page
    assert sorted(p.name for p in env.models.glob("*.tar.gz")) == sorted([OLDER, NEWER])

    mine = [r for r in audit_rows(env) if r.username == "trainer"]
    actions = [r.action for r in mine]
    assert "model_retrain" in actions and "model_retrain_cancel" in actions
    assert actions.index("model_retrain_cancel") < actions.index("model_retrain")  # newest first
    retrain = next(r for r in mine if r.action == "model_retrain")
    assert retrain.detail["mode"] == "finetune" and "微调" in retrain.detail["reason"]
    audit_page = get(admin.http, base + "/audit?" + urlencode({"user": "trainer", "action": "model_retrain"})).text
    assert '<td class="nowrap">开始训练模型</td>' in audit_page and "训练方式：微调" in audit_page


def test_models_page_shows_the_plan_and_models_to_trainers_only(env, users):
    page = get(users["trainer"].http, env.base + "/models")
    assert page.status_code == 200
    text = page.text
    assert "下次训练方式：<strong>微调</strong>" in text
    assert "只新增了训练例句，意图和常见问题没有变化：用微调（约五分之一轮次）" in text
    assert OLDER in text and NEWER in text
    listing = text[text.index("全部模型"):]
    assert listing.index(NEWER) < listing.index(OLDER)  # newest first
    assert "未评估" in text
    assert 'href="/models"' in text

    for path in ("/models", "/models/status.json"):
        refused = get(users["reviewer"].http, env.base + path)
        assert refused.status_code == 403
        for secret in (OLDER, NEWER, "下次训练方式", "微调", "开始训练"):
            assert secret not in refused.text
    inbox = get(users["reviewer"].http, env.base + "/inbox").text
    assert 'href="/models"' not in inbox and "训练与上线" not in inbox


# --- login rate limiting, each test on a console of its own --------------------------------

@pytest.fixture()
def fresh_console(tmp_path, monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    db_url = f"sqlite:///{tmp_path / 'console.db'}"
    db = open_database(db_url)
    for name in ("alice", "bob", "carol"):
        accounts.create_user(db, name, PASSWORD, "reviewer")
    from console.web.app import create_app
    app = create_app(db_url, f"sqlite:///{tmp_path / 'tracker.db'}", tmp_path / "nlu",
                     tmp_path / "domain.yml", SECRET, secure_cookies=False)
    server = ServerThread(app, free_port())
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def attempt(base: str, username: str, password: str, expected: int) -> requests.Response:
    _, response = login(base, username, password)
    assert response.status_code == expected, (username, response.status_code, response.text[:200])
    if expected != 303:
        assert SESSION_COOKIE not in response.cookies
    return response


def assert_locked(response: requests.Response, username: str) -> None:
    assert response.status_code == 429
    assert LOCKED in response.text
    assert f'value="{username}"' in response.text  # the form again, name kept
    assert 'name="form_token"' in response.text


def test_five_wrong_passwords_lock_the_user_not_the_address(fresh_console):
    base = fresh_console
    for _ in range(5):
        wrong = attempt(base, "alice", "not-the-password", 401)
        assert "用户名或密码不正确" in wrong.text
    assert_locked(attempt(base, "alice", PASSWORD, 429), "alice")
    assert_locked(attempt(base, "ALICE", PASSWORD, 429), "ALICE")
    # Another account from the same address still gets in (5 failures < 20).
    attempt(base, "bob", PASSWORD, 303)
    attempt(base, "carol", "not-the-password", 401)
    attempt(base, "carol", PASSWORD, 303)


def test_twenty_failures_from_one_address_lock_every_login(fresh_console):
    base = fresh_console
    for _ in range(4):
        attempt(base, "alice", "not-the-password", 401)
    attempt(base, "bob", PASSWORD, 303)
    for number in range(15):  # unknown names count against the address too
        attempt(base, f"ghost{number:02d}", "not-the-password", 401)
    attempt(base, "carol", "not-the-password", 401)  # the 20th failure is still only a failure
    assert_locked(attempt(base, "bob", PASSWORD, 429), "bob")
    assert_locked(attempt(base, "carol", PASSWORD, 429), "carol")
