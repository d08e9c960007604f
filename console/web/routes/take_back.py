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
from console.web.context import Web, form_field, nav
from console.web.pages.take_back import take_back_page
from console.web.pipeline_guard import needs_pipeline

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

    with_pipeline = needs_pipeline(web)

    @app.get("/models/take-back")
    @web.guarded(Permission.ACTIVATE_MODEL, check_csrf=False)
    @with_pipeline
    async def confirm(request: Request, user: StaffAccount, token: str, pipe: Pipeline) -> HTTPResponse:
        offered = await asyncio.to_thread(current_offer, pipe, request.args.get("from", "")[:255],
                                          request.args.get("to", "")[:255])
        return await render(pipe, user, token, offered)

    @app.post("/models/take-back")
    @web.guarded(Permission.ACTIVATE_MODEL, check_csrf=True)
    @with_pipeline
    async def submit(request: Request, user: StaffAccount, token: str, pipe: Pipeline) -> HTTPResponse:
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
