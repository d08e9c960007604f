"""The audit log, for admins."""
from __future__ import annotations

import asyncio

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from console.auth import audit
from console.auth.roles import Permission
from console.web.context import Admitted, Web, nav
from console.web.pages.audit import audit_page


def register(app: Sanic, web: Web) -> None:
    @app.get("/audit")
    async def audit_log(request: Request) -> HTTPResponse:
        admitted = await web.admit(request, Permission.MANAGE_ACCOUNTS, check_csrf=False)
        if not isinstance(admitted, Admitted):
            return admitted
        user, token = admitted
        records = await asyncio.to_thread(audit.recent, web.console.db, 200)
        return web.page(audit_page(records, user, web.csrf(token), nav(user)))
