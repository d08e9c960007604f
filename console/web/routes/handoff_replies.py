"""常用回复 (/handoff/replies): the replies agents share; add, edit and delete, each audited
by console/handoff/canned.py. A refused save shows the page again with what was typed."""
from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from console.auth.accounts import StaffAccount
from console.auth.roles import Permission
from console.handoff import canned
from console.handoff.canned import MAX_REPLY_CHARS, MAX_TITLE_CHARS, CannedError, CannedNotFound
from console.web.context import Web, form_field, nav
from console.web.pages.handoff_replies import DONE_MESSAGES, replies_page
from console.web.routes.handoff import request_id


def register(app: Sanic, web: Web) -> None:
    db = web.console.db

    async def render(user: StaffAccount, token: str, message: str | None = None, status: int = 200,
                     notice: str | None = None, typed: tuple[int | None, str, str] | None = None) -> HTTPResponse:
        found = await asyncio.to_thread(canned.list_replies, db)
        return web.page(replies_page(found, user, web.csrf(token), nav(user), message, notice, typed), status)

    @app.get("/handoff/replies")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=False)
    async def handoff_replies(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        return await render(user, token, notice=DONE_MESSAGES.get((request.args.get("done") or "")[:10]))

    @app.post("/handoff/replies/save")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=True)
    async def handoff_replies_save(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        number = request_id(form_field(request, "id"))
        title = form_field(request, "title", MAX_TITLE_CHARS * 2)
        said = form_field(request, "text", MAX_REPLY_CHARS * 2)
        actor = web.actor(user, request)
        try:
            if number is None:
                await asyncio.to_thread(canned.add_reply, db, actor, title, said)
            else:
                await asyncio.to_thread(canned.edit_reply, db, actor, number, title, said)
        except CannedError as refused:
            status = 404 if isinstance(refused, CannedNotFound) else 400
            return await render(user, token, str(refused), status, typed=(number, title, said))
        return redirect("/handoff/replies?" + urlencode({"done": "add" if number is None else "edit"}), status=303)

    @app.post("/handoff/replies/delete")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=True)
    async def handoff_replies_delete(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        if form_field(request, "confirm") != "yes":
            return await render(user, token, "请勾选“确认删除”后再删除。", 400)
        try:
            number = request_id(form_field(request, "id"))
            if number is None:
                raise CannedNotFound()
            await asyncio.to_thread(canned.delete_reply, db, web.actor(user, request), number)
        except CannedNotFound as missing:
            return await render(user, token, str(missing), 404)
        return redirect("/handoff/replies?done=delete", status=303)
