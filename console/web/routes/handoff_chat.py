"""One hand-off conversation (/handoff/<id>): the transcript, and for its holder reply, transfer
and close; /handoff/<id>/messages is the transcript alone, /handoff/answer a service's answer
as plain text for the desk's script.

bot/handoff/service.py decides who may do what (only the holder replies, transfers,
closes); a refusal comes back as this page again with a polite sentence and what the agent
typed, never lost. Closing hands the conversation back through Rasa's HTTP API
(bot/handoff/handback.py, RASA_URL and RASA_TOKEN read at each close) or, when Rasa
cannot be reached, at the resident's next message; the notice says which.
"""
from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect, text
from sqlalchemy.orm import sessionmaker

from bot.catalogue.repository import CatalogueRepository
from bot.handoff import queue
from bot.handoff.errors import HandoffError, NotHolder, RequestNotFound
from bot.handoff.handback import rasa_from_env
from bot.handoff.service import MAX_NOTE_CHARS, MAX_TEXT_CHARS
from console.auth.accounts import StaffAccount
from console.auth.roles import Permission
from console.handoff import answers, canned, desk
from console.web.context import Web, form_field, nav
from console.web.pages.handoff_chat import Conversation, Desk, conversation_page, transcript_part
from console.web.pages.handoff_text import TOO_LONG, refusal
from console.web.pages.layout import esc, message_page
from console.web.routes.handoff import NAME_CHARS, request_id

SERVICE_CHARS = 200


def load(db: sessionmaker, number: int, me: str) -> Conversation:
    """The request, its service's name and its transcript; RequestNotFound."""
    ticket = queue.ticket(db, request_id=number)
    messages = queue.transcript(db, request_id=number)
    sid = ticket.request.service_id
    name = CatalogueRepository(db).service_names([sid]).get(sid) if sid else None
    return Conversation(ticket, name, messages, me)


def _status(error: Exception) -> int:
    if isinstance(error, RequestNotFound):
        return 404
    return 409 if isinstance(error, NotHolder) else 400


def register(app: Sanic, web: Web) -> None:
    db = web.console.db

    async def render(user: StaffAccount, token: str, number: int, message: str | None = None, status: int = 200,
                     draft: str = "", note: str = "", typed_service: str = "") -> HTTPResponse:
        csrf = web.csrf(token)
        try:
            chat = await asyncio.to_thread(load, db, number, user.username)
        except RequestNotFound as missing:
            return web.page(message_page("没有找到会话", refusal(missing), user, csrf, nav(user)), 404)
        tools = Desk(draft=draft, note=note)
        if chat.mine:
            replies, people, names = await asyncio.gather(
                asyncio.to_thread(canned.list_replies, db), asyncio.to_thread(desk.colleagues, db, user.username),
                asyncio.to_thread(answers.service_names, db))
            tools = Desk(replies, people, names, draft, note, typed_service)
        return web.page(conversation_page(chat, tools, user, csrf, nav(user), message), status)

    @app.get("/handoff/<number:int>")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=False)
    async def handoff_conversation(request: Request, user: StaffAccount, token: str, number: int) -> HTTPResponse:
        draft, message, typed = "", None, (request.args.get("service") or "")[:SERVICE_CHARS]
        chosen = request_id(request.args.get("canned"))
        if chosen is not None:  # 常用回复 without the script: the page again, the reply box filled
            found = await asyncio.to_thread(canned.get_reply, db, chosen)
            draft = found.text if found else ""
            message = None if found else str(canned.CannedNotFound())
        elif typed.strip():  # 插入服务答复 without the script
            try:
                district = (await asyncio.to_thread(queue.ticket, db, request_id=number)).request.district
                draft = (await asyncio.to_thread(answers.service_answer, db, typed, district)).text
            except (answers.UnknownService, RequestNotFound) as refused:
                message = refusal(refused) if isinstance(refused, RequestNotFound) else str(refused)
        return await render(user, token, number, message, 400 if message else 200, draft, typed_service=typed)

    @app.get("/handoff/<number:int>/messages")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=False)
    async def handoff_transcript_part(request: Request, user: StaffAccount, _token: str, number: int) -> HTTPResponse:
        try:
            chat = await asyncio.to_thread(load, db, number, user.username)
        except RequestNotFound as missing:
            return web.page(f"<p>{esc(refusal(missing))}</p>", 404)
        return web.page(transcript_part(chat))

    @app.get("/handoff/answer")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=False)
    async def handoff_answer(request: Request, _user: StaffAccount, _token: str) -> HTTPResponse:
        number = request_id(request.args.get("request"))
        try:
            district = (await asyncio.to_thread(queue.ticket, db, request_id=number)).request.district \
                if number is not None else None
            found = await asyncio.to_thread(answers.service_answer, db,
                                            (request.args.get("service") or "")[:SERVICE_CHARS], district)
        except answers.UnknownService as unknown:
            return text(str(unknown), status=404)
        except RequestNotFound as missing:
            return text(refusal(missing), status=404)
        return text(found.text)

    @app.post("/handoff/reply")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=True)
    async def handoff_reply(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        number, said = request_id(form_field(request, "request")), form_field(request, "text", MAX_TEXT_CHARS + 1)
        if number is None:
            return await render(user, token, 0)
        if len(said) > MAX_TEXT_CHARS:
            return await render(user, token, number, TOO_LONG, 400, draft=said)
        try:
            await asyncio.to_thread(desk.reply, db, web.actor(user, request), number, said)
        except HandoffError as refused:
            return await render(user, token, number, refusal(refused), _status(refused), draft=said)
        return redirect(f"/handoff/{number}#reply", status=303)

    @app.post("/handoff/transfer")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=True)
    async def handoff_transfer(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        number, to = request_id(form_field(request, "request")), form_field(request, "to", NAME_CHARS).strip()
        if number is None:
            return await render(user, token, 0)
        try:
            moved = await asyncio.to_thread(desk.transfer, db, web.actor(user, request), number, to)
        except HandoffError as refused:
            return await render(user, token, number, refusal(refused), _status(refused))
        return redirect("/handoff?" + urlencode({"done": "transferred", "request": number, "to": moved.agent}),
                        status=303)

    @app.post("/handoff/close")
    @web.guarded(Permission.HANDLE_HANDOFF, check_csrf=True)
    async def handoff_close(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        number, note = request_id(form_field(request, "request")), form_field(request, "note", MAX_NOTE_CHARS * 2)
        if number is None:
            return await render(user, token, 0)
        try:
            rasa = await asyncio.to_thread(rasa_from_env)
            done = await asyncio.to_thread(desk.close, db, web.actor(user, request), number, note, rasa)
        except HandoffError as refused:
            return await render(user, token, number, refusal(refused), _status(refused), note=note)
        outcome = "closed" if done.resumed else "closed_later"
        return redirect("/handoff?" + urlencode({"done": outcome, "request": number}), status=303)
