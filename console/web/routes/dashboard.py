"""服务分析: the dashboard and its CSV export, for reviewers and up (Permission.VIEW_DASHBOARD).

Both read the analytics fact tables through bot/analytics (never the tracker store) in a
thread. The export is audited with the filters it used, as the audit log's own export is.
"""
from __future__ import annotations

import asyncio

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, raw

from bot.analytics.report import DIMENSIONS
from console import timefmt
from console.auth.accounts import StaffAccount
from console.auth.roles import Permission
from console.web.context import Web, nav
from console.web.dashboard_export import filters_line, to_csv
from console.web.dashboard_query import DashboardQuery, gather
from console.web.pages.dashboard import dashboard_page


def register(app: Sanic, web: Web) -> None:
    db = web.console.db

    @app.get("/dashboard")
    @web.guarded(Permission.VIEW_DASHBOARD, check_csrf=False)
    async def dashboard(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        query, message = DashboardQuery.parse(request.args.get)
        figures = await asyncio.to_thread(gather, db, query)
        return web.page(dashboard_page(figures, user, web.csrf(token), nav(user), message), 400 if message else 200)

    @app.get("/dashboard.csv")
    @web.guarded(Permission.VIEW_DASHBOARD, check_csrf=False)
    async def dashboard_export(request: Request, user: StaffAccount, _token: str) -> HTTPResponse:
        query, _ = DashboardQuery.parse(request.args.get)
        figures = await asyncio.to_thread(gather, db, query, None, DIMENSIONS)
        await web.record(user, "dashboard_export", {"filters": "，".join(filters_line(figures))}, request)
        stamp = timefmt.local_now().strftime("%Y%m%d-%H%M")
        return raw(to_csv(figures), content_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="dashboard-{stamp}.csv"'})
