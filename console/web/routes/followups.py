"""差评回访: the follow-ups of poor ratings, for staff with FOLLOW_UP; 申诉 requested from here.

A member of staff with a department sees and moves only that department's follow-ups
(console/followups/scope.py); any other is answered 404. Moves and appeals are
console/followups/actions.py's (audited); a refused one comes back as this page with a
Chinese message, and a form made stale by someone else's move gets a polite 409.
"""
from __future__ import annotations

import asyncio
from datetime import date

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy.orm import sessionmaker

from bot.catalogue.repository import CatalogueRepository
from bot.evaluation import appeals, followups, queries
from bot.evaluation.errors import AppealPending, InvalidStep, NoteRequired, NotFound
from bot.evaluation.followups import NEXT, FollowUpStatus, Revisit
from bot.evaluation.queries import FollowUpFilter
from bot.evaluation.views import FollowUpView, StepView
from console.auth.accounts import StaffAccount
from console.auth.roles import Permission, allows
from console.followups import actions, texts
from console.followups.scope import department_scope, may_see
from console.web.context import Web, form_field, nav
from console.web.inbox_query import page_number
from console.web.pages.followup_detail import UNTYPED, FollowUpPage, Typed, followup_page
from console.web.pages.followups import OPEN, PAGE_SIZE, STATUS_CHOICES, FollowUpListing, FollowUpQuery, followups_page
from console.web.pages.layout import message_page

NOTE_CHARS = 600  # the services refuse more than 500 with a message; longer input is cut here
PARAM_CHARS = 100
ANSWERS = {"yes": True, "no": False}


def parse_query(request: Request, scope: str | None) -> FollowUpQuery:
    status = (request.args.get("status") or "")[:PARAM_CHARS]
    if status not in {value for value, _ in STATUS_CHOICES}:
        status = ""
    # A member of a department filters by nothing else: the scope applies whatever the URL says.
    department = "" if scope else (request.args.get("department") or "").strip()[:PARAM_CHARS]
    return FollowUpQuery(status, department, request.args.get("overdue") == "1")


def to_filter(query: FollowUpQuery, scope: str | None, today: date) -> FollowUpFilter:
    status = FollowUpStatus(query.status) if query.status not in ("", OPEN) else None
    return FollowUpFilter(department=scope or query.department or None, status=status,
                          open_only=query.status == OPEN, overdue_on=today if query.overdue else None)


def service_names(db: sessionmaker, views: list[FollowUpView]) -> dict[str, str]:
    ids = sorted({v.rating.service_id for v in views if v.rating.service_id})
    return CatalogueRepository(db).service_names(ids) if ids else {}


