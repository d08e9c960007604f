"""已处理: the decisions taken about inbox messages, newest first, each of which can be
taken back (撤回): the example leaves the training data and the message returns to the inbox."""
from __future__ import annotations

import asyncio

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from console.auth.accounts import StaffAccount
from console.auth.roles import Permission, allows
from console.teaching import decisions
from console.teaching.errors import TrainingDataError
from console.teaching.revert import RevertRefused, revert_decisions
from console.teaching.targets import read_targets
from console.web.context import Web, form_field, nav
from console.web.inbox_query import ids_of, page_number
from console.web.pages.decided import PAGE_SIZE, decided_page


def register(app: Sanic, web: Web) -> None:
    console = web.console
    db = console.db

    async def render(user: StaffAccount, token: str, number: int, message: str | None = None,
                     status: int = 200, reverted: int = 0) -> HTTPResponse:
        found, total = await asyncio.to_thread(decisions.recent_decisions, db, (number - 1) * PAGE_SIZE,
                                               PAGE_SIZE)
        last = max(1, -(-total // PAGE_SIZE))
        if number > last:  # a page that no longer exists (the last one emptied): the last one
            number = last
            found, total = await asyncio.to_thread(decisions.recent_decisions, db,
                                                   (number - 1) * PAGE_SIZE, PAGE_SIZE)
        targets = await asyncio.to_thread(read_targets, db, console.nlu_dir, console.domain_path)
        body = decided_page(found, total, number, targets, user, web.csrf(token), nav(user),
                            allows(user.role, Permission.ANNOTATE),
                            allows(user.role, Permission.MANAGE_SERVICES), message, reverted)
        return web.page(body, status)

    @app.get("/inbox/decided")
    @web.guarded(Permission.VIEW_INBOX, check_csrf=False)
    async def decided(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        reverted = page_number(request.args.get("reverted")) if request.args.get("reverted") else 0
        return await render(user, token, page_number(request.args.get("page")), reverted=reverted)

    @app.post("/inbox/revert")
    @web.guarded(Permission.ANNOTATE, check_csrf=True)
    async def revert(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        number = page_number(form_field(request, "page"))
        try:
            done = await asyncio.to_thread(
                revert_decisions, db, console.files, web.actor(user, request),
                ids_of([form_field(request, "decision")]),
                may_edit_services=allows(user.role, Permission.MANAGE_SERVICES))
        except RevertRefused as refused:
            return await render(user, token, number, str(refused), 409)
        except TrainingDataError as error:
            return await render(user, token, number, str(error), 400)
        return redirect(f"/inbox/decided?page={number}&reverted={len(done)}#notice", status=303)
