"""What the web chat serves over plain HTTP under /chat/: the page, its assets, the widget
loader, and (embedded default only) the demo host pages.

- ``/chat/``: web/dist/index.html, with the frame allow-list's headers (embedding.py);
- ``/chat/assets/…``: Vite's hashed files, cached for a year;
- ``/chat/widget.js``: the loader a host site adds with one script tag (web/public/widget.js,
  copied to dist by the build). Its address never changes, so it is cached briefly and
  revalidated by ETag; any site may load it (CORS, CORP), it is the same for everyone;
- ``/chat/widget-state.html`` + ``widget-state.js``: the loader's hidden frame that remembers
  whether the panel was open (web/public/widget-state.js). Framed under the same allow-list as
  the chat, a CSP that runs only this origin's scripts and loads nothing else, cached like the loader;
- ``/chat/demo/``: a sample government page (示例) that loads the widget from this server's
  *other* loopback name (127.0.0.1 ↔ localhost, same port), so page and chat are on different
  origins and the browser treats the embedding as it would on a real site. Opened under any
  other host name it loads the widget from its own origin.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.webchat.embedding import FrameAncestors

DEMO_DIR = Path(__file__).resolve().parent / "demo"
DEMO_PAGES = {"": "index.html", "shebao.html": "shebao.html"}
NOT_BUILT = ("<!doctype html><html lang=zh-CN><meta charset=utf-8><title>芜湖政务服务助手</title>"
             "<p>聊天页面尚未构建。请在项目目录运行 <code>make web</code>（或 <code>make run</code>）。</p></html>")
WIDGET_CACHE = "public, max-age=600"
STATE_PAGE_POLICY = "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'"
_HOST = re.compile(r"^(?P<name>[a-z0-9.-]{1,253}|\[[0-9a-f:]{2,39}\])(?P<port>:[0-9]{1,5})?$")
_SWAPPED = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}


class _Etagged:
    """A small file's bytes and ETag, read again when the file changes (a rebuild)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: tuple[float, int] | None = None
        self.body, self.etag = b"", ""

    def read(self) -> bool:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return False
        key = (stat.st_mtime, stat.st_size)
        if key != self._key:
            self.body = self.path.read_bytes()
            self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'
            self._key = key
        return True


def widget_origin(request: Request) -> str | None:
    """The origin the demo loads the widget from: the other loopback name, else its own."""
    found = _HOST.match((request.host or "").lower())
    if found is None:
        return None
    scheme = "https" if request.scheme == "https" else "http"
    name = _SWAPPED.get(found["name"], found["name"])
    return f"{scheme}://{name}{found['port'] or ''}"


def _demo_headers(origin: str) -> dict[str, str]:
    """A strict host page: the widget must work where only its own origin may run and frame."""
    return {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": (f"default-src 'none'; script-src {origin}; frame-src {origin}; "
                                        "style-src 'self'; img-src 'self' data:; base-uri 'none'; "
                                        "form-action 'none'; frame-ancestors 'none'")}


def _cached(request: Request, file: _Etagged, content_type: str, headers: dict[str, str]) -> HTTPResponse:
    """A small file of dist that never changes address: cached briefly, then revalidated by ETag."""
    sent = {"Cache-Control": WIDGET_CACHE, "ETag": file.etag, "X-Content-Type-Options": "nosniff", **headers}
    if request.headers.get("if-none-match") == file.etag:
        return response.empty(status=304, headers=sent)
    return response.raw(file.body, headers=sent, content_type=content_type)


def add_routes(page: Blueprint, dist: Path, ancestors: FrameAncestors) -> None:
    """The HTTP routes of the web chat on ``page`` (mounted at /chat)."""
    headers = ancestors.page_headers()
    widget = _Etagged(dist / "widget.js")
    state_page, state_script = _Etagged(dist / "widget-state.html"), _Etagged(dist / "widget-state.js")

    @page.route("/", methods=["GET"])
    async def index(request: Request) -> HTTPResponse:
        if not request.path.endswith("/"):
            return response.redirect(request.path + "/")  # relative asset paths need it
        html = dist / "index.html"
        if not html.exists():
            return response.html(NOT_BUILT, status=503)
        return await response.file(str(html), mime_type="text/html; charset=utf-8",
                                   headers={"Cache-Control": "no-cache", **headers})

    @page.route("/assets/<name:path>", methods=["GET"])
    async def asset(_: Request, name: str) -> HTTPResponse:
        root = (dist / "assets").resolve()
        path = (root / name).resolve()
        if root not in path.parents or not path.is_file():
            return response.text("not found", status=404)
        return await response.file(str(path), headers={"Cache-Control": "public, max-age=31536000, immutable"})

    @page.route("/widget.js", methods=["GET"])
    async def loader(request: Request) -> HTTPResponse:
        if not widget.read():
            return response.text("not built: make web", status=404)
        return _cached(request, widget, "application/javascript; charset=utf-8",
                       {"Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"})

    @page.route("/widget-state.html", methods=["GET"])
    async def state_frame(request: Request) -> HTTPResponse:
        if not state_page.read():
            return response.text("not built: make web", status=404)
        return _cached(request, state_page, "text/html; charset=utf-8", ancestors.page_headers(STATE_PAGE_POLICY))

    @page.route("/widget-state.js", methods=["GET"])
    async def state_frame_script(request: Request) -> HTTPResponse:
        if not state_script.read():
            return response.text("not built: make web", status=404)
        return _cached(request, state_script, "application/javascript; charset=utf-8",
                       {"Cross-Origin-Resource-Policy": "same-origin"})

    if not ancestors.demo:
        return

    @page.route("/demo", methods=["GET"])
    async def demo_root(request: Request) -> HTTPResponse:
        return response.redirect(request.path + "/")

    @page.route("/demo/<name:path>", methods=["GET"])
    async def demo(request: Request, name: str) -> HTTPResponse:
        if name == "demo.css":
            return await response.file(str(DEMO_DIR / "demo.css"), mime_type="text/css; charset=utf-8",
                                       headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
        origin = widget_origin(request)
        if name not in DEMO_PAGES or origin is None:
            return response.text("not found", status=404)
        html = (DEMO_DIR / DEMO_PAGES[name]).read_text(encoding="utf-8")
        return response.html(html.replace("{{WIDGET_SRC}}", f"{origin}/chat/widget.js"),
                             headers=_demo_headers(origin))
