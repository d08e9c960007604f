"""Start the real action server and Rasa server as subprocesses, for tests and benchmarks.

`make run` uses scripts/run.sh instead; this module gives programs a handle on a running
stack (free ports, temporary tracker store, logs kept for inspection). The cluster profile's
counterpart, several nodes behind HAProxy, is bot/stack_cluster.py (it uses the helpers here).
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from bot.config import PROJECT_ROOT

BIN = Path(sys.executable).parent
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false",
             "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
#: The action server keeps idle connections longer than Rasa's HTTP client (aiohttp, 15 s),
#: so the client always closes first. With Sanic's 5 s default, a pause in Rasa (loading a
#: model blocks its loop for seconds) let the server close a pooled connection just as Rasa
#: reused it: "Cannot write to closing transport", a lost reply (tests/e2e/test_model_activation.py).
#: rasa_sdk binds to SANIC_HOST (0.0.0.0 by default): only Rasa on this machine may call it.
ACTION_SERVER_ENV = {"SANIC_KEEP_ALIVE_TIMEOUT": "75", "SANIC_HOST": "127.0.0.1"}
#: Request bodies and websocket frames of every channel (as bot/serve.py and scripts/run.sh); the
#: Rasa server only: Rasa's own requests to the action server carry whole trackers.
HTTP_LIMITS_ENV = {"SANIC_REQUEST_MAX_SIZE": "65536", "SANIC_WEBSOCKET_MAX_SIZE": "65536"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def latest_model(folder: Path = PROJECT_ROOT / "models") -> Path:
    models = sorted(folder.glob("*.tar.gz"), key=os.path.getmtime)
    if not models:
        raise FileNotFoundError(f"no trained model in {folder}: run `make train` first")
    return models[-1]


def wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server did not start in {seconds}s:\n{log.read_text()[-3000:]}")


def say_rest(base_url: str, sender: str, text: str, timeout: float = 30) -> list:
    """One message through the REST channel at `base_url`; the bot's messages."""
    resp = requests.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                         timeout=timeout)
    resp.raise_for_status()
    return resp.json()


@dataclass
class Stack:
    """A running assistant; :meth:`say` sends one message through the REST channel."""

    rasa_url: str
    logs: dict
    tracker_db: Path | None = None
    api_token: str | None = None
    webchat_secret: str | None = None  # signs web chat sessions: tests forge and age tokens with it
    events_db: Path | None = None  # the SQL event broker's file (the project's stacks)

    def say(self, sender: str, text: str, timeout: float = 30) -> list:
        """From loopback, so no token is needed; the tracker stores it as "rest:<sender>"."""
        return say_rest(self.rasa_url, sender, text, timeout)

    def text(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message))

    def count_events(self, sender: str, type_name: str) -> int:
        """How many events of a type ("user", "bot"…) the tracker store holds for a conversation.

        ``sender`` is the stored id: "rest:<sender>" for REST (channels.rest.endpoint.conversation_id),
        "web:…" for the web chat, "wechat:<openid>" for WeChat.
        """
        import sqlite3

        if self.tracker_db is None:
            raise RuntimeError("this stack keeps no tracker database to count events in")
        with sqlite3.connect(self.tracker_db) as db:
            return db.execute("select count(*) from events where sender_id = ? and type_name = ?",
                              (sender, type_name)).fetchone()[0]

    def log_text(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in self.logs.values())


def stop_processes(procs: list) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def running_stack(
    workdir: Path,
    model: Path,
    database_url: str | None = None,
    with_actions: bool = True,
    project: Path = PROJECT_ROOT,
    credentials: str | None = None,
    extra_env: dict | None = None,
    api_token: str | None = None,
    warmup: str = "你好",
    in_memory_tracker: bool = False,
) -> Iterator[Stack]:
    """Run Rasa and, if wanted, the action server until the block ends.

    ``credentials`` is the credentials.yml text (the REST channel by default; add a
    ``channels.wechat.WeChatInput`` section for the WeChat channel). With ``api_token``
    Rasa's admin API is on, behind that token (as scripts/run.sh runs it, through
    bot/serve.py, so the token is not on the command line). The web chat signs its
    sessions with a secret made for this stack unless ``extra_env`` has WEBCHAT_SECRET.
    ``in_memory_tracker`` runs a plain bot on Rasa's default in-memory tracker store, as
    ``rasa run`` gives it (benchmarks compare against that); otherwise a SQLite file.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    if credentials is None:
        credentials = "channels.rest.RestInput:\n" if project == PROJECT_ROOT else "rest:\n"
    env = {**os.environ, **QUIET_ENV, "WEBCHAT_SECRET": secrets.token_urlsafe(32), **(extra_env or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))  # bot.serve
    if api_token:
        env["RASA_TOKEN"] = api_token
    if database_url:
        env["GOV_DATABASE_URL"] = database_url
    logs = {"rasa": workdir / "rasa.log"}
    procs: list = []
    store = "bot.tracker_store.MaskingSQLTrackerStore" if project == PROJECT_ROOT else "SQL"
    endpoints = ("" if in_memory_tracker else
                 f"tracker_store:\n  type: {store}\n  dialect: sqlite\n  db: {workdir / 'tracker.db'}\n")
    if project == PROJECT_ROOT and not in_memory_tracker:  # the project's broker, as endpoints.yml has it
        endpoints += f"event_broker:\n  type: bot.analytics.broker.LocalEventBroker\n  db: {workdir / 'events.db'}\n"
    try:
        if with_actions:
            actions_port = free_port()
            logs["actions"] = workdir / "actions.log"
            with logs["actions"].open("w") as out:
                procs.append(subprocess.Popen(
                    [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions_port)],
                    cwd=project, env={**env, **ACTION_SERVER_ENV}, stdout=out, stderr=subprocess.STDOUT))
            wait_http(f"http://127.0.0.1:{actions_port}/health", procs[-1], logs["actions"])
            endpoints += f"action_endpoint:\n  url: http://127.0.0.1:{actions_port}/webhook\n"
        (workdir / "endpoints.yml").write_text(endpoints, encoding="utf-8")
        (workdir / "credentials.yml").write_text(credentials, encoding="utf-8")
        port = free_port()
        with logs["rasa"].open("w") as out:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "bot.serve", "--model", str(model), "--port", str(port),
                 "--endpoints", str(workdir / "endpoints.yml"),
                 "--credentials", str(workdir / "credentials.yml"),
                 *(["--enable-api"] if api_token else [])],
                cwd=project, env={**HTTP_LIMITS_ENV, **env}, stdout=out, stderr=subprocess.STDOUT))
        stack = Stack(f"http://127.0.0.1:{port}", logs, workdir / "tracker.db", api_token, env["WEBCHAT_SECRET"],
                      workdir / "events.db" if "event_broker:" in endpoints else None)
        wait_http(f"{stack.rasa_url}/", procs[-1], logs["rasa"])
        deadline = time.monotonic() + 120
        while not stack.say("warmup", warmup):  # the root answers before the model is loaded
            if time.monotonic() > deadline:
                raise RuntimeError("model did not answer")
            time.sleep(0.5)
        yield stack
    finally:
        stop_processes(procs)
