"""The staff console web app (sanic): login, inbox, FAQ, services, retraining and activation, 服务分析, audit log,
accounts (账号管理), each person's password, the hand-off desk (人工服务, 转人工), the messages
residents left for a callback (留言工单), and 差评回访 with 申诉复核.

Security, on every route (helpers in console/web/context.py):

* session: an opaque token in an HttpOnly, SameSite=Strict cookie (console/auth/sessions.py);
  pages without a session redirect (303) to /login, other methods get 401;
* permissions from console/auth/roles.py; a missing one gets a 403 page; an account on a
  one-time password reaches only /password until it has chosen its own;
* CSRF: every POST except /login carries the session-bound token (form field ``csrf``);
  the login form uses a double-submit token (console/web/routes/auth.py);
* headers: a strict Content-Security-Policy (no scripts at all; no style but the one
  stylesheet of console/web/pages/layout.py, admitted by its hash), nosniff, no referrer.
  The hand-off desk's pages (/handoff…) alone also admit same-origin scripts and
  connections: the console's one script, console/web/static/seat.js, and its event stream.

Blocking work (database, YAML files, password hashing) runs in threads.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import PROJECT_ROOT
from console.auth import sessions
from console.database import open_database
from console.teaching.inbox import WINDOW_DAYS
from console.web.context import Console, Web
from console.web.pages.layout import STYLE_SOURCE
from console.web.routes import (
    appeals,
    audit,
    auth,
    dashboard,
    decided,
    faq,
    followups,
    handoff,
    handoff_chat,
    handoff_live,
    handoff_replies,
    inbox,
    model_versions,
    password,
    services,
    take_back,
    tickets,
    users,
)

CSP = f"default-src 'none'; style-src {STYLE_SOURCE}; form-action 'self'; frame-ancestors 'none'"
#: The hand-off desk's pages: the same, plus the one same-origin script and its fetches.
LIVE_CSP = CSP.replace("default-src 'none';", "default-src 'none'; script-src 'self'; connect-src 'self';")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
HELDOUT_DIR = PROJECT_ROOT / "tests" / "nlu_heldout"
ROUTE_MODULES = (auth, password, inbox, decided, faq, services, model_versions, take_back, audit, users,
                 handoff, handoff_chat, handoff_live, handoff_replies, followups, appeals, tickets, dashboard)


def create_app(database_url: str, tracker_db_url: str, nlu_dir: Path, domain_path: Path,
               secret: str, secure_cookies: bool = True, pipeline: Any | None = None,
               heldout_dir: Path | None = HELDOUT_DIR, inbox_days: int = WINDOW_DAYS) -> Sanic:
    sessions.csrf_token("check", secret)  # refuses a short secret now, not at first request
    app = Sanic(f"wuhu_console_{uuid.uuid4().hex}")
    app.config.KEEP_ALIVE = True
    db = open_database(database_url)
    console = Console(db, tracker_db_url, Path(nlu_dir), Path(domain_path), secret,
                      secure_cookies, pipeline, heldout_dir, inbox_days)
    app.ctx.console = console

    @app.on_response
    async def security_headers(request: Request, response: HTTPResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        if request.path == "/handoff" or request.path.startswith("/handoff/"):
            response.headers["Content-Security-Policy"] = LIVE_CSP

    web = Web(console)
    for module in ROUTE_MODULES:
        module.register(app, web)
    return app
