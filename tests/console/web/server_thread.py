"""A console app served over real HTTP from a background thread, for tests.

Sanic 21.12 rewrites some of its own methods when an app starts (TouchUp). Doing it again
for a second app in the same process re-reads the rewritten method's "source", gets the
top of the module instead and fails (KeyError: 'handle_request'), leaving stray copies of
classes behind. The rewrite only drops signal dispatches no app listens to, and every
console app listens to the same ones, so once per process is enough.
"""
from __future__ import annotations

import asyncio
import socket
import threading

_patched = False


def touch_up_once() -> None:
    """Make Sanic's TouchUp a no-op once its classes are rewritten (idempotent)."""
    global _patched
    if _patched:
        return
    from sanic.app import Sanic
    from sanic.http import Http
    from sanic.server.protocols.http_protocol import HttpProtocol
    from sanic.touchup import TouchUp

    touch = TouchUp.run.__func__

    def run_once(cls, app) -> None:
        if not all(vars(target).get("__touched__") for target in (Sanic, Http, HttpProtocol)):
            touch(cls, app)

    TouchUp.run = classmethod(run_once)
    _patched = True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]



class ServerThread:
    """app.create_server on its own event loop in a daemon thread."""

    def __init__(self, app, port: int) -> None:
        touch_up_once()
        self.app, self.port = app, port
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.loop = asyncio.new_event_loop()
        self.server = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.server = self.loop.run_until_complete(self.app.create_server(
                host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False))
            self.loop.run_until_complete(self.server.startup())
            self.loop.run_until_complete(self.server.before_start())
            self.loop.run_until_complete(self.server.after_start())
        except BaseException as error:  # pragma: no cover - reported by start()
            self.error = error
            self.ready.set()
            return
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.server.before_stop())
        self.server.close()
        self.loop.run_until_complete(self.server.wait_closed())
        # Close kept-alive connections (a browser's) and let their tasks end before the loop.
        for connection in list(self.server.connections):
            connection.close()
        pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
        if pending:
            self.loop.run_until_complete(asyncio.wait(pending, timeout=5))
        self.loop.run_until_complete(self.server.after_stop())
        self.loop.close()

    def start(self) -> None:
        self.thread.start()
        assert self.ready.wait(20), "server did not start"
        if self.error:
            raise self.error

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
