"""转人工 to the agent's screen: a resident's request → their row on an open queue page.

A live run: the real Rasa and action servers on a temporary SQLite database, and the staff
console on the same database with an agent signed in, reading the queue page the way the
page's script does (console/web/static/seat.js): it listens to ``/handoff/events`` and, on
each change, fetches the ``/handoff/queue`` part. N residents (REST) ask for 转人工 at once,
for several rounds (each round's residents then leave the queue with "不等了").

  request → queue page: from sending "转人工" to the first fetched queue part that lists the
  resident's request (its claim form), on this process's clock.

The reference, same run, same servers, same concurrency: N residents each ask the assistant
a catalogue question over REST, timed from sending to the answer. Goal (issue 16): the queue
page under 1 s at p95.

    python bench/handoff_queue.py [--conversations 20] [--rounds 5] [--model PATH]
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for bot, console, tests.support as a script

from bench.common import catalogue_database, latency_row, pct
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from bot.handoff import service
from bot.stack import latest_model, running_stack, say_rest
from console.auth import accounts
from console.database import open_database
from tests.support.console_web import PASSWORD, SECRET, logged_in
from tests.support.server_thread import ServerThread, free_port

QUESTIONS = ["社保卡怎么办理", "公积金租房提取要带什么", "身份证过期了怎么换", "异地就医备案怎么弄"]
CLAIM_ID = re.compile(r'name="request" value="(\d+)"')


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class QueueWatcher(threading.Thread):
    """The page's script: on every event of the stream, fetch the queue part; first sight of each request."""

    def __init__(self, base: str, http: requests.Session) -> None:
        super().__init__(daemon=True)
        self.base, self.http = base, http
        self.first_seen: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            self._watch()
        except requests.RequestException:
            if not self.stop.is_set():
                raise  # the console going away at the end of the run is expected; anything else is not

    def _watch(self) -> None:
        with self.http.get(self.base + "/handoff/events", stream=True, timeout=(5, 60)) as stream:
            for line in stream.iter_lines(decode_unicode=True):
                if self.stop.is_set():
                    return
                if not line or not line.startswith("event:"):
                    continue
                part = self.http.get(self.base + "/handoff/queue", timeout=10).text
                now = time.perf_counter()
                for found in CLAIM_ID.findall(part):
                    self.first_seen.setdefault(int(found), now)


def reference(url: str, n: int, rounds: int) -> list[float]:
    def ask(i: int) -> float:
        start = time.perf_counter()
        assert say_rest(url, f"bench-ref-{i}-{secrets.token_hex(3)}", QUESTIONS[i % len(QUESTIONS)])
        return time.perf_counter() - start

    with ThreadPoolExecutor(n) as pool:
        return [t for _ in range(rounds) for t in pool.map(ask, range(n))]


def _ask_for_a_person(url: str, sender: str, *, sent: dict[str, float]) -> None:
    sent[sender] = time.perf_counter()
    assert "转人工" in " ".join(m.get("text", "") for m in say_rest(url, sender, "转人工"))


def requests_to_page(url: str, desk, watcher: QueueWatcher, n: int, rounds: int) -> list[float]:
    times: list[float] = []
    for round_ in range(rounds):
        senders = [f"bench-q{round_}-{i}-{secrets.token_hex(3)}" for i in range(n)]
        sent: dict[str, float] = {}

        with ThreadPoolExecutor(n) as pool:
            list(pool.map(partial(_ask_for_a_person, url, sent=sent), senders))
        ids = {s: service.pending_handoff(desk, conversation_id=f"rest:{s}").id for s in senders}
        deadline = time.monotonic() + 30
        while not all(rid in watcher.first_seen for rid in ids.values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        times += [watcher.first_seen[rid] - sent[s] for s, rid in ids.items() if rid in watcher.first_seen]
        missing = [rid for rid in ids.values() if rid not in watcher.first_seen]
        if missing:
            log(f"round {round_}: {len(missing)} requests never appeared on the page")
        with ThreadPoolExecutor(n) as pool:  # leave the queue, so the next round's page is as long
            list(pool.map(lambda s: say_rest(url, s, "不等了"), senders))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["GOV_DATA_KEY_FILE"] = str(root / "keys" / "data.key")  # the stack inherits them
        os.environ["GOV_DIGEST_KEY_FILE"] = str(root / "keys" / "digest.key")
        os.environ["GOV_HANDOFF_HOURS"] = "全年无休 0:00-24:00"  # the desk open whenever the bench runs
        db_url = catalogue_database(root)
        desk = session_factory(db_url)
        log("starting the assistant…")
        with running_stack(root / "stack", args.model or latest_model(), db_url,
                           api_token=secrets.token_urlsafe(24)) as stack:
            from console.web.app import create_app

            shutil.copytree(PROJECT_ROOT / "data" / "nlu", root / "nlu")
            shutil.copy(PROJECT_ROOT / "domain.yml", root / "domain.yml")
            accounts.create_user(open_database(db_url), "bench.agent", PASSWORD, "agent")
            app = create_app(db_url, f"sqlite:///{stack.tracker_db}", root / "nlu", root / "domain.yml", SECRET,
                             secure_cookies=False)
            server = ServerThread(app, free_port())
            server.start()
            try:
                base = f"http://127.0.0.1:{server.port}"
                watcher = QueueWatcher(base, logged_in(base, "bench.agent"))
                watcher.start()
                log("reference: the assistant answering over REST…")
                ref = reference(stack.rasa_url, args.conversations, args.rounds)
                log("requests to the queue page…")
                shown = requests_to_page(stack.rasa_url, desk, watcher, args.conversations, args.rounds)
                watcher.stop.set()
            finally:
                server.stop()
    print(f"\n转人工 → the agent's queue page, {args.conversations} residents asking at once, {args.rounds} rounds; "
          "one Rasa server, one console, SQLite\n")
    print("| path | n | p50 ms | p95 ms | max ms | p50 ratio to reference | p95 ratio to reference |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(latency_row(f"reference: assistant answer over REST ({args.conversations} at once)", ref, ref))
    print(latency_row("request sent → listed on the open queue page", shown, ref))
    print(f"\nGoal (issue 16): under 1 s at p95: {'met' if pct(shown, 95) < 1.0 else 'NOT met'}.")


if __name__ == "__main__":
    main()
