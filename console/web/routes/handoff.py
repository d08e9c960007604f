"""人工服务 (/handoff), for agents (and admins): the queue and my conversations, claiming, and
the idle sweep that returns an absent agent's unanswered residents to the queue.

/handoff/queue and /handoff/mine are the page's two parts alone, for the desk's script
(routes/handoff_live.py says when to fetch them). A claim another agent won is answered
with the desk again and a polite sentence (409), never an error page.
"""
from __future__ import annotations

import asyncio
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from bot.handoff import queue
from bot.handoff.errors import AlreadyTaken, HandoffError, RequestNotFound
from console.auth.accounts import StaffAccount
from console.auth.roles import Permission
from console.handoff import desk, idle
from console.web.context import Web, form_field, nav
from console.web.pages.handoff import desk_page, mine_part, queue_part
from console.web.pages.handoff_text import refusal

NAME_CHARS = 64
DONE_MESSAGES = {
    "closed": "会话 #{request} 已结束，已交还助手，居民会收到结束提示。",
    "closed_later": "会话 #{request} 已结束。对话服务暂时连不上，居民下次发消息时会自动交还助手。",
    "transferred": "会话 #{request} 已转给 {to}。",
}


def request_id(value: str | None) -> int | None:
    """A request id from a form or a query; None when it is not a plain positive number."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and 0 < len(value) <= 12 else None


def done_notice(args: Any) -> str | None:
    template = DONE_MESSAGES.get((args.get("done") or "")[:20])
    number = request_id(args.get("request"))
    if template is None or number is None:
        return None
    return template.format(request=number, to=(args.get("to") or "")[:NAME_CHARS])


def register(app: Sanic, web: Web) -> None:
    db = web.console.db
    idle_for = idle.idle_limit()  # a bad GOV_AGENT_IDLE_MINUTES stops the console at start

    async def render(user: StaffAccount, token: str, notice: str | None = None, message: str | None = None,
                     status: int = 200) -> HTTPResponse:
        waiting, mine = await asyncio.gather(asyncio.to_thread(queue.list_queue, db),
                                             asyncio.to_thread(queue.seat, db, agent=user.username))
        page = desk_page(waiting, mine, user, web.csrf(token), nav(user), int(idle_for.total_seconds() // 60),
                         notice, message)
        return web.page(page, status)

    @app.get("/handoff")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=False)
    async def handoff_desk(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        return await render(user, token, notice=done_notice(request.args))

    @app.get("/handoff/queue")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=False)
    async def handoff_queue_part(request: Request, _user: StaffAccount, token: str) -> HTTPResponse:
        return web.page(queue_part(await asyncio.to_thread(queue.list_queue, db), web.csrf(token)))

    @app.get("/handoff/mine")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=False)
    async def handoff_mine_part(request: Request, user: StaffAccount, _token: str) -> HTTPResponse:
        return web.page(mine_part(await asyncio.to_thread(queue.seat, db, agent=user.username)))

    @app.post("/handoff/claim")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=True)
    async def handoff_claim(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        number = request_id(form_field(request, "request"))
        try:
            if number is None:
                raise RequestNotFound(form_field(request, "request", 20))
            await asyncio.to_thread(desk.claim, db, web.actor(user, request), number)
        except HandoffError as refused:
            status = 409 if isinstance(refused, AlreadyTaken) else 404 if isinstance(refused, RequestNotFound) else 400
            return await render(user, token, message=refusal(refused), status=status)
        return redirect(f"/handoff/{number}#reply", status=303)

    @app.after_server_start
    async def start_idle_sweep(app: Sanic, _loop: Any) -> None:
        app.ctx.handoff_sweep = asyncio.get_running_loop().create_task(idle.sweep_forever(db, idle_for))

    @app.before_server_stop
    async def stop_idle_sweep(app: Sanic, _loop: Any) -> None:
        task = getattr(app.ctx, "handoff_sweep", None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
