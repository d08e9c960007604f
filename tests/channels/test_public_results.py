"""The public 好差评 page (channels/public_results/, bot/analytics/published.py) over real HTTP.

The channel's blueprint is registered on a Sanic app the way Rasa registers input channels
(rasa.core.channels.channel.register), so it answers at /evaluation/ as on the residents'
server. Ratings are made relative to now, because the page counts the last 30 days and
this year up to today:

  sbk-apply: 非常满意 ×2, 满意, 基本满意, 不满意 closed the day after (on time),
             非常不满意 still open 20 days later (due, late); a 非常不满意 set aside on appeal;
  elderly-allowance: 不满意 made now, its follow-up not due yet; 满意 60 days ago (this year
             unless today is in the first 60 days of the year, not the last 30 days).
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.analytics.published import published
from bot.evaluation import appeals, followups, ratings
from bot.evaluation.clock import utcnow
from bot.evaluation.followups import FollowUpStatus, Revisit
from bot.evaluation.invitations import Context, subject_of
from bot.evaluation.levels import Level, PoorReason
from bot.workdays import local_date
from channels.public_results.channel import CACHE_S, PublicResultsInput, period_days
from tests.support.server_thread import ServerThread, free_port

PHONE, ID_NUMBER = "13912345678", "340202199001011234"
SECRET_CONVERSATION = "web:publicresults"


def _rate(db, n: int, service: str, level: Level, days_ago: float, channel: str = "webchat"):
    now = utcnow() - timedelta(days=days_ago)
    conversation = f"{SECRET_CONVERSATION}{n:02d}"
    ratings.invite(db, conversation_id=conversation, subject=subject_of(Context.ANSWER, service), channel=channel,
                   service_id=service, district="镜湖区", now=now)
    rated = ratings.rate(db, conversation_id=conversation, level=level, now=now)
    if level.is_poor:
        ratings.give_reason(db, rating_id=rated.id, conversation_id=conversation, reason=PoorReason.OTHER,
                            text=f"打我电话 {PHONE}，身份证 {ID_NUMBER}")
    return rated


def _close(db, rating_id: int, days_ago: float) -> None:
    [view] = [v for v in followups.listing(db, limit=100) if v.rating.id == rating_id]
    at = utcnow() - timedelta(days=days_ago)
    followups.advance(db, followup_id=view.id, actor="wang", seen=FollowUpStatus.VERIFYING,
                      to=FollowUpStatus.REVISITED, note=f"已回访，居民电话 {PHONE}", revisit=Revisit(True, True),
                      now=at)
    followups.advance(db, followup_id=view.id, actor="wang", seen=FollowUpStatus.REVISITED,
                      to=FollowUpStatus.CLOSED, note="办结", now=at)


@pytest.fixture()
def rated(sessions, keys):
    for n, level in enumerate((Level.VERY_SATISFIED, Level.VERY_SATISFIED, Level.SATISFIED,
                               Level.BASICALLY_SATISFIED)):
        _rate(sessions, n, "sbk-apply", level, days_ago=10)
    _close(sessions, _rate(sessions, 4, "sbk-apply", Level.DISSATISFIED, days_ago=20).id, days_ago=19)
    _rate(sessions, 5, "sbk-apply", Level.VERY_DISSATISFIED, days_ago=20)
    set_aside = _rate(sessions, 6, "sbk-apply", Level.VERY_DISSATISFIED, days_ago=5)
    appeal = appeals.request_appeal(sessions, rating_id=set_aside.id, requested_by="zhang", reason="恶意差评")
    appeals.decide(sessions, appeal_id=appeal.id, decided_by="admin", approve=True, note="属实")
    _rate(sessions, 7, "elderly-allowance", Level.DISSATISFIED, days_ago=0)
    _rate(sessions, 8, "elderly-allowance", Level.SATISFIED, days_ago=60, channel="wechat")
    return sessions


def test_results_per_service_and_department(rated):
    today = local_date(utcnow())
    start, end = period_days("30d", today)
    data = published(rated, start=start, end=end, today=today)
    by_service = {r.key: r for r in data.by_service}
    sbk = by_service["sbk-apply"]
    assert sbk.levels == {5: 2, 4: 1, 3: 1, 2: 1, 1: 1}  # the set-aside 非常不满意 is not counted
    assert (sbk.total, sbk.poor, sbk.satisfaction) == (6, 2, pytest.approx(4 / 6))
    assert (sbk.followups_on_time, sbk.followups_due) == (1, 2)  # closed on time; open past its deadline
    elderly = by_service["elderly-allowance"]
    assert (elderly.total, elderly.poor, elderly.followups_due) == (1, 1, 0)  # not due yet
    departments = {r.key: r.total for r in data.by_department}
    assert departments == {"市人力资源和社会保障局": 6, "市民政局": 1}
    assert (data.overall.total, data.overall.followups_on_time, data.overall.followups_due) == (7, 1, 2)
    year = published(rated, start=today.replace(month=1, day=1), end=today, today=today)
    assert year.overall.total == (8 if today.timetuple().tm_yday > 60 else 7)


@pytest.fixture()
def served(rated, db_url):
    clock = {"now": 1000.0}
    channel = PublicResultsInput(db_url, clock=lambda: clock["now"])
    app = Sanic(f"public_results_{free_port()}")
    register([channel], app, "/webhooks/")  # as Rasa registers its input channels
    server = ServerThread(app, free_port())
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}", clock
    finally:
        server.stop()


def _text(html: str) -> str:
    """What a reader sees, with runs of white space as one space."""
    return " ".join(re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S).split())


def test_the_page_is_public_chinese_and_strict(served):
    base, _ = served
    response = requests.get(base + "/evaluation/", timeout=10)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == f"public, max-age={int(CACHE_S)}"
    assert "Set-Cookie" not in response.headers
    html = response.text
    assert '<html lang="zh-CN">' in html and 'name="viewport"' in html
    assert "<script" not in html and "style=" not in html and "<form" not in html
    text = _text(html)
    sbk = text[text.index("社会保障卡申领"):]
    assert sbk.startswith("社会保障卡申领 满意率 66.7% · 评价 6 次 · 差评 2 次 · 差评按时整改 1/2")
    assert "非常满意 2" in sbk and "非常不满意 1" in sbk
    assert "高龄津贴申领" in text and "差评整改：暂无到期" in text
    assert "市人力资源和社会保障局" in text and "按部门" in text and "满意率" in text


def test_the_page_shows_no_personal_data(served):
    base, _ = served
    for period in ("30d", "year"):
        html = requests.get(f"{base}/evaluation/?p={period}", timeout=10).text
        assert PHONE not in html and ID_NUMBER not in html and "****" not in html  # not even masked
        assert SECRET_CONVERSATION not in html and "web:" not in html
        assert "打我电话" not in html and "已回访" not in html and "恶意差评" not in html and "属实" not in html
        assert "wang" not in html and "zhang" not in html and "admin" not in html
        assert not re.search(r"\d{11}", _text(html))


def test_periods_and_an_unknown_period(served):
    base, _ = served
    recent = _text(requests.get(base + "/evaluation/", timeout=10).text)
    year = _text(requests.get(base + "/evaluation/?p=year", timeout=10).text)
    odd = requests.get(base + "/evaluation/?p=<script>", timeout=10)
    assert odd.status_code == 200 and "<script>" not in odd.text and _text(odd.text) == recent
    today = local_date(utcnow())
    assert f"统计时间：{today.replace(month=1, day=1)} 至 {today}" in year
    assert f"统计时间：{today - timedelta(days=29)} 至 {today}" in recent
    if today.timetuple().tm_yday > 60:  # the rating 60 days ago is this year's
        assert "评价次数 8" in year and "评价次数 7" in recent


def test_the_page_is_computed_once_a_minute(served, rated):
    base, clock = served
    first = requests.get(base + "/evaluation/", timeout=10).text
    _rate(rated, 9, "sbk-apply", Level.VERY_SATISFIED, days_ago=1)
    assert requests.get(base + "/evaluation/", timeout=10).text == first  # within the minute: the kept page
    clock["now"] += CACHE_S + 1
    later = _text(requests.get(base + "/evaluation/", timeout=10).text)
    assert "评价次数 8" in later and "评价 7 次" in later


def test_without_a_trailing_slash_it_redirects(served):
    base, _ = served
    response = requests.get(base + "/evaluation", timeout=10, allow_redirects=False)
    assert response.status_code in (301, 302) and response.headers["Location"] == "/evaluation/"
