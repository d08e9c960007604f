"""The staff console web app (sanic): login, the inbox of uncertain messages, the audit log.

Security, on every route:

* session: an opaque token in an HttpOnly, SameSite=Strict cookie (bot/console/sessions.py);
  pages without a session redirect (303) to /login, other methods get 401;
* permissions from bot/console/roles.py; a missing one gets a 403 page;
* CSRF: every POST except /login carries the session-bound token (form field ``csrf``).
  The login form uses a double-submit token: GET /login sets a random value in a
  short-lived HttpOnly, SameSite=Strict cookie (path /login) and in a hidden field; POST
  /login must send both, equal. A cross-site page can neither read nor send that cookie;
* headers: a strict Content-Security-Policy (no scripts at all), nosniff, no referrer.

Blocking work (database, YAML files, password hashing) runs in threads.
"""
from __future__ import annotations

import asyncio
import hmac
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from bot.console import audit, decisions, pages, sessions, training_data
from bot.console.accounts import LoginRefused, RefusalReason, StaffAccount, authenticate
from bot.console.inbox import read_inbox
from bot.console.roles import Permission, allows
from bot.db import session_factory

LOGIN_FORM_COOKIE = "console_login_form"
LOGIN_FORM_MAX_AGE = 600
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'unsafe-inline'; "
                                "form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_MAX_FIELD = 1000


@dataclass(frozen=True)
class Console:
    """Settings and factories shared by the handlers (app.ctx.console)."""

    db: object  # sessionmaker
    tracker_db_url: str
    nlu_dir: Path
    domain_path: Path
    secret: str
    secure_cookies: bool


def _field(request: Request, name: str) -> str:
    value = request.form.get(name) if request.form else None
    return (value or "")[:_MAX_FIELD]


def _nav(user: StaffAccount) -> list[tuple[str, str]]:
    nav = []
    if allows(user.role, Permission.VIEW_INBOX):
        nav.append(("/inbox", "待处理消息"))
    if allows(user.role, Permission.MANAGE_ACCOUNTS):
        nav.append(("/audit", "操作记录"))
    return nav


def _set_cookie(response: HTTPResponse, name: str, value: str, secure: bool,
                path: str = "/", max_age: Optional[int] = None) -> None:
    attributes = sessions.cookie_attributes(secure)
    attributes["path"] = path
    if max_age is not None:
        attributes["max-age"] = max_age
    response.cookies[name] = value
    for key, attr in attributes.items():
        response.cookies[name][key] = attr


