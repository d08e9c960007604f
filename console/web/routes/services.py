"""服务事项: every role reads the catalogue's services; trainers and admins add, edit and delete
them (console/catalogue/actions.py, audited, live within 10 s, no retraining)."""
from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from bot.catalogue import editing
from bot.catalogue.editing import EditRefused, ServiceListing, ServiceMissing
from console.auth.accounts import StaffAccount
from console.auth.roles import Permission, allows
from console.catalogue import actions
from console.catalogue.form import FORM_KEYS, FormError, to_form, to_values
from console.web.context import Web, form_field, nav
from console.web.pages.service_form import service_form_page
from console.web.pages.services import delete_page, services_page
from console.web.routes.inbox import page_number

#: A textarea of the form: 50 example questions of 60 characters, or 15 materials with notes.
TEXTAREA_CHARS = 8000
ID_CHARS = 40


def _typed(request: Request) -> dict[str, str]:
    return {key: form_field(request, key, TEXTAREA_CHARS) for key in FORM_KEYS}


def register(app: Sanic, web: Web) -> None:
    db = web.console.db

    async def listing() -> list[ServiceListing]:
        return await asyncio.to_thread(editing.list_services, db)

    def can_manage(user: StaffAccount) -> bool:
        return allows(user.role, Permission.MANAGE_SERVICES)

    async def form_page(user: StaffAccount, token: str, service_id: str, form: dict[str, str],
                        message: str | None = None, status: int = 200, saved: bool = False) -> HTTPResponse:
        origin = editing.origin(service_id) if service_id else None
        body = service_form_page(service_id, form, origin, user, web.csrf(token), can_manage(user), nav(user),
                                 message, saved)
        return web.page(body, status)

    @app.get("/services")
    @web.guarded(Permission.VIEW_INBOX, check_csrf=False)
    async def service_list(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        query = (request.args.get("q") or "")[:50]
        body = services_page(await listing(), query, page_number(request.args.get("page")), user,
                             web.csrf(token), can_manage(user), nav(user))
        return web.page(body)

    @app.get("/services/new")
    @web.guarded(Permission.MANAGE_SERVICES, check_csrf=False)
    async def service_new(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        return await form_page(user, token, "", {"needs_hall": "1", "hall_type": "government_center"})

    @app.get("/services/edit")
    @web.guarded(Permission.VIEW_INBOX, check_csrf=False)
    async def service_edit(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        service_id = (request.args.get("id") or "")[:ID_CHARS]
        try:
            fields = await asyncio.to_thread(editing.read_service, db, service_id)
        except ServiceMissing as missing:
            return await form_page(user, token, "", {}, str(missing), 404)
        names = {s.id: s.name for s in await listing()}
        return await form_page(user, token, service_id, to_form(fields, names),
                               saved=request.args.get("saved") == "1")

    @app.post("/services/save")
    @web.guarded(Permission.MANAGE_SERVICES, check_csrf=True)
    async def service_save(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        service_id, typed = form_field(request, "id", ID_CHARS).strip(), _typed(request)
        try:
            values = to_values(typed, {s.name: s.id for s in await listing()})
            change = await asyncio.to_thread(actions.save_service, db, web.actor(user, request), service_id,
                                             values)
        except (FormError, EditRefused) as refused:
            status = 404 if isinstance(refused, ServiceMissing) else 400
            return await form_page(user, token, service_id if status == 400 else "", typed, str(refused), status)
        return redirect("/services/edit?" + urlencode({"id": change.service_id, "saved": 1}), status=303)

    @app.get("/services/delete")
    @web.guarded(Permission.MANAGE_SERVICES, check_csrf=False)
    async def service_delete_confirm(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        service_id = (request.args.get("id") or "")[:ID_CHARS]
        found = [s for s in await listing() if s.id == service_id]
        if not found:
            return await form_page(user, token, "", {}, str(ServiceMissing(service_id)), 404)
        return web.page(delete_page(found[0], user, web.csrf(token), nav(user)))

    @app.post("/services/delete")
    @web.guarded(Permission.MANAGE_SERVICES, check_csrf=True)
    async def service_delete(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        service_id = form_field(request, "id", ID_CHARS).strip()
        found = [s for s in await listing() if s.id == service_id]
        if not found:
            return await form_page(user, token, "", {}, str(ServiceMissing(service_id)), 404)
        if form_field(request, "confirm") != "yes":
            return web.page(delete_page(found[0], user, web.csrf(token), nav(user), "请确认删除。"), 400)
        try:
            await asyncio.to_thread(actions.delete_service, db, web.actor(user, request), service_id)
        except EditRefused as refused:
            return web.page(delete_page(found[0], user, web.csrf(token), nav(user), str(refused)), 409)
        return redirect("/services", status=303)
