"""Service analytics at city scale: 100,000 generated conversations through the worker, then every dashboard view.

In a temporary folder: a database with the real catalogue, and the SQL event broker's file
(bot/analytics/broker.py). Conversations (bench/analytics_events.py: greetings, service and
FAQ answers, fallbacks, 转人工, guided flows submitted or left, over the last 60 days, 12 % of
those with a service rated) are written into the broker's table in batches, then the analytics
worker drains it exactly as `python -m bot analytics` does (SqlSource → worker.run_once, one
transaction per batch of 2,000 events); the clock runs only while the worker works. Then each
view function of the dashboard (bot/analytics/report.py, trends.py), the whole of its data
(console/web/dashboard_query.gather), the rendered /dashboard page and its CSV over HTTP from
a real console process, and the public page's figures (bot/analytics/published.py) are timed
`--runs` times each, over the whole 60 days (all the conversations: the slowest case) unless the
row says otherwise.

This is done twice: at the reference size (`--reference`, 10,000) and after adding the rest up to
`--conversations` (100,000). The table shows p50/p95 at both sizes, the ratio between them, and
each view's p50 ÷ a plain ``SELECT count(*)`` over the sessions table at full size. Goals (issue
17): the worker keeps up with 100 turns/s; each view answers in under 1 s.

    python bench/analytics_scale.py [--conversations 100000] [--reference 10000] [--runs 7]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for bot when run as a script

import requests  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bench.analytics_events import Generator, Rated, rated, seed_ratings  # noqa: E402
from bench.common import catalogue_database, pct  # noqa: E402
from bot.analytics import report, response_times, trends, worker  # noqa: E402
from bot.analytics.models import AnalyticsSession  # noqa: E402
from bot.analytics.published import published  # noqa: E402
from bot.analytics.report import Filters  # noqa: E402
from bot.analytics.sources import BROKER_EVENTS, SqlSource  # noqa: E402
from bot.catalogue.models import District, Service  # noqa: E402
from bot.config import PROJECT_ROOT  # noqa: E402
from bot.stack import free_port, wait_http  # noqa: E402
from console import timefmt  # noqa: E402
from console.database import open_database  # noqa: E402
from console.web.dashboard_query import DashboardQuery, gather  # noqa: E402

DAYS = 60
BATCH_CONVERSATIONS = 1000
PASSWORD = "bench-password-0123"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Fill:
    """Writes generated conversations into the broker's table and has the worker apply them."""

    def __init__(self, sessions: Any, events_db: Path, generator: Generator) -> None:
        self.sessions, self.generator = sessions, generator
        self.source = SqlSource(str(events_db), idle_wait_s=0)
        self.made = 0
        self.rated: list[Rated] = []
        self.rng = random.Random(99)

    def _publish(self, count: int) -> tuple[int, int]:
        """Rows as LocalEventBroker.publish_many writes them (sender_id, the event as JSON)."""
        turns = 0
        rows: list[dict[str, Any]] = []
        for _ in range(count):
            conversation = self.generator.conversation(self.made)
            self.made += 1
            turns += conversation.turns
            rows += [{"sender_id": conversation.conversation_id,
                      "data": json.dumps({"sender_id": conversation.conversation_id, **e})}
                     for e in conversation.events]
            if (picked := rated(conversation, self.rng)) is not None:
                self.rated.append(picked)
        with self.source.engine.begin() as connection:
            connection.execute(insert(BROKER_EVENTS), rows)
        return turns, len(rows)

    async def _drain(self) -> int:
        applied = 0
        while (n := await worker.run_once(self.sessions, self.source)):
            applied += n
        return applied

    def run(self, count: int) -> dict[str, float]:
        """Add `count` conversations; turns, events and the worker's seconds."""
        turns = events = 0
        worker_s = 0.0
        for first in range(0, count, BATCH_CONVERSATIONS):
            t, e = self._publish(min(BATCH_CONVERSATIONS, count - first))
            turns, events = turns + t, events + e
            started = time.perf_counter()
            applied = asyncio.run(self._drain())
            worker_s += time.perf_counter() - started
            assert applied == e, (applied, e)
            if (first // BATCH_CONVERSATIONS) % 10 == 9:
                log(f"  {self.made:,} conversations, worker {turns / worker_s:.0f} turns/s")
        return {"conversations": count, "turns": turns, "events": events, "worker_s": worker_s}


class Console:
    """The staff console as `make run` starts it, on the bench's database; a reviewer signed in."""

    def __init__(self, url: str, folder: Path) -> None:
        from console.auth import accounts

        accounts.create_user(open_database(url), "bench.reviewer", PASSWORD, "reviewer")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "console.log"
        env = {**os.environ, "GOV_DATABASE_URL": url, "CONSOLE_DEV": "1", "CONSOLE_PORT": str(self.port),
               "TRACKER_DB": str(folder / "tracker.db"), "GOV_VAR_DIR": str(folder),
               "PYTHONPATH": str(PROJECT_ROOT)}
        with self.log_path.open("w") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "console.web.server"], cwd=PROJECT_ROOT, env=env,
                                         stdout=out, stderr=subprocess.STDOUT)
        wait_http(self.base + "/login", self.proc, self.log_path, seconds=120)
        self.http = requests.Session()
        form = self.http.get(self.base + "/login", timeout=10).text
        token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        signed = self.http.post(self.base + "/login", allow_redirects=False, timeout=30,
                                data={"form_token": token, "username": "bench.reviewer", "password": PASSWORD})
        assert signed.status_code == 303, signed.text[:300]

    def get(self, path: str) -> Callable[[], Any]:
        def fetch() -> None:
            response = self.http.get(self.base + path, timeout=60)
            assert response.status_code == 200, response.text[:300]
        return fetch

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def _all_medians(times: response_times.ResponseTimes) -> list[Any]:
    return [times.median(), times.by_period("day"), *(times.by(d) for d in report.DIMENSIONS)]