def create_app(database_url: str, tracker_db_url: str, nlu_dir: Path, domain_path: Path,
               secret: str, secure_cookies: bool = True) -> Sanic:
    sessions.csrf_token("check", secret)  # refuses a short secret now, not at first request
    app = Sanic(f"wuhu_console_{uuid.uuid4().hex}")
    app.config.KEEP_ALIVE = True
    db = session_factory(database_url)
    decisions.ensure_table(db.kw["bind"])
    console = Console(db, tracker_db_url, Path(nlu_dir), Path(domain_path), secret, secure_cookies)
    app.ctx.console = console

    @app.on_response
    async def security_headers(request: Request, response: HTTPResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value

    # --- helpers ---------------------------------------------------------------------

    async def current(request: Request) -> tuple[Optional[StaffAccount], Optional[str]]:
        token = request.cookies.get(sessions.SESSION_COOKIE)
        if not token:
            return None, None
        user = await asyncio.to_thread(sessions.resolve, db, token)
        return (user, token) if user else (None, None)

    def page(body: str, status: int = 200) -> HTTPResponse:
        return html(body, status=status)

    def forbidden(user: Optional[StaffAccount] = None, token: Optional[str] = None,
                  message: str = pages.FORBIDDEN_MESSAGE) -> HTTPResponse:
        csrf = sessions.csrf_token(token, secret) if token else None
        return page(pages.message_page("禁止访问", message, user, csrf,
                                       _nav(user) if user else ()), 403)

    async def guard(request: Request, permission: Permission, check_csrf: bool
                    ) -> tuple[Optional[HTTPResponse], Optional[StaffAccount], Optional[str]]:
        """(refusal, user, token): refusal is None when the request may go ahead."""
        user, token = await current(request)
        if user is None:
            if request.method in ("GET", "HEAD"):
                return redirect("/login", status=303), None, None
            return page(pages.message_page("请先登录", "登录已失效，请重新登录。"), 401), None, None
        if check_csrf and not sessions.csrf_valid(token, secret, _field(request, "csrf")):
            return forbidden(user, token, pages.CSRF_MESSAGE), user, token
        if not allows(user.role, permission):
            return forbidden(user, token), user, token
        return None, user, token

    async def render_inbox(user: StaffAccount, token: str, message: Optional[str] = None,
                           status: int = 200) -> HTTPResponse:
        groups, done, intents = await asyncio.gather(
            asyncio.to_thread(read_inbox, tracker_db_url),
            asyncio.to_thread(decisions.decided_texts, db),
            asyncio.to_thread(training_data.domain_intents, console.domain_path),
        )
        shown = [g for g in groups if decisions.key_of(g.text) not in done]
        body = pages.inbox_page(shown, intents, user, sessions.csrf_token(token, secret),
                                allows(user.role, Permission.ANNOTATE), _nav(user), message)
        return page(body, status)

    # --- routes ----------------------------------------------------------------------

    @app.get("/")
    async def index(request: Request) -> HTTPResponse:
        return redirect("/inbox", status=303)

    def login_form(message: Optional[str] = None, username: str = "", status: int = 200) -> HTTPResponse:
        form_token = secrets.token_urlsafe(32)
        response = page(pages.login_page(form_token, message, username), status)
        _set_cookie(response, LOGIN_FORM_COOKIE, form_token, secure_cookies,
                    path="/login", max_age=LOGIN_FORM_MAX_AGE)
        return response

    @app.get("/login")
    async def login_get(request: Request) -> HTTPResponse:
        return login_form()

    @app.post("/login")
    async def login_post(request: Request) -> HTTPResponse:
        cookie = request.cookies.get(LOGIN_FORM_COOKIE) or ""
        submitted = _field(request, "form_token")
        if not cookie or not submitted or not hmac.compare_digest(
                cookie.encode("utf-8", "replace"), submitted.encode("utf-8", "replace")):
            return login_form(pages.CSRF_MESSAGE, status=403)
        username, password = _field(request, "username"), _field(request, "password")
        ip = request.ip
        try:
            user = await asyncio.to_thread(authenticate, db, username, password, ip)
        except LoginRefused as refused:
            status = 429 if refused.reason == RefusalReason.LOCKED else 401
            return login_form(str(refused), username, status)
        token = await asyncio.to_thread(sessions.start_session, db, user)
        await asyncio.to_thread(audit.record, db, user.username, "login", None, ip)
        response = redirect("/inbox", status=303)
        _set_cookie(response, sessions.SESSION_COOKIE, token, secure_cookies)
        _set_cookie(response, LOGIN_FORM_COOKIE, "", secure_cookies, path="/login", max_age=0)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        user, token = await current(request)
        if user is None:
            return page(pages.message_page("请先登录", "登录已失效，请重新登录。"), 401)
        if not sessions.csrf_valid(token, secret, _field(request, "csrf")):
            return forbidden(user, token, pages.CSRF_MESSAGE)
        await asyncio.to_thread(sessions.end_session, db, token)
        await asyncio.to_thread(audit.record, db, user.username, "logout", None, request.ip)
        response = redirect("/login", status=303)
        _set_cookie(response, sessions.SESSION_COOKIE, "", secure_cookies, max_age=0)
        return response

    @app.get("/inbox")
    async def inbox(request: Request) -> HTTPResponse:
        refusal, user, token = await guard(request, Permission.VIEW_INBOX, check_csrf=False)
        if refusal is not None:
            return refusal
        return await render_inbox(user, token)

    @app.post("/inbox/decide")
    async def decide(request: Request) -> HTTPResponse:
        refusal, user, token = await guard(request, Permission.ANNOTATE, check_csrf=True)
        if refusal is not None:
            return refusal
        text, action, intent = _field(request, "text"), _field(request, "action"), _field(request, "intent")
        if action not in decisions.ACTIONS:
            return await render_inbox(user, token, "请选择处理方式。", 400)
        if not decisions.key_of(text):
            return await render_inbox(user, token, "消息内容为空。", 400)
        if action == "assign" and not intent:
            return await render_inbox(user, token, "请选择要归入的意图。", 400)
        if await asyncio.to_thread(decisions.get_decision, db, text):
            return await render_inbox(user, token, f"“{decisions.key_of(text)}”已经处理过了。", 409)
        try:
            if action == "assign":
                await asyncio.to_thread(training_data.add_example, console.nlu_dir, intent, text,
                                        domain_path=console.domain_path)
            elif action == "out_of_scope":
                await asyncio.to_thread(training_data.mark_out_of_scope, console.nlu_dir, text,
                                        domain_path=console.domain_path)
        except training_data.TrainingDataError as error:
            return await render_inbox(user, token, str(error), 400)
        try:
            decision = await asyncio.to_thread(decisions.record_decision, db, text, action,
                                               intent or None, user.username)
        except decisions.AlreadyDecided as already:
            return await render_inbox(user, token, str(already), 409)
        detail = {"text": decision.text_normalized, "action": action}
        if decision.intent:
            detail["intent"] = decision.intent
        await asyncio.to_thread(audit.record, db, user.username, "inbox_decide", detail, request.ip)
        return redirect("/inbox", status=303)

    @app.get("/audit")
    async def audit_log(request: Request) -> HTTPResponse:
        refusal, user, token = await guard(request, Permission.MANAGE_ACCOUNTS, check_csrf=False)
        if refusal is not None:
            return refusal
        records = await asyncio.to_thread(audit.recent, db, 200)
        return page(pages.audit_page(records, user, sessions.csrf_token(token, secret), _nav(user)))

    return app
