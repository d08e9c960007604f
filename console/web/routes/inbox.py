"""The inbox of messages the assistant was unsure about, and staff decisions on them.

GET /inbox takes the filters and page (inbox_query.py) and, after a decision, the ids to
confirm (``done``) and where the decided card was (``at``). Every POST comes back there
with a 303 to the same filters and page (``#notice``), so a reviewer never loses their place.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from bot.catalogue.editing import EditRefused
from console.auth.accounts import StaffAccount
from console.auth.roles import Permission, allows
from console.catalogue import actions
from console.teaching import decisions, service
from console.teaching.decisions import AlreadyDecided
from console.teaching.errors import TrainingDataError
from console.teaching.inbox import PAGE_SIZE, page_of
from console.teaching.inbox_filter import select_groups
from console.teaching.inbox_store import reader_for
from console.teaching.nlu_files import nlu_index
from console.teaching.revert import RevertRefused, revert_decisions
from console.teaching.targets import Targets, read_targets
from console.web.context import Web, form_field, nav
from console.web.inbox_query import MAX_IDS, InboxQuery, ids_of, page_number
from console.web.pages.inbox import InboxView, Notice, inbox_page

__all__ = ["register", "page_number"]


def _position(value: str | None) -> int:
    """Where on the page the decided card was (0 … PAGE_SIZE)."""
    number = page_number(value) if value and value != "0" else 0
    return min(number, PAGE_SIZE)


def _form_list(request: Request, name: str) -> list[str]:
    return [v[:1000] for v in (request.form.getlist(name) or [])][:MAX_IDS] if request.form else []


class UnknownTarget(ValueError):
    """The typed target is not in the list; the message is for staff."""


def _intent(request: Request, targets: Targets) -> str:
    """The intent chosen: a target label from the page (or an ``intent`` code from a script)."""
    typed = form_field(request, "target", 200).strip()
    if not typed:
        return form_field(request, "intent", 200)
    found = targets.resolve(typed)
    if found is None:
        raise UnknownTarget(f"没有“{typed}”这一项，请从列表中选择（可输入关键词搜索）。")
    return found


def register(app: Sanic, web: Web) -> None:
    console = web.console
    db = console.db

    def targets_now() -> Targets:
        return read_targets(db, console.nlu_dir, console.domain_path)

    async def render_inbox(user: StaffAccount, token: str, query: InboxQuery, message: str | None = None,
                           status: int = 200, notice: Notice | None = None) -> HTTPResponse:
        window_start = time.time() - console.inbox_days * 86400
        wanted = query.to_filter(window_start)
        targets = await asyncio.to_thread(targets_now)
        known = await asyncio.to_thread(lambda: nlu_index(console.nlu_dir).examples)
        # Always the whole window: the reader forgets conversations outside what it is asked
        # for, so reading from a filter's first day made the next page read them all again.
        items, done = await asyncio.gather(
            asyncio.to_thread(reader_for(console.tracker_db_url).read, window_start, known),
            asyncio.to_thread(decisions.decided_texts, db),
        )
        page = page_of(select_groups(items, wanted, done), query.page)
        may_file = allows(user.role, Permission.MANAGE_SERVICES)
        view = InboxView(
            page=page, query=query, days=console.inbox_days, targets=targets,
            can_annotate=allows(user.role, Permission.ANNOTATE),
            service_names={sid: s.name for sid, s in targets.services.items()} if may_file else None,
            message=message, notice=notice,
            service_filters=[(t.intent, t.label) for t in targets.items if t.intent.startswith("svc_")],
        )
        return web.page(inbox_page(view, user, web.csrf(token), nav(user)), status)

    def back_to(query: InboxQuery, done: Sequence[int] = (), at: int = 0, **extra: int) -> HTTPResponse:
        params: dict[str, Sequence[object]] = {k: [v] for k, v in extra.items() if v}
        if done:
            params.update(done=list(done), at=[at])
        return redirect(query.url(anchor="notice" if params else "", extra=params), status=303)

    async def notice_of(request: Request, user: StaffAccount) -> Notice | None:
        done = [d for d in await asyncio.to_thread(decisions.decisions_by_id, db,
                                                   ids_of(request.args.getlist("done")))
                if d.username == user.username]
        skipped = page_number(request.args.get("skipped")) if request.args.get("skipped") else 0
        undone = page_number(request.args.get("undone")) if request.args.get("undone") else 0
        if not (done or skipped or undone):
            return None
        return Notice(done, all(d.undoable(user.username) for d in done), skipped, undone,
                      _position(request.args.get("at")))

    @app.get("/inbox")
    @web.guarded(Permission.VIEW_INBOX, check_csrf=False)
    async def inbox(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        return await render_inbox(user, token, InboxQuery.parse(request.args.get),
                                  notice=await notice_of(request, user))

    @app.post("/inbox/decide")
    @web.guarded(Permission.ANNOTATE, check_csrf=True)
    async def decide(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        query = InboxQuery.from_back(form_field(request, "back"))
        action = form_field(request, "action")
        try:
            intent = _intent(request, await asyncio.to_thread(targets_now)) if action == "assign" else ""
            decision = await asyncio.to_thread(
                service.decide_inbox_message, db, console.files, web.actor(user, request),
                form_field(request, "text"), action, intent)
        except (service.IncompleteDecision, TrainingDataError, UnknownTarget) as error:
            return await render_inbox(user, token, query, str(error), 400)
        except AlreadyDecided as already:
            return await render_inbox(user, token, query, str(already), 409)
        return back_to(query, [decision.id], _position(form_field(request, "at")))

    @app.post("/inbox/bulk")
    @web.guarded(Permission.ANNOTATE, check_csrf=True)
    async def bulk(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        """One decision for every checked group of the page."""
        query = InboxQuery.from_back(form_field(request, "back"))
        action = form_field(request, "action")
        try:
            intent = _intent(request, await asyncio.to_thread(targets_now)) if action == "assign" else ""
            outcome = await asyncio.to_thread(
                service.decide_inbox_messages, db, console.files, web.actor(user, request),
                _form_list(request, "text"), action, intent)
        except (service.IncompleteDecision, UnknownTarget) as error:
            return await render_inbox(user, token, query, str(error), 400)
        return back_to(query, [d.id for d in outcome.decided], 0, skipped=len(outcome.refused))

    @app.post("/inbox/undo")
    @web.guarded(Permission.ANNOTATE, check_csrf=True)
    async def undo(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        """The confirmation's 撤销: only one's own decisions, only within decisions.UNDO_WINDOW."""
        query = InboxQuery.from_back(form_field(request, "back"))
        try:
            undone = await asyncio.to_thread(
                revert_decisions, db, console.files, web.actor(user, request),
                ids_of(_form_list(request, "decision")), undo=True,
                may_edit_services=allows(user.role, Permission.MANAGE_SERVICES))
        except RevertRefused as refused:
            return await render_inbox(user, token, query, str(refused), 409)
        except TrainingDataError as error:
            return await render_inbox(user, token, query, str(error), 400)
        return back_to(query, undone=len(undone))

    @app.post("/inbox/service")
    @web.guarded(Permission.MANAGE_SERVICES, check_csrf=True)
    async def to_service(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        """归入服务事项为例句: the message becomes an example question of a service, live in seconds."""
        query = InboxQuery.from_back(form_field(request, "back"))
        text = form_field(request, "text")
        try:
            await asyncio.to_thread(actions.assign_to_service, db, web.actor(user, request),
                                    text, form_field(request, "service", 100))
        except EditRefused as refused:
            return await render_inbox(user, token, query, str(refused), 400)
        except AlreadyDecided as already:
            return await render_inbox(user, token, query, str(already), 409)
        decision = await asyncio.to_thread(decisions.get_decision, db, text)
        return back_to(query, [decision.id] if decision else [], _position(form_field(request, "at")))
