"""The audit log, for admins: filtered and paged by the database, and exported as CSV.

Dates in the filters are local calendar days (console/timefmt.py), converted to the UTC
range the table stores. An export is itself audited, with the filters it used.
"""
from __future__ import annotations

import asyncio
from datetime import date

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, raw

from console import timefmt
from console.auth import audit
from console.auth.accounts import StaffAccount
from console.auth.audit_export import to_csv
from console.auth.roles import Permission
from console.web.context import Web, nav
from console.web.pages.audit import AuditQuery, audit_page

MAX_PARAM = 100


def _day(text: str) -> date | None:
    """A YYYY-MM-DD date; None when empty; ValueError when it is not one."""
    text = text.strip()
    return date.fromisoformat(text) if text else None


def parse_query(request: Request) -> tuple[AuditQuery, str | None]:
    """The filters from the query string, and a message (Chinese) for any that was ignored."""
    def arg(name: str) -> str:
        return (request.args.get(name) or "")[:MAX_PARAM]

    message = None
    days: list[date | None] = []
    for name in ("from", "to"):
        try:
            days.append(_day(arg(name)))
        except ValueError:
            days.append(None)
            message = "日期格式应为 年-月-日（例如 2026-12-01），无效的日期条件已忽略。"
    first, last = days
    if first and last and first > last:
        first, last = last, first
        message = "开始日期晚于结束日期，已按调换后的日期筛选。"
    return AuditQuery(arg("user").strip(), arg("action").strip(), first, last), message


def to_filter(query: AuditQuery) -> audit.AuditFilter:
    since, until = timefmt.day_range_utc(query.first, query.last)
    return audit.AuditFilter(query.user or None, query.action or None, since, until)


def _page_number(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def register(app: Sanic, web: Web) -> None:
    db = web.console.db

    @app.get("/audit")
    @web.guarded(Permission.MANAGE_ACCOUNTS, check_csrf=False)
    async def audit_log(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        query, message = parse_query(request)
        number = _page_number((request.args.get("page") or "")[:10])
        page = await asyncio.to_thread(audit.search, db, to_filter(query), number)
        users = await asyncio.to_thread(audit.usernames, db)
        actions = await asyncio.to_thread(audit.actions, db)
        body = audit_page(page, query, users, actions, user, web.csrf(token), nav(user), message)
        return web.page(body, 400 if message else 200)

    @app.get("/audit/export.csv")
    @web.guarded(Permission.MANAGE_ACCOUNTS, check_csrf=False)
    async def audit_export(request: Request, user: StaffAccount, _token: str) -> HTTPResponse:
        query, _ = parse_query(request)
        records = await asyncio.to_thread(audit.matching, db, to_filter(query))
        await web.record(user, "audit_export", {"filters": query.summary(), "count": len(records)}, request)
        stamp = timefmt.local_now().strftime("%Y%m%d-%H%M")
        return raw(to_csv(records), content_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'})
