"""Rasa's HTTP API as far as the hand-back uses it (bot/handoff/handback.py), played by a local server.

Shared by the hand-back tests (tests/handoff) and the console's hand-off desk tests.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN = "t0ken-for-the-fake-rasa-api"


class FakeRasaApi:
    """Records POSTs; answers 200 with the right token, 401 otherwise (as Rasa's API does)."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[tuple[str, dict, object]] = []
        self.answer_for: dict[str, str] = {}  # conversation → the sender_id the state names
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.calls.append((parts.path, parse_qs(parts.query), body))
                ok = parse_qs(parts.query).get("token") == [fake.token]
                self.send_response(200 if ok else 401)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                conversation = unquote(parts.path.split("/")[2])
                self.wfile.write(json.dumps({"sender_id": fake.answer_for.get(conversation, conversation),
                                             "paused": False}).encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def fake_rasa_api(token: str = TOKEN) -> Iterator[FakeRasaApi]:
    fake = FakeRasaApi(token)
    try:
        yield fake
    finally:
        fake.close()
