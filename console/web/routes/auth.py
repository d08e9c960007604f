"""Sign in and out. A refused login is audited by accounts.authenticate (login_audit.py);
signing out returns an agent's unanswered residents to the hand-off queue (console/handoff/desk.py).

The login form uses a double-submit token: GET /login sets a random value in a short-lived
HttpOnly, SameSite=Strict cookie (path /login) and in a hidden field; POST /login must send
both, equal. A cross-site page can neither read nor send that cookie.
"""
from __future__ import annotations

import asyncio
import hmac
import secrets

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from console.auth import sessions
from console.auth.accounts import LoginRefused, RefusalReason, authenticate
from console.handoff import desk
from console.web.context import PASSWORD_PATH, Web, form_field, home
from console.web.pages.layout import CSRF_MESSAGE, login_page

LOGIN_FORM_COOKIE = "console_login_form"
LOGIN_FORM_MAX_AGE = 600


def set_cookie(response: HTTPResponse, name: str, value: str, secure: bool,
               path: str = "/", max_age: int | None = None) -> None:
    attributes = sessions.cookie_attributes(secure)
    attributes["path"] = path
    if max_age is not None:
        attributes["max-age"] = max_age
    response.cookies[name] = value
    for key, attr in attributes.items():
        response.cookies[name][key] = attr


def register(app: Sanic, web: Web) -> None:
    console = web.console
    secure = console.secure_cookies

    def login_form(message: str | None = None, username: str = "", status: int = 200) -> HTTPResponse:
        form_token = secrets.token_urlsafe(32)
        response = web.page(login_page(form_token, message, username), status)
        set_cookie(response, LOGIN_FORM_COOKIE, form_token, secure, path="/login",
                   max_age=LOGIN_FORM_MAX_AGE)
        return response

    @app.get("/")
    async def index(request: Request) -> HTTPResponse:
        user, _ = await web.current(request)
        return redirect(home(user) if user else "/login", status=303)

    @app.get("/login")
    async def login_get(request: Request) -> HTTPResponse:
        return login_form()

    @app.post("/login")
    async def login_post(request: Request) -> HTTPResponse:
        cookie = request.cookies.get(LOGIN_FORM_COOKIE) or ""
        submitted = form_field(request, "form_token")
        if not cookie or not submitted or not hmac.compare_digest(
                cookie.encode("utf-8", "replace"), submitted.encode("utf-8", "replace")):
            return login_form(CSRF_MESSAGE, status=403)
        username, password = form_field(request, "username"), form_field(request, "password")
        try:
            user = await asyncio.to_thread(authenticate, console.db, username, password, request.ip)
        except LoginRefused as refused:
            status = 429 if refused.reason == RefusalReason.LOCKED else 401
            return login_form(str(refused), username, status)
        token = await asyncio.to_thread(sessions.start_session, console.db, user)
        await web.record(user, "login", None, request)
        response = redirect(PASSWORD_PATH if user.must_change_password else home(user), status=303)
        set_cookie(response, sessions.SESSION_COOKIE, token, secure)
        set_cookie(response, LOGIN_FORM_COOKIE, "", secure, path="/login", max_age=0)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        user, token = await web.current(request)
        if user is None:
            return web.signed_out()
        if not sessions.csrf_valid(token, console.secret, form_field(request, "csrf")):
            return web.forbidden(user, token, CSRF_MESSAGE)
        await asyncio.to_thread(sessions.end_session, console.db, token)
        await web.record(user, "logout", None, request)
        # An agent's residents still waiting for an answer go back to the queue (转人工).
        await asyncio.to_thread(desk.release_on_logout, console.db, web.actor(user, request))
        response = redirect("/login", status=303)
        set_cookie(response, sessions.SESSION_COOKIE, "", secure, max_age=0)
        return response