def views(db: Any, filters: Filters, console: Console) -> dict[str, Callable[[], Any]]:
    today = filters.end
    query = f"from={filters.start}&to={filters.end}"

    def count_sessions() -> int:
        with db() as session:
            return int(session.scalar(select(func.count()).select_from(AnalyticsSession)) or 0)

    found: dict[str, Callable[[], Any]] = {"SELECT count(*) FROM analytics_sessions (reference)": count_sessions,
                                           "overview": lambda: report.overview(db, filters, today=today)}
    for grain in ("day", "week", "month"):
        found[f"series ({grain})"] = lambda g=grain: report.series(db, filters, g)  # type: ignore[misc]
    found["series (week) as the page reads it: days rolled up"] = lambda: trends.roll_up(
        report.series(db, filters, "day"), "week")
    for dimension in report.DIMENSIONS:
        found[f"by_dimension ({dimension})"] = lambda d=dimension: report.by_dimension(db, filters, d)  # type: ignore[misc]
    found["drop_off"] = lambda: report.drop_off(db, filters)
    found["ratings per day (trends)"] = lambda: trends.rating_series(db, filters, "day")
    found["response times per day (response_times.load)"] = lambda: response_times.load(db, filters)
    found["response times per day and per service (as the page opens)"] = lambda: response_times.load(
        db, filters, ["service"])
    found["every median, every dimension (as the CSV reads them)"] = lambda: _all_medians(
        response_times.load(db, filters, report.DIMENSIONS))
    found["ratings by service (trends)"] = lambda: trends.ratings_by(db, filters, "service")
    found["follow-ups by department (trends)"] = lambda: trends.followups_by(db, filters, "department", today=today)
    whole = DashboardQuery(days=None, start=filters.start, end=filters.end)
    found["the page's data (gather: figures, trends, the service table)"] = lambda: gather(db, whole, today)
    found["the CSV's data (gather with all four tables)"] = lambda: gather(db, whole, today, report.DIMENSIONS)
    found["/dashboard over HTTP, as it opens (last 30 days)"] = console.get("/dashboard")
    found["/dashboard over HTTP, all 60 days"] = console.get("/dashboard?" + query)
    found["/dashboard over HTTP, all 60 days, by department"] = console.get(f"/dashboard?{query}&by=department")
    found["/dashboard over HTTP, all 60 days by month, WeChat"] = console.get(
        f"/dashboard?{query}&grain=month&channel=wechat")
    found["/dashboard.csv over HTTP, all 60 days"] = console.get("/dashboard.csv?" + query)
    found["public page figures, 30 days"] = lambda: published(db, start=today - timedelta(days=29), end=today,
                                                              today=today)
    found["public page figures, this year"] = lambda: published(db, start=today.replace(month=1, day=1), end=today,
                                                                today=today)
    return found


def timed(work: Callable[[], Any], runs: int) -> list[float]:
    work()  # warm caches (SQLite pages, imports) once, as a page in use is
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        out.append((time.perf_counter() - started) * 1000)
    return out


def print_tables(fills: list[dict[str, float]], times: list[dict[str, list[float]]], sizes: list[int],
                 runs: int) -> None:
    print("\nWorker (broker table → SqlSource → worker.run_once), per phase:\n")
    print("| conversations added | turns | events | worker s | turns/s | events/s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for fill in fills:
        print(f"| {fill['conversations']:,.0f} | {fill['turns']:,.0f} | {fill['events']:,.0f} | {fill['worker_s']:.1f} "
              f"| {fill['turns'] / fill['worker_s']:.0f} | {fill['events'] / fill['worker_s']:.0f} |")
    small, large = times
    base = pct(large[next(iter(large))], 50)
    print(f"\nViews over all {DAYS} days, {runs} runs each after one warm-up, milliseconds:\n")
    print(f"| view | {sizes[0]:,}: p50 | p95 | {sizes[1]:,}: p50 | p95 | p50 ratio {sizes[1]:,} ÷ {sizes[0]:,} "
          f"| p50 ÷ count(*) at {sizes[1]:,} |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in large:
        a50, a95, b50, b95 = pct(small[name], 50), pct(small[name], 95), pct(large[name], 50), pct(large[name], 95)
        print(f"| {name} | {a50:.1f} | {a95:.1f} | {b50:.1f} | {b95:.1f} | {b50 / a50:.2f} | {b50 / base:.1f} |")
    load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\n- {os.cpu_count()} cores; load average at the end (1 / 5 / 15 min): {load} "
          "(other work on the machine counts)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--reference", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="an empty folder to keep the databases in (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="analytics-scale-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url = catalogue_database(folder)
        db = open_database(url)
        with db() as session:
            departments = dict(session.execute(select(Service.id, Service.department)).all())
            districts = list(session.scalars(select(District.name)))
        today = timefmt.local_today()
        generator = Generator(sorted(departments), districts, last_day=today, days=DAYS)
        fill = Fill(db, folder / "events.db", generator)
        filters = Filters(today - timedelta(days=DAYS - 1), today)
        console = Console(url, folder)
        try:
            fills, times = [], []
            for size in (args.reference, args.conversations):
                log(f"filling up to {size:,} conversations …")
                fills.append(fill.run(size - fill.made))
                seed_ratings(db, fill.rated, departments, today)
                log(f"  {len(fill.rated):,} ratings written; timing the views …")
                fill.rated = []
                times.append({name: timed(work, args.runs) for name, work in views(db, filters, console).items()})
        finally:
            console.stop()
        print_tables(fills, times, [args.reference, args.conversations], args.runs)


if __name__ == "__main__":
    main()
