"""What every console route needs: settings, the signed-in user, refusals, page responses.

Route modules (console/web/routes/*.py) each have ``register(app, web)`` and use only this
object, so a new page is one new route module (and its HTML in pages/) plus one line in app.py.
Each handler sits behind ``@web.guarded(permission, check_csrf=...)`` (session, CSRF, role).
"""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Concatenate, NamedTuple, ParamSpec

from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from console.auth import audit, sessions
from console.auth.accounts import StaffAccount
from console.auth.audit import Actor
from console.auth.roles import Permission, allows
from console.teaching.inbox import WINDOW_DAYS
from console.teaching.service import TrainingFiles
from console.web.pages.layout import CSRF_MESSAGE, FORBIDDEN_MESSAGE, message_page

MAX_FIELD = 1000
#: Where an account with a one-time password is sent until it has chosen its own.
PASSWORD_PATH = "/password"
MUST_CHANGE_MESSAGE = "请先修改管理员给您的一次性密码，然后才能继续操作。"


@dataclass(frozen=True)
class Console:
    """Settings shared by the handlers (app.ctx.console)."""

    db: Any  # sessionmaker
    tracker_db_url: str
    nlu_dir: Path
    domain_path: Path
    secret: str
    secure_cookies: bool
    #: Retraining, evaluation and activation; None when the console runs without them.
    pipeline: Any | None = field(default=None)
    #: The held-out regression set: phrasings in it are never added to the training data.
    heldout_dir: Path | None = field(default=None)
    #: Days of conversations the inbox reads (see console.teaching.inbox.WINDOW_DAYS).
    inbox_days: int = field(default=WINDOW_DAYS)

    @property
    def files(self) -> TrainingFiles:
        """The training data staff edit, as the teaching actions take it."""
        return TrainingFiles(self.nlu_dir, self.domain_path, self.heldout_dir)


def form_field(request: Request, name: str, limit: int = MAX_FIELD) -> str:
    """A form value, '' when missing, cut to `limit` characters."""
    value = request.form.get(name) if request.form else None
    return (value or "")[:limit]


def nav(user: StaffAccount) -> list[tuple[str, str]]:
    links = []
    if allows(user.role, Permission.HANDLE_HANDOFF):
        links += [("/handoff", "人工服务"), ("/handoff/tickets", "留言工单")]
    if allows(user.role, Permission.VIEW_INBOX):
        links += [("/inbox", "待处理消息"), ("/faq", "常见问题"), ("/services", "服务事项")]
    if allows(user.role, Permission.FOLLOW_UP):
        links.append(("/followups", "差评回访"))
    if allows(user.role, Permission.DECIDE_APPEALS):
        links.append(("/appeals", "申诉复核"))
    if allows(user.role, Permission.VIEW_DASHBOARD):
        links.append(("/dashboard", "服务分析"))
    if allows(user.role, Permission.RETRAIN):
        links.append(("/models", "训练与上线"))
    if allows(user.role, Permission.MANAGE_ACCOUNTS):
        links += [("/audit", "操作记录"), ("/users", "账号管理")]
    links.append((PASSWORD_PATH, "修改密码"))
    return links


def home(user: StaffAccount) -> str:
    """Where a member of staff starts: the inbox, or the hand-off desk for an agent."""
    if allows(user.role, Permission.VIEW_INBOX):
        return "/inbox"
    if allows(user.role, Permission.HANDLE_HANDOFF):
        return "/handoff"
    return PASSWORD_PATH


class Admitted(NamedTuple):
    """A request that may go ahead: the signed-in member of staff and their session token."""

    user: StaffAccount
    token: str


P = ParamSpec("P")
#: A handler behind `Web.guarded`: the request, the admitted user and token, then sanic's path parameters.
StaffHandler = Callable[Concatenate[Request, StaffAccount, str, P], Awaitable[HTTPResponse]]
#: What sanic calls: the request and the path parameters.
RouteHandler = Callable[Concatenate[Request, P], Coroutine[Any, Any, HTTPResponse]]


class Web:
    """Request helpers bound to one console's settings."""

    def __init__(self, console: Console) -> None:
        self.console = console

    async def current(self, request: Request) -> tuple[StaffAccount | None, str | None]:
        token = request.cookies.get(sessions.SESSION_COOKIE)
        if not token:
            return None, None
        user = await asyncio.to_thread(sessions.resolve, self.console.db, token)
        return (user, token) if user else (None, None)

    def csrf(self, token: str) -> str:
        return sessions.csrf_token(token, self.console.secret)

    @staticmethod
    def page(body: str, status: int = 200) -> HTTPResponse:
        return html(body, status=status)

    def forbidden(self, user: StaffAccount | None = None, token: str | None = None,
                  message: str = FORBIDDEN_MESSAGE) -> HTTPResponse:
        csrf = self.csrf(token) if token else None
        return self.page(message_page("禁止访问", message, user, csrf, nav(user) if user else ()),
                         403)

    def signed_out(self) -> HTTPResponse:
        return self.page(message_page("请先登录", "登录已失效，请重新登录。"), 401)

    async def admit(self, request: Request, permission: Permission, check_csrf: bool,
                    password_page: bool = False) -> HTTPResponse | Admitted:
        """The user and token when the request may go ahead, else the response refusing it.

        No session: GET/HEAD redirect (303) to /login, other methods get 401. A POST
        without the session-bound CSRF token gets 403, as does a missing permission.
        An account still on a one-time password reaches only the password page
        (`password_page`): other pages redirect there, other POSTs get 403.
        """
        user, token = await self.current(request)
        if user is None or token is None:
            if request.method in ("GET", "HEAD"):
                return redirect("/login", status=303)
            return self.signed_out()
        if check_csrf and not sessions.csrf_valid(token, self.console.secret,
                                                  form_field(request, "csrf")):
            return self.forbidden(user, token, CSRF_MESSAGE)
        if user.must_change_password and not password_page:
            if request.method in ("GET", "HEAD"):
                return redirect(PASSWORD_PATH, status=303)
            return self.forbidden(user, token, MUST_CHANGE_MESSAGE)
        if not allows(user.role, permission):
            return self.forbidden(user, token)
        return Admitted(user, token)

    def guarded(self, permission: Permission, *, check_csrf: bool, password_page: bool = False
                ) -> Callable[[StaffHandler[P]], RouteHandler[P]]:
        """Put `admit` in front of a handler: it runs only for a request that may go ahead.

        Under ``@app.post(...)``, ``@web.guarded(Permission.X, check_csrf=True)`` turns
        ``handler(request, user, token, **path)`` into sanic's ``handler(request, **path)``:
        the refusal `admit` gives is the answer, else the handler runs with the user and token.
        The route keeps the handler's name (sanic names routes after it).
        """
        def decorate(handler: StaffHandler[P]) -> RouteHandler[P]:
            @functools.wraps(handler)
            async def route(request: Request, *args: P.args, **kwargs: P.kwargs) -> HTTPResponse:
                admitted = await self.admit(request, permission, check_csrf, password_page)
                if not isinstance(admitted, Admitted):
                    return admitted
                return await handler(request, admitted.user, admitted.token, *args, **kwargs)
            return route
        return decorate

    @staticmethod
    def actor(user: StaffAccount, request: Request) -> Actor:
        """The signed-in member of staff, as the audit log records them."""
        return Actor(user.username, request.ip)

    async def record(self, user: StaffAccount, action: str, detail: Any, request: Request) -> None:
        """Write one audit entry for what `user` just did."""
        await asyncio.to_thread(audit.record, self.console.db, user.username, action, detail,
                                request.ip)
