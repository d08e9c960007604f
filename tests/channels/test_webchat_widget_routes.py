"""The web widget's server side: the chat page's headers, /chat/widget.js and the state frame
(/chat/widget-state.html, .js), the demo host pages,
and an embedded page's opening reaching the assistant checked (channels/webchat/pages.py,
opening.py), on a real web chat channel in a Sanic server with Rasa's agent played by
tests/support/rasa_double.py (no model)."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from channels.webchat.channel import WebChatInput
from tests.channels.test_handoff_webchat import quiet
from tests.support.rasa_double import RasaAgent
from tests.support.server_thread import ServerThread, free_port
from tests.support.webchat_client import Page

WIDGET_JS = "(function(){/* the loader */})();\n"
STATE_HTML = '<!doctype html><title>state</title><script src="widget-state.js" defer></script>\n'
STATE_JS = "(function(){/* the state frame */})();\n"


@pytest.fixture()
def dist(tmp_path) -> Path:
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>chat</title>", encoding="utf-8")
    (folder / "widget.js").write_text(WIDGET_JS, encoding="utf-8")
    (folder / "widget-state.html").write_text(STATE_HTML, encoding="utf-8")
    (folder / "widget-state.js").write_text(STATE_JS, encoding="utf-8")
    return folder


@pytest.fixture()
def web_env(monkeypatch, db_url):
    monkeypatch.setenv("WEBCHAT_SECRET", "widget-test-secret-" + "x" * 20)
    monkeypatch.setenv("GOV_DATABASE_URL", db_url)
    monkeypatch.delenv("GOV_REDIS_URL", raising=False)
    monkeypatch.delenv("WEBCHAT_FRAME_ANCESTORS", raising=False)


@contextmanager
def chat_server(dist: Path, intents: tuple[str, ...] = ()) -> Iterator[tuple[str, list[tuple[str, dict]]]]:
    """The channel on a free port; the list collects (text, metadata) of what reached the assistant."""
    agent = RasaAgent()
    agent.domain = Domain.from_dict({"intents": list(intents)})
    received: list[tuple[str, dict]] = []

    async def assistant(message: Any) -> None:
        received.append((message.text, dict(message.metadata or {})))
        await agent.add(message.sender_id, UserUttered(message.text, message_id=message.message_id,
                                                       metadata=message.metadata),
                        BotUttered("好的"))

    channel = WebChatInput(dist=dist)
    app = Sanic(f"widget_web_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = agent
    app.blueprint(channel.blueprint(assistant), url_prefix=channel.url_prefix())
    server = ServerThread(app, free_port())
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}", received
    finally:
        asyncio.run_coroutine_threadsafe(quiet(channel), server.loop).result(30)
        server.stop()


def test_the_chat_page_says_who_may_frame_it(web_env, dist):
    with chat_server(dist) as (url, _):
        page = requests.get(f"{url}/chat/", timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"].startswith(
        "frame-ancestors 'self' http://127.0.0.1:* http://localhost:*;")
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_widget_js_is_javascript_cached_briefly_and_revalidated(web_env, dist):
    with chat_server(dist) as (url, _):
        first = requests.get(f"{url}/chat/widget.js", timeout=10)
        again = requests.get(f"{url}/chat/widget.js", headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
        (dist / "widget.js").write_text(WIDGET_JS + "// rebuilt\n", encoding="utf-8")
        rebuilt = requests.get(f"{url}/chat/widget.js", headers={"If-None-Match": first.headers["ETag"]},
                               timeout=10)
    assert first.status_code == 200 and first.text == WIDGET_JS
    assert first.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert first.headers["Cache-Control"] == "public, max-age=600"
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert again.status_code == 304 and again.content == b""
    assert rebuilt.status_code == 200 and rebuilt.text.endswith("// rebuilt\n")


def test_the_state_frame_is_framed_like_the_chat_runs_only_its_own_script_and_is_cached(web_env, dist):
    with chat_server(dist) as (url, _):
        page = requests.get(f"{url}/chat/widget-state.html", timeout=10)
        again = requests.get(f"{url}/chat/widget-state.html", headers={"If-None-Match": page.headers["ETag"]},
                             timeout=10)
        script = requests.get(f"{url}/chat/widget-state.js", timeout=10)
        (dist / "widget-state.js").unlink()
        unbuilt = requests.get(f"{url}/chat/widget-state.js", timeout=10)
    assert page.status_code == 200 and page.text == STATE_HTML
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Content-Security-Policy"] == (
        "frame-ancestors 'self' http://127.0.0.1:* http://localhost:*; "
        "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'")
    assert (page.headers["Cache-Control"], page.headers["Referrer-Policy"]) == ("public, max-age=600", "no-referrer")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert again.status_code == 304 and again.content == b""
    assert script.status_code == 200 and script.text == STATE_JS
    assert script.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert script.headers["Cache-Control"] == "public, max-age=600" and script.headers["ETag"]
    assert script.headers["Cross-Origin-Resource-Policy"] == "same-origin"  # for its own page only
    assert "Access-Control-Allow-Origin" not in script.headers
    assert unbuilt.status_code == 404


def test_the_demo_loads_the_widget_from_the_other_loopback_name(web_env, dist):
    with chat_server(dist) as (url, _):
        port = url.rsplit(":", 1)[1]
        page = requests.get(f"{url}/chat/demo/", timeout=10)
        second = requests.get(f"http://localhost:{port}/chat/demo/shebao.html", timeout=10)
        css = requests.get(f"{url}/chat/demo/demo.css", timeout=10)
        missing = requests.get(f"{url}/chat/demo/nope.html", timeout=10)
        bare = requests.get(f"{url}/chat/demo", timeout=10, allow_redirects=False)
    assert page.status_code == 200 and "示例" in page.text
    assert f'src="http://localhost:{port}/chat/widget.js"' in page.text
    assert 'data-service="hf-rent"' in page.text
    assert f"script-src http://localhost:{port}; frame-src http://localhost:{port};" in \
        page.headers["Content-Security-Policy"]
    assert f'src="http://127.0.0.1:{port}/chat/widget.js"' in second.text
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert missing.status_code == 404
    assert bare.status_code == 302 and bare.headers["Location"] == "/chat/demo/"


def test_a_configured_allow_list_is_sent_and_the_demo_is_gone(web_env, dist, monkeypatch):
    monkeypatch.setenv("WEBCHAT_FRAME_ANCESTORS", "https://www.wuhu.gov.cn")
    with chat_server(dist) as (url, _):
        page = requests.get(f"{url}/chat/", timeout=10)
        state = requests.get(f"{url}/chat/widget-state.html", timeout=10)
        demo = requests.get(f"{url}/chat/demo/", timeout=10)
    assert page.headers["Content-Security-Policy"].startswith("frame-ancestors https://www.wuhu.gov.cn;")
    assert state.headers["Content-Security-Policy"].startswith("frame-ancestors https://www.wuhu.gov.cn;")
    assert demo.status_code == 404


def test_the_opening_asks_about_the_service_and_records_the_host_page(web_env, dist):
    with chat_server(dist, intents=("greet", "svc_hf_rent")) as (url, received):
        async def scenario() -> None:
            page = Page(url)
            await page.open()
            entry = f"{url}/bsfw/gjj.html"  # this machine: in the default allow-list
            opened = {"service": "hf-rent", "entry": entry + "?id=1#x"}
            assert (await page.say("/greet", payload=True, opening=opened))["ok"]
            again = {"service": "sbk-apply", "entry": entry}  # only a new conversation opens
            assert (await page.say("/greet", payload=True, opening=again))["ok"]
            await page.close()

        asyncio.run(scenario())
    assert received[0] == ("/svc_hf_rent", {"entry": f"{url}/bsfw/gjj.html"})
    assert received[1] == ("greet", {"display": "/greet"})  # a later "/greet" is text, its opening ignored


@pytest.mark.parametrize("opened", [
    {"service": "/restart", "entry": "https://evil.example/"},
    {"service": "no-such-service"},
    {"topic": "hf_withdraw"},  # a family this model does not know
    "/svc_hf_rent",
])
def test_a_forged_opening_is_an_ordinary_greeting(web_env, dist, opened):
    with chat_server(dist, intents=("greet", "svc_hf_rent")) as (url, received):
        async def scenario() -> None:
            page = Page(url)
            await page.open()
            assert (await page.say("/greet", payload=True, opening=opened))["ok"]
            await page.close()

        asyncio.run(scenario())
    assert received == [("/greet", {})]


def test_an_untrained_service_is_asked_for_by_its_name(web_env, dist):
    with chat_server(dist, intents=("greet",)) as (url, received):
        async def scenario() -> None:
            page = Page(url)
            await page.open()
            assert (await page.say("/greet", payload=True, opening={"service": "hf-rent"}))["ok"]
            await page.close()

        asyncio.run(scenario())
    assert received == [("住房公积金租房提取", {})]
