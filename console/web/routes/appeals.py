"""申诉复核, for staff with DECIDE_APPEALS (admins): approve or refuse the pending appeals.

Approval sets the rating aside and closes its follow-up (bot/evaluation/appeals.py);
refusal changes nothing. Nobody decides their own appeal, and an appeal decided a moment
ago by someone else is refused with a message, never a 500. Each decision is audited
(console/followups/actions.py).
"""
from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy.orm import sessionmaker

from bot.evaluation import appeals, queries
from bot.evaluation.appeals import AppealStatus
from bot.evaluation.errors import InvalidStep, NoteRequired, NotFound
from console.auth.accounts import StaffAccount
from console.auth.roles import Permission
from console.followups import actions, texts
from console.web.context import Web, form_field, nav
from console.web.pages.appeals import SHOWN, PendingAppeal, appeals_page
from console.web.routes.followups import NOTE_CHARS, service_names

DECISIONS = {"approve": True, "refuse": False}


def _pending(db: sessionmaker) -> tuple[list[PendingAppeal], dict[str, str]]:
    waiting = appeals.pending(db, limit=SHOWN)
    followups = queries.followups_of_ratings(db, rating_ids={a.rating_id for a in waiting})
    entries = [PendingAppeal(a, followups.get(a.rating_id)) for a in waiting]
    return entries, service_names(db, list(followups.values()))


def _appeal_id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def register(app: Sanic, web: Web) -> None:
    db = web.console.db

    async def listing(user: StaffAccount, token: str, message: str | None = None, status: int = 200,
                      notice: str | None = None, typed: tuple[int, str] | None = None) -> HTTPResponse:
        entries, names = await asyncio.to_thread(_pending, db)
        body = appeals_page(entries, names, user, web.csrf(token), nav(user), message, notice, typed)
        return web.page(body, status)

    @app.get("/appeals")
    @web.guarded(Permission.DECIDE_APPEALS, check_csrf=False)
    async def appeal_list(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        template = texts.APPEAL_DONE.get((request.args.get("done") or "")[:10])
        number = _appeal_id((request.args.get("appeal") or "")[:12])
        notice = template.format(appeal=number) if template and number is not None else None
        return await listing(user, token, notice=notice)

    @app.post("/appeals/decide")
    @web.guarded(Permission.DECIDE_APPEALS, check_csrf=True)
    async def appeal_decide(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        appeal_id = _appeal_id(form_field(request, "appeal", 12))
        appeal = await asyncio.to_thread(queries.appeal, db, appeal_id=appeal_id) if appeal_id is not None else None
        if appeal is None:
            return await listing(user, token, texts.APPEAL_MISSING, 404)
        note = form_field(request, "note", NOTE_CHARS)
        typed = (appeal.id, note)
        if appeal.status != AppealStatus.PENDING.value:
            return await listing(user, token, texts.APPEAL_DECIDED, 409)
        if appeal.requested_by == user.username:
            return await listing(user, token, texts.OWN_APPEAL, 403)
        approve = DECISIONS.get(form_field(request, "decision", 10))
        if approve is None:
            return await listing(user, token, texts.DECISION_REQUIRED, 400, typed=typed)
        try:
            await asyncio.to_thread(actions.decide, db, web.actor(user, request), appeal, approve, note)
        except NoteRequired:
            return await listing(user, token, texts.DECISION_REQUIRED, 400, typed=typed)
        except InvalidStep:
            return await listing(user, token, texts.APPEAL_DECIDED, 409)
        except NotFound:
            return await listing(user, token, texts.APPEAL_MISSING, 404)
        done = "approved" if approve else "refused"
        return redirect("/appeals?" + urlencode({"done": done, "appeal": appeal.id}), status=303)
