"""账号管理, for admins: list, create, change role and department, disable and enable, reset a password.

Every change is one audited action of console/auth/staff_admin.py; the rules (valid
usernames, at least one enabled admin) are console/auth/accounts.py's, shared with the CLI.
A new or reset password is shown in the response to that POST only (pages/users.py).
"""
from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from console.auth import accounts, staff_admin
from console.auth.accounts import AccountError, LastAdmin, StaffAccount, UsernameTaken, UserNotFound
from console.auth.roles import Permission, Role, UnknownRole, allows
from console.followups.departments import department_choices
from console.web.context import Web, form_field, home, nav
from console.web.pages.users import done_notice, one_time_password_page, users_page

NAME_CHARS = 64
DEPARTMENT_CHARS = 100


def _status(error: Exception) -> int:
    if isinstance(error, UserNotFound):
        return 404
    if isinstance(error, (UsernameTaken, LastAdmin)):
        return 409
    return 400


def register(app: Sanic, web: Web) -> None:
    db = web.console.db

    async def listing(user: StaffAccount, token: str, message: str | None = None, status: int = 200,
                      notice: str | None = None, username: str = "", role: Role | None = None) -> HTTPResponse:
        found = await asyncio.to_thread(accounts.list_users, db)
        departments = await asyncio.to_thread(department_choices, db)
        return web.page(users_page(found, user, web.csrf(token), nav(user), message, notice, username, role,
                                   departments), status)

    @app.get("/users")
    @web.guarded(Permission.MANAGE_ACCOUNTS, check_csrf=False)
    async def users_list(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        notice = done_notice((request.args.get("done") or "")[:10], (request.args.get("user") or "")[:NAME_CHARS])
        return await listing(user, token, notice=notice)

    @app.post("/users/create")
    @web.guarded(Permission.MANAGE_ACCOUNTS, check_csrf=True)
    async def users_create(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        username, role = form_field(request, "username", NAME_CHARS), form_field(request, "role", NAME_CHARS)
        try:
            account, password = await asyncio.to_thread(staff_admin.create_account, db, web.actor(user, request),
                                                        username, role)
        except (AccountError, UnknownRole) as refused:
            typed = next((r for r in Role if r.value == role), None)
            return await listing(user, token, str(refused), _status(refused), username=username, role=typed)
        return web.page(one_time_password_page(account, password, True, user, web.csrf(token), nav(user)))

    @app.post("/users/reset")
    @web.guarded(Permission.MANAGE_ACCOUNTS, check_csrf=True)
    async def users_reset(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        if form_field(request, "confirm") != "yes":
            return await listing(user, token, "请勾选“确认重置”后再重置密码。", 400)
        try:
            account, password = await asyncio.to_thread(staff_admin.reset_password, db, web.actor(user, request),
                                                        form_field(request, "username", NAME_CHARS))
        except AccountError as refused:
            return await listing(user, token, str(refused), _status(refused))
        return web.page(one_time_password_page(account, password, False, user, web.csrf(token), nav(user)))

    @app.post("/users/role")
    @web.guarded(Permission.MANAGE_ACCOUNTS, check_csrf=True)
    async def users_role(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        try:
            account = await asyncio.to_thread(staff_admin.change_role, db, web.actor(user, request),
                                              form_field(request, "username", NAME_CHARS),
                                              form_field(request, "role", NAME_CHARS))
        except (AccountError, UnknownRole) as refused:
            return await listing(user, token, str(refused), _status(refused))
        if account.username == user.username and not allows(account.role, Permission.MANAGE_ACCOUNTS):
            return redirect(home(account), status=303)  # no longer an admin: this page is not theirs now
        return redirect("/users?" + urlencode({"done": "role", "user": account.username}), status=303)

    @app.post("/users/department")
    @web.guarded(Permission.MANAGE_ACCOUNTS, check_csrf=True)
    async def users_department(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        known = await asyncio.to_thread(department_choices, db)
        try:
            account = await asyncio.to_thread(staff_admin.change_department, db, web.actor(user, request),
                                              form_field(request, "username", NAME_CHARS),
                                              form_field(request, "department", DEPARTMENT_CHARS), known)
        except AccountError as refused:  # UnknownDepartment too
            return await listing(user, token, str(refused), _status(refused))
        return redirect("/users?" + urlencode({"done": "department", "user": account.username}), status=303)

    @app.post("/users/active")
    @web.guarded(Permission.MANAGE_ACCOUNTS, check_csrf=True)
    async def users_active(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        enable = form_field(request, "active") == "1"
        if not enable and form_field(request, "confirm") != "yes":
            return await listing(user, token, "请勾选“确认停用”后再停用账号。", 400)
        try:
            account = await asyncio.to_thread(staff_admin.set_enabled, db, web.actor(user, request),
                                              form_field(request, "username", NAME_CHARS), enable)
        except AccountError as refused:
            return await listing(user, token, str(refused), _status(refused))
        if account.username == user.username and not account.active:
            return redirect("/login", status=303)  # their own sessions have just ended
        done = "enable" if enable else "disable"
        return redirect("/users?" + urlencode({"done": done, "user": account.username}), status=303)
