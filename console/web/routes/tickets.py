"""留言工单: messages residents left for a callback (bot/handoff/tickets.py), for the hand-off desk.

GET /handoff/tickets lists them (open first by deadline, overdue marked; then the recently
closed), numbers masked. POST /handoff/tickets/reveal shows one full callback number in
its own response, after writing the audit entry (no entry, no number). POST
/handoff/tickets/close closes one with a short note, audited. Permission HANDLE_HANDOFF.
"""
from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from bot.catalogue.repository import CatalogueRepository
from bot.handoff import tickets
from bot.handoff.errors import NoteRequired
from console import timefmt
from console.auth.accounts import StaffAccount
from console.auth.roles import Permission
from console.web.context import Web, form_field, nav
from console.web.pages.tickets import NOTE_CHARS, tickets_page

NOT_FOUND = "没有找到这条留言，可能已被清理。"
ALREADY_DONE = "这条留言已经由其他同事办结了。"
NOTE_NEEDED = f"请填写处理说明（1 到 {NOTE_CHARS} 个字），例如“已回电，已告知所需材料”。"


def _ticket_id(request: Request) -> int | None:
    raw = form_field(request, "id", 12).strip()
    return int(raw) if raw.isdigit() else None


def register(app: Sanic, web: Web) -> None:
    db = web.console.db

    def read() -> tuple[list[tickets.TicketView], dict[str, str]]:
        found = tickets.list_tickets(db)
        ids = sorted({t.service_id for t in found if t.service_id})
        return found, CatalogueRepository(db).service_names(ids) if ids else {}

    async def render(user: StaffAccount, token: str, status: int = 200, revealed: dict[int, str] | None = None,
                     message: str | None = None, notice: str | None = None) -> HTTPResponse:
        found, services = await asyncio.to_thread(read)
        body = tickets_page(found, timefmt.local_today(), user, web.csrf(token), nav(user), services,
                            revealed=revealed, message=message, notice=notice)
        return web.page(body, status)

    @app.get("/handoff/tickets")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=False)
    async def tickets_list(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        closed = (request.args.get("closed") or "")[:32]
        return await render(user, token, notice=f"已办结留言 {closed}。" if closed else None)

    @app.post("/handoff/tickets/reveal")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=True)
    async def tickets_reveal(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        ticket_id = _ticket_id(request)
        try:
            ticket = await asyncio.to_thread(tickets.get_ticket, db, ticket_id=ticket_id or 0)
        except tickets.TicketNotFound:
            return await render(user, token, 404, message=NOT_FOUND)
        await web.record(user, "handoff_ticket_reveal", {"ticket": ticket.number}, request)
        phone = await asyncio.to_thread(tickets.full_phone, db, ticket_id=ticket.id)
        return await render(user, token, revealed={ticket.id: phone})

    @app.post("/handoff/tickets/close")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=True)
    async def tickets_close(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        try:
            ticket = await asyncio.to_thread(tickets.close_ticket, db, ticket_id=_ticket_id(request) or 0,
                                             handled_by=user.username, note=form_field(request, "note", NOTE_CHARS * 2))
        except NoteRequired:
            return await render(user, token, 400, message=NOTE_NEEDED)
        except tickets.TicketNotFound:
            return await render(user, token, 404, message=NOT_FOUND)
        except tickets.TicketAlreadyDone:
            return await render(user, token, 409, message=ALREADY_DONE)
        await web.record(user, "handoff_ticket_close", {"ticket": ticket.number}, request)
        return redirect("/handoff/tickets?" + urlencode({"closed": ticket.number}), status=303)
