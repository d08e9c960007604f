"""The hand-off desk's live parts: its one script (/static/seat.js) and its event stream.

GET /handoff/events (Server-Sent Events) tells an open desk page which of its parts
changed: ``queue``, ``mine`` (the agent's own conversations) or ``transcript`` (the one
open, ``?open=<id>``). The script then fetches that part's HTML from the server
(routes/handoff.py, routes/handoff_chat.py), so escaping never leaves the server. The
stream first waits for a poll (console/handoff/watch.py) and only then says ``ready``,
on which the script refreshes every part: a change between the page's load and the
stream's start is never missed, and a reconnect catches up the same way.

Every HEARTBEAT_S the stream sends a comment (a proxy keeps the connection; the server's
response timeout is reset by each write) and checks the session again: a signed-out or
disabled agent's stream ends, and an open page counts as activity for the idle sweep
(console/handoff/idle.py) because the check moves the session's last_seen_at.
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, raw

from console.auth.accounts import StaffAccount
from console.auth.roles import Permission, allows
from console.handoff.watch import Watch, changed, stamps
from console.web.context import Admitted, Web
from console.web.routes.handoff import request_id

SCRIPT_PATH = Path(__file__).resolve().parents[1] / "static" / "seat.js"
HEARTBEAT_S = 15.0
#: How long the browser waits before reconnecting a dropped stream.
RETRY_MS = 2000


def event(name: str, data: str = "") -> str:
    return f"event: {name}\ndata: {data}\n\n"


def register(app: Sanic, web: Web) -> None:
    script = SCRIPT_PATH.read_bytes()
    watch = Watch(web.console.db)
    app.ctx.handoff_watch = watch

    @app.get("/static/seat.js")
    async def seat_script(request: Request) -> HTTPResponse:
        return raw(script, content_type="text/javascript; charset=utf-8")

    async def still_allowed(request: Request, user: StaffAccount) -> bool:
        now, _ = await web.current(request)
        return now is not None and now.username == user.username and allows(now.role, Permission.HANDLE_HANDOFF)

    @app.get("/handoff/events")
    async def handoff_events(request: Request) -> HTTPResponse | None:
        entry = await web.admit(request, Permission.HANDLE_HANDOFF, check_csrf=False)
        if not isinstance(entry, Admitted):
            return entry
        user, open_id = entry.user, request_id(request.args.get("open"))
        loop = asyncio.get_running_loop()
        response = await request.respond(content_type="text/event-stream; charset=utf-8")
        woken = watch.subscribe(open_id)
        try:
            await woken.wait()
            woken.clear()
            seen = stamps(watch.rows, user.username, open_id)
            await response.send(f"retry: {RETRY_MS}\n" + event("ready"))
            checked = loop.time()
            while True:
                try:
                    await asyncio.wait_for(woken.wait(), HEARTBEAT_S)
                except asyncio.TimeoutError:
                    pass
                woken.clear()
                latest = stamps(watch.rows, user.username, open_id)
                for part in changed(seen, latest):
                    await response.send(event(part, str(open_id or "")))
                seen = latest
                if loop.time() - checked >= HEARTBEAT_S:
                    if not await still_allowed(request, user):
                        break
                    await response.send(": ping\n\n")
                    checked = loop.time()
        finally:
            watch.unsubscribe(woken)
        await response.eof()
        return None

    @app.before_server_stop
    async def stop_watching(app: Sanic, _loop: Any) -> None:
        await watch.stop()
