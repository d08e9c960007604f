"""The inbox of messages the assistant was unsure about, and staff decisions on them."""
from __future__ import annotations

import asyncio
from typing import Optional

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from console.teaching import decisions, training_data
from console.web.pages import layout as pages
from console.auth.accounts import StaffAccount
from console.teaching.inbox import read_inbox
from console.auth.roles import Permission, allows
from console.web.context import Web, form_field, nav


def register(app: Sanic, web: Web) -> None:
    console = web.console
    db = console.db

    async def render_inbox(user: StaffAccount, token: str, message: Optional[str] = None,
                           status: int = 200) -> HTTPResponse:
        groups, done, intents = await asyncio.gather(
            asyncio.to_thread(read_inbox, console.tracker_db_url),
            asyncio.to_thread(decisions.decided_texts, db),
            asyncio.to_thread(training_data.assignable_intents, console.nlu_dir, console.domain_path),
        )
        shown = [g for g in groups if decisions.key_of(g.text) not in done]
        body = pages.inbox_page(shown, intents, user, web.csrf(token),
                                allows(user.role, Permission.ANNOTATE), nav(user), message)
        return web.page(body, status)

    @app.get("/inbox")
    async def inbox(request: Request) -> HTTPResponse:
        refusal, user, token = await web.guard(request, Permission.VIEW_INBOX, check_csrf=False)
        if refusal is not None:
            return refusal
        return await render_inbox(user, token)

    @app.post("/inbox/decide")
    async def decide(request: Request) -> HTTPResponse:
        refusal, user, token = await web.guard(request, Permission.ANNOTATE, check_csrf=True)
        if refusal is not None:
            return refusal
        text = form_field(request, "text")
        action, intent = form_field(request, "action"), form_field(request, "intent")
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
                                        domain_path=console.domain_path,
                                        heldout_dir=console.heldout_dir)
            elif action == "out_of_scope":
                await asyncio.to_thread(training_data.mark_out_of_scope, console.nlu_dir, text,
                                        domain_path=console.domain_path,
                                        heldout_dir=console.heldout_dir)
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
        await web.record(user, "inbox_decide", detail, request)
        return redirect("/inbox", status=303)
