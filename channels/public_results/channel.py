"""GET /evaluation/ on the residents' server: the 好差评 results, published as the rules ask.

An input channel only so Rasa serves it beside /chat/ (credentials.yml lists it); it reads no
message and sends none. No login, no cookie, no personal data (bot/analytics/published.py
returns counts only). Each period's page is computed off the event loop at most once a
minute (CACHE_S) whatever the traffic, so a crowd reading it costs the database one query a
minute. Headers: a CSP that allows only the page's own stylesheet (no script, no image, no
frame, no form), nosniff, no referrer, and a public 60 s cache for proxies.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta, timezone
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.analytics.published import published
from bot.appointments.calendar import LOCAL_TZ
from bot.evaluation.clock import utcnow
from bot.workdays import local_date
from channels.public_results.page import PERIODS, STYLE_SOURCE, results_page

logger = logging.getLogger(__name__)
CACHE_S = 60.0
HEADERS = {
    "Content-Security-Policy": (f"default-src 'none'; style-src {STYLE_SOURCE}; base-uri 'none'; "
                                "form-action 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": f"public, max-age={int(CACHE_S)}",
}
UNAVAILABLE = ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>好差评结果公开</title>'
               '</head><body><p>结果暂时无法显示，请稍后再试。</p></body></html>')


def period_days(period: str, today: date) -> tuple[date, date]:
    """The last 30 days up to today, or the calendar year so far."""
    if period == "year":
        return today.replace(month=1, day=1), today
    return today - timedelta(days=29), today


class PublicResultsInput(InputChannel):
    """``channels.public_results.PublicResultsInput:`` in credentials.yml; optional ``database_url``."""

    @classmethod
    def name(cls) -> str:
        return "public_results"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls((credentials or {}).get("database_url") or None)

    def __init__(self, database_url: str | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.database_url = database_url
        self.clock = clock
        self._sessions: Any = None
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = asyncio.Lock()

    def url_prefix(self) -> str:
        return "/evaluation"  # urljoin("/webhooks/", "/evaluation") == "/evaluation"

    def _render(self, period: str) -> str:
        from bot.analytics.labels import service_names
        from bot.config import get_settings
        from bot.db import session_factory

        if self._sessions is None:
            self._sessions = session_factory(self.database_url or get_settings().database_url)
        now = utcnow()
        today = local_date(now)
        start, end = period_days(period, today)
        data = published(self._sessions, start=start, end=end, today=today)
        updated = now.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
        return results_page(data, period, service_names(self._sessions), updated)

    async def page(self, period: str) -> str:
        """The period's page, computed at most once per CACHE_S (concurrent readers wait for one computation)."""
        async with self._lock:
            kept = self._cache.get(period)
            if kept is not None and kept[0] > self.clock():
                return kept[1]
            html = await asyncio.to_thread(self._render, period)
            self._cache[period] = (self.clock() + CACHE_S, html)
            return html

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        public = Blueprint("gov_public_results", __name__)
        known = {key for key, _ in PERIODS}

        @public.route("/", methods=["GET", "HEAD"])
        async def results(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                return response.redirect(request.path + "/", headers=HEADERS)
            period = request.args.get("p") or PERIODS[0][0]
            try:
                html = await self.page(period if period in known else PERIODS[0][0])
            except Exception:  # noqa: BLE001 - a database outage shows a polite page, never a trace
                logger.exception("the public results page could not be computed")
                return response.html(UNAVAILABLE, status=503, headers={**HEADERS, "Cache-Control": "no-store"})
            return response.html(html, headers=HEADERS)

        return public
