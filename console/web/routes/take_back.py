"""回滚后撤回例句: after a rollback, take back what the rolled-back-from model had added (trainer).

POST /models/activate sends a rollback here when there is something to take back; the page
lists it with checkboxes, and the POST removes the chosen examples (training/take_back.py).
"""
from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from console.auth.accounts import StaffAccount
from console.auth.roles import Permission
from console.training.names import model_names
from console.training.pipeline import Pipeline
from console.training.take_back import TakeBackOffer, offer, take_back
from console.web.context import Admitted, Web, form_field, nav
from console.web.pages.take_back import take_back_page

NO_PIPELINE = "这个管理台没有配置训练与上线（见 README“工作人员后台”）。"
NOTHING_CHOSEN = "请选择要撤回的例句。"


def take_back_url(rolled_back_from: str, rolled_back_to: str) -> str:
    return "/models/take-back?" + urlencode({"from": rolled_back_from, "to": rolled_back_to})


def register(app: Sanic, web: Web) -> None:
    console = web.console

    def current_offer(pipe: Pipeline, rolled_back_from: str, rolled_back_to: str) -> TakeBackOffer:
        return offer(console.db, console.files, pipe.models(), rolled_back_from, rolled_back_to)

    async def render(pipe: Pipeline, user: StaffAccount, token: str, offered: TakeBackOffer,
                     message: str | None = None, status: int = 200) -> HTTPResponse:
        models = await asyncio.to_thread(pipe.models)
        names = await asyncio.to_thread(model_names, console.db, models)
        labels = await asyncio.to_thread(pipe.labels)
        body = take_back_page(offered, names, labels, user=user, csrf=web.csrf(token), nav=nav(user),
                              message=message)
        return web.page(body, status)

    async def admit(request: Request, check_csrf: bool) -> HTTPResponse | tuple[StaffAccount, str, Pipeline]:
        admitted = await web.admit(request, Permission.ACTIVATE_MODEL, check_csrf=check_csrf)
        if not isinstance(admitted, Admitted):
            return admitted
        if console.pipeline is None:
            return web.forbidden(admitted.user, admitted.token, NO_PIPELINE)
        return admitted.user, admitted.token, console.pipeline

    @app.get("/models/take-back")
    async def confirm(request: Request) -> HTTPResponse:
        admitted = await admit(request, check_csrf=False)
        if isinstance(admitted, HTTPResponse):
            return admitted
        user, token, pipe = admitted
        offered = await asyncio.to_thread(current_offer, pipe, request.args.get("from", "")[:255],
                                          request.args.get("to", "")[:255])
        return await render(pipe, user, token, offered)

    @app.post("/models/take-back")
    async def submit(request: Request) -> HTTPResponse:
        admitted = await admit(request, check_csrf=True)
        if isinstance(admitted, HTTPResponse):
            return admitted
        user, token, pipe = admitted
        offered = await asyncio.to_thread(current_offer, pipe, form_field(request, "from", 255),
                                          form_field(request, "to", 255))
        chosen = {text[:500] for text in (request.form.getlist("text") or [])} if request.form else set()
        if not chosen:
            return await render(pipe, user, token, offered, NOTHING_CHOSEN, 400)
        result = await asyncio.to_thread(take_back, console.db, console.files, web.actor(user, request),
                                         offered, chosen)
        if result.failed:
            remaining = await asyncio.to_thread(current_offer, pipe, offered.rolled_back_from,
                                                offered.rolled_back_to)
            done = f"已撤回 {len(result.taken_back)} 条。" if result.taken_back else ""
            return await render(pipe, user, token, remaining, done + "以下例句没有撤回：" + "；".join(result.failed),
                                409)
        return redirect("/models?" + urlencode({"taken_back": len(result.taken_back),
                                                "returned": result.returned_to_inbox}), status=303)
