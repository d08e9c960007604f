"""修改密码, for every signed-in member of staff (and the only page of an account on a
one-time password). Changing the password ends every session of the account; this browser
gets a new one at once, so the person stays signed in here."""
from __future__ import annotations

import asyncio

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from console.auth import sessions, staff_admin
from console.auth.accounts import AccountError, StaffAccount
from console.auth.passwords import MAX_LENGTH, WeakPassword
from console.auth.roles import Permission
from console.web.context import PASSWORD_PATH, Web, form_field, nav
from console.web.pages.password import password_page
from console.web.routes.auth import set_cookie


def register(app: Sanic, web: Web) -> None:
    console = web.console

    @app.get(PASSWORD_PATH)
    @web.guarded(Permission.OWN_PASSWORD, check_csrf=False, password_page=True)
    async def password_form(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        return web.page(password_page(user, web.csrf(token), nav(user), done=request.args.get("done") == "1"))

    @app.post(PASSWORD_PATH)
    @web.guarded(Permission.OWN_PASSWORD, check_csrf=True, password_page=True)
    async def password_change(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        limit = MAX_LENGTH + 1  # longer than allowed still reaches the policy check, which says so
        current, new = form_field(request, "current", limit), form_field(request, "new", limit)
        if new != form_field(request, "again", limit):
            return web.page(password_page(user, web.csrf(token), nav(user), "两次输入的新密码不一致。"), 400)
        try:
            changed = await asyncio.to_thread(staff_admin.change_own_password, console.db,
                                              web.actor(user, request), current, new)
        except (AccountError, WeakPassword) as refused:
            return web.page(password_page(user, web.csrf(token), nav(user), str(refused)), 400)
        fresh = await asyncio.to_thread(sessions.start_session, console.db, changed)
        response = redirect(PASSWORD_PATH + "?done=1", status=303)
        set_cookie(response, sessions.SESSION_COOKIE, fresh, console.secure_cookies)
        return response