def _listing(db: sessionmaker, query: FollowUpQuery, scope: str | None, number: int) -> FollowUpListing:
    today = followups.today_local()
    where = to_filter(query, scope, today)
    found = queries.search(db, where=where, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    if number > pages:
        number = pages
        found = queries.search(db, where=where, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    counts = queries.status_counts(db, department=scope or query.department or None, today=today)
    return FollowUpListing(found.items, found.total, number, pages, counts, today, service_names(db, found.items),
                           scope, [] if scope else queries.departments(db))


def _read(db: sessionmaker, followup_id: int) -> tuple[FollowUpView, list[StepView]] | None:
    try:
        return followups.get(db, followup_id=followup_id)
    except NotFound:
        return None


def _page(db: sessionmaker, view: FollowUpView, steps: list[StepView], user: StaffAccount) -> FollowUpPage:
    return FollowUpPage(view, steps, appeals.of_rating(db, rating_id=view.rating.id), service_names(db, [view]),
                        followups.today_local(), allows(user.role, Permission.DECIDE_APPEALS))


def _revisit(request: Request) -> Revisit | None:
    reached, satisfied = (ANSWERS.get(form_field(request, name, 5)) for name in ("reached", "satisfied"))
    return None if reached is None or satisfied is None else Revisit(reached, satisfied)


def register(app: Sanic, web: Web) -> None:
    db = web.console.db

    def missing(user: StaffAccount, token: str) -> HTTPResponse:
        return web.page(message_page("未找到", texts.FOLLOWUP_MISSING, user, web.csrf(token), nav(user)), 404)

    async def visible(user: StaffAccount, followup_id: int) -> tuple[FollowUpView, list[StepView]] | None:
        """The follow-up and its steps, if there is one and it is in `user`'s scope."""
        found = await asyncio.to_thread(_read, db, followup_id)
        return found if found is not None and may_see(user, found[0]) else None

    async def detail(user: StaffAccount, token: str, followup_id: int, message: str | None = None,
                     status: int = 200, typed: Typed = UNTYPED, notice: str | None = None) -> HTTPResponse:
        found = await visible(user, followup_id)
        if found is None:
            return missing(user, token)
        page = await asyncio.to_thread(_page, db, found[0], found[1], user)
        return web.page(followup_page(page, user, web.csrf(token), nav(user), message, notice, typed), status)

    @app.get("/followups")
    @web.guarded(Permission.FOLLOW_UP, check_csrf=False)
    async def followup_list(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        scope = department_scope(user)
        query = parse_query(request, scope)
        number = max(1, page_number(request.args.get("page")))
        listing = await asyncio.to_thread(_listing, db, query, scope, number)
        return web.page(followups_page(query, listing, user, web.csrf(token), nav(user)))

    @app.get("/followups/<followup_id:int>")
    @web.guarded(Permission.FOLLOW_UP, check_csrf=False)
    async def followup_detail(request: Request, user: StaffAccount, token: str, followup_id: int) -> HTTPResponse:
        return await detail(user, token, followup_id, notice=texts.DONE.get((request.args.get("done") or "")[:20]))

    @app.post("/followups/<followup_id:int>/advance")
    @web.guarded(Permission.FOLLOW_UP, check_csrf=True)
    async def followup_advance(request: Request, user: StaffAccount, token: str, followup_id: int) -> HTTPResponse:
        found = await visible(user, followup_id)
        if found is None:
            return missing(user, token)
        note = form_field(request, "note", NOTE_CHARS)
        try:
            seen, to = FollowUpStatus(form_field(request, "seen", 20)), FollowUpStatus(form_field(request, "to", 20))
        except ValueError:
            return await detail(user, token, followup_id, texts.BAD_STEP, 400)
        typed = Typed(to.value, note, form_field(request, "reached", 5), form_field(request, "satisfied", 5))
        if to not in NEXT[seen]:
            return await detail(user, token, followup_id, texts.BAD_STEP, 400)
        revisit = _revisit(request) if to is FollowUpStatus.REVISITED else None
        if to is FollowUpStatus.REVISITED and revisit is None:
            return await detail(user, token, followup_id, texts.REVISIT_REQUIRED, 400, typed)
        try:
            await asyncio.to_thread(actions.advance, db, web.actor(user, request), found[0], seen, to, note, revisit)
        except NoteRequired:
            required = texts.REVISIT_REQUIRED if to is FollowUpStatus.REVISITED else texts.NOTE_REQUIRED
            return await detail(user, token, followup_id, required, 400, typed)
        except InvalidStep:
            return await detail(user, token, followup_id, texts.STALE, 409, typed)
        except NotFound:
            return missing(user, token)
        return redirect(f"/followups/{followup_id}?done={to.value}", status=303)

    @app.post("/followups/<followup_id:int>/appeal")
    @web.guarded(Permission.FOLLOW_UP, check_csrf=True)
    async def followup_appeal(request: Request, user: StaffAccount, token: str, followup_id: int) -> HTTPResponse:
        found = await visible(user, followup_id)
        if found is None:
            return missing(user, token)
        reason = form_field(request, "reason", NOTE_CHARS)
        typed = Typed("appeal", reason)
        try:
            await asyncio.to_thread(actions.request_appeal, db, web.actor(user, request), found[0], reason)
        except NoteRequired:
            return await detail(user, token, followup_id, texts.APPEAL_REASON, 400, typed)
        except AppealPending:
            return await detail(user, token, followup_id, texts.APPEAL_PENDING, 409, typed)
        except NotFound:
            return missing(user, token)
        return redirect(f"/followups/{followup_id}?done=appeal", status=303)
