"""Submitting confirmed flows: a booking made at any hour of the Wuhu night books the day offered."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.appointments import calendar
from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from bot.flows import engine
from bot.flows.context import flow_context
from bot.flows.submission import submit


@pytest.fixture()
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    load_catalogue(session_factory(url), PROJECT_ROOT / "data" / "catalogue")
    monkeypatch.setenv("GOV_DATABASE_URL", url)
    return url


def book_by_tapping(ctx):
    """我要预约 → 1 → 1 → the first offered day → the first slot → name → phone → 确认."""
    flow = ctx.build("appointment")
    state = engine.start(flow).state
    for answer in ("1", "1", "1", "1", "张伟", "13812345678", "1"):
        outcome = engine.handle(flow, state, answer)
        state = outcome.state
    assert outcome.finished
    return state


# 00:30 in Wuhu is 16:30 UTC the day before: the server's date.today() was a day behind.
@pytest.mark.parametrize("moment, wuhu_day", [
    (datetime(2026, 12, 7, 16, 30, tzinfo=timezone.utc), date(2026, 12, 8)),  # 00:30 Tuesday
    (datetime(2026, 12, 8, 15, 30, tzinfo=timezone.utc), date(2026, 12, 8)),  # 23:30 Tuesday
])
def test_the_first_offered_day_can_be_booked_at_any_hour(database, monkeypatch, moment, wuhu_day):
    monkeypatch.setattr(calendar, "now", lambda: moment)  # the one clock everything reads
    ctx = flow_context()
    assert ctx.today == wuhu_day
    state = book_by_tapping(ctx)
    assert state["values"]["day"] == (wuhu_day + timedelta(days=1)).isoformat()
    result = submit(ctx, {**state, "instance": "night"}, "night-owl")
    assert result.reopened is None, result.text
    assert result.text.startswith("预约成功") and "12月9日（周三）" in result.text


def test_the_booking_reply_names_the_hall_and_its_address(database, monkeypatch):
    monkeypatch.setattr(calendar, "now", lambda: datetime(2026, 12, 8, 2, 0, tzinfo=timezone.utc))
    ctx = flow_context()
    result = submit(ctx, {**book_by_tapping(ctx), "instance": "hall"}, "resident")
    assert "地点：镜湖区政务服务中心（芜湖市镜湖区九华中路168号）" in result.text
