"""The inbox of messages the assistant was unsure about, and staff decisions on them."""
from __future__ import annotations

import asyncio
import time

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from bot.catalogue import editing
from bot.catalogue.editing import EditRefused
from console.auth.accounts import StaffAccount
from console.auth.roles import Permission, allows
from console.catalogue import actions
from console.teaching import decisions, service
from console.teaching.decisions import AlreadyDecided
from console.teaching.errors import TrainingDataError
from console.teaching.inbox import page_of, read_inbox
from console.teaching.nlu_files import assignable_intents
from console.web.context import Admitted, Web, form_field, nav
from console.web.pages.inbox import inbox_page


def register(app: Sanic, web: Web) -> None:
    console = web.console
    db = console.db

    async def service_names(user: StaffAccount) -> dict[str, str] | None:
        """Id → name of every service, for those who may file a message under one (else None)."""
        if not allows(user.role, Permission.MANAGE_SERVICES):
            return None
        return {s.id: s.name for s in await asyncio.to_thread(editing.list_services, db)}

    async def render_inbox(user: StaffAccount, token: str, number: int, message: str | None = None,
                           status: int = 200) -> HTTPResponse:
        since = time.time() - console.inbox_days * 86400
        groups, done, intents, services = await asyncio.gather(
            asyncio.to_thread(read_inbox, console.tracker_db_url, since),
            asyncio.to_thread(decisions.decided_texts, db),
            asyncio.to_thread(assignable_intents, console.nlu_dir, console.domain_path),
            service_names(user),
        )
        page = page_of([g for g in groups if decisions.key_of(g.text) not in done], number)
        body = inbox_page(page, console.inbox_days, intents, user, web.csrf(token),
                          allows(user.role, Permission.ANNOTATE), nav(user), message, services)
        return web.page(body, status)

    @app.get("/inbox")
    async def inbox(request: Request) -> HTTPResponse:
        admitted = await web.admit(request, Permission.VIEW_INBOX, check_csrf=False)
        if not isinstance(admitted, Admitted):
            return admitted
        user, token = admitted
        return await render_inbox(user, token, page_number(request.args.get("page")))

    @app.post("/inbox/decide")
    async def decide(request: Request) -> HTTPResponse:
        admitted = await web.admit(request, Permission.ANNOTATE, check_csrf=True)
        if not isinstance(admitted, Admitted):
            return admitted
        user, token = admitted
        number = page_number(form_field(request, "page"))
        try:
            await asyncio.to_thread(
                service.decide_inbox_message, db, console.files, web.actor(user, request),
                form_field(request, "text"), form_field(request, "action"),
                form_field(request, "intent"))
        except (service.IncompleteDecision, TrainingDataError) as error:
            return await render_inbox(user, token, number, str(error), 400)
        except AlreadyDecided as already:
            return await render_inbox(user, token, number, str(already), 409)
        return redirect("/inbox" if number == 1 else f"/inbox?page={number}", status=303)  # where they were

    @app.post("/inbox/service")
    async def to_service(request: Request) -> HTTPResponse:
        """归入服务事项为例句: the message becomes an example question of a service, live in seconds."""
        admitted = await web.admit(request, Permission.MANAGE_SERVICES, check_csrf=True)
        if not isinstance(admitted, Admitted):
            return admitted
        user, token = admitted
        number = page_number(form_field(request, "page"))
        try:
            await asyncio.to_thread(actions.assign_to_service, db, web.actor(user, request),
                                    form_field(request, "text"), form_field(request, "service", 100))
        except EditRefused as refused:
            return await render_inbox(user, token, number, str(refused), 400)
        except AlreadyDecided as already:
            return await render_inbox(user, token, number, str(already), 409)
        return redirect("/inbox" if number == 1 else f"/inbox?page={number}", status=303)


def page_number(value: str | None) -> int:
    """The page asked for; anything that is not a small positive number is page 1."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) <= 6 else 1
