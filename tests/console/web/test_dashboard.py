"""服务分析 over real HTTP: the figures are report.py's, the CSV carries no personal data, the page
is drawn without a script, and bad filters are refused politely.

The data is the hand-computed fixture of tests/analytics/test_report.py (tests/support/analytics.py):
3 sessions from 1 to 7 December 2026, 2 ratings counted and one set aside.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from urllib.parse import urlencode

import pytest

from bot.analytics import report
from bot.analytics.report import Filters
from bot.analytics.store import apply_batch
from bot.evaluation import ratings
from bot.evaluation.levels import PoorReason
from console import timefmt
from console.web.dashboard_export import BOM
from console.web.dashboard_query import DashboardQuery, gather
from tests.analytics.events import T0, answered_conversation, slot
from tests.support.analytics import CONVERSATIONS, PERIOD, load_fixture
from tests.support.console_web import get, logged_in, visible_text

PHONE, ID_NUMBER = "13912345678", "340202199001011234"
QUERY = {"from": PERIOD.start.isoformat(), "to": PERIOD.end.isoformat()}
#: A session in November, outside PERIOD, whose district slot holds a formula and a phone number.
HOSTILE_DISTRICT = f"=HYPERLINK(\"x\") {PHONE}"
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-10"}


@pytest.fixture(scope="module")
def data(console, tmp_path_factory):
    patch = pytest.MonkeyPatch()
    keys = tmp_path_factory.mktemp("keys")
    patch.setenv("GOV_DATA_KEY_FILE", str(keys / "data.key"))
    patch.setenv("GOV_DIGEST_KEY_FILE", str(keys / "digest.key"))
    db = console["db"]
    load_fixture(db)
    poor = ratings.latest_rating(db, conversation_id=CONVERSATIONS[1])
    ratings.give_reason(db, rating_id=poor.id, conversation_id=CONVERSATIONS[1], reason=PoorReason.OTHER,
                        text=f"工作人员让我打 {PHONE}，我身份证 {ID_NUMBER}")
    events = answered_conversation(T0 - 25 * 86400)
    events.insert(-2, slot(T0 - 25 * 86400 + 4.5, "district", HOSTILE_DISTRICT))
    with db.begin() as session:
        apply_batch(session, [("web:novembersecret", e) for e in events])
    yield console
    patch.undo()


def figures(page: str) -> dict[str, str]:
    return dict(re.findall(r'<div class="figure"><span>([^<]+)</span><strong>([^<]+)</strong></div>', page))


def test_the_figures_are_reports(data):
    base, db = data["base"], data["db"]
    page = get(logged_in(base, "reviewer"), base + "/dashboard?" + urlencode(QUERY)).text
    shown = figures(page)
    # By hand (tests/analytics/test_report.py): 3 sessions, 2 resolved, 1 of 14 turns a fallback, 1 hand-off.
    assert (shown["会话数"], shown["解决率"], shown["兜底率"], shown["转人工率"], shown["流程完成率"]) == (
        "3", "66.7%", "7.1%", "33.3%", "0.0%")
    assert (shown["评价数"], shown["评价：满意"], shown["评价：不满意"], shown["评价：非常不满意"]) == (
        "2", "1", "1", "0")
    assert shown["满意率"] == "50.0%" and shown["差评"] == "1"
    today = timefmt.local_today()
    view = report.overview(db, PERIOD, today=today)
    assert (shown["待办跟进"], shown["超期跟进"]) == (str(view.followups_open), str(view.followups_overdue))
    assert shown["响应时间中位数"] == f"{view.median_response_ms:.0f} 毫秒"
    assert 150 <= view.median_response_ms < 250


def _table_after(page: str, heading: str) -> list[list[str]]:
    section = page[page.index(f"<h2>{heading}</h2>"):]
    table = section[:section.index("</table>")]
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]


def test_tables_per_dimension_and_drop_off(data):
    base, db = data["base"], data["db"]
    http = logged_in(base, "reviewer")
    page = get(http, base + "/dashboard?" + urlencode(QUERY)).text
    services = {row[0]: row[1:] for row in _table_after(page, "按服务事项")[1:]}
    assert services["社会保障卡申领"][:2] == ["2", "100.0%"] and services["高龄津贴申领"][:2] == ["1", "0.0%"]
    expected = {key: counts.conversations for key, counts in report.by_dimension(db, PERIOD, "service")}
    assert expected == {"sbk-apply": 2, "elderly-allowance": 1}
    assert "<h2>按渠道</h2>" not in page  # one dimension's table at a time; the others are a link away
    link = re.search(r'<a href="([^"]+)#by">按渠道</a>', page).group(1).replace("&amp;", "&")
    assert link == "/dashboard?" + urlencode({**QUERY, "grain": "day", "by": "channel"})
    channel_page = get(http, base + link).text
    channels = {row[0]: row[1] for row in _table_after(channel_page, "按渠道")[1:]}
    assert channels == {"网页聊天": "2", "微信公众号": "1"}
    assert '<input type="hidden" name="by" value="channel">' in channel_page  # kept when filtering
    district_page = get(http, base + "/dashboard?" + urlencode({**QUERY, "by": "district"})).text
    districts = {row[0]: row[1] for row in _table_after(district_page, "按区县")[1:]}
    assert districts == {"镜湖区": "2", "未知": "1"}
    assert _table_after(page, "办理流程在哪一步流失")[1] == ["高龄津贴申领", "第2步", "1", "100.0%"]
    assert "指标说明" in page and "解决率" in visible_text(page[page.index('id="definitions"'):])


def test_filters_and_grain(data):
    base, db = data["base"], data["db"]
    http = logged_in(base, "reviewer")
    wechat = figures(get(http, base + "/dashboard?" + urlencode({**QUERY, "channel": "wechat"})).text)
    view = report.overview(db, Filters(PERIOD.start, PERIOD.end, channel="wechat"), today=timefmt.local_today())
    assert (wechat["会话数"], wechat["转人工率"], wechat["评价数"]) == ("1", "100.0%", "1")
    assert view.counts.conversations == 1
    page = get(http, base + "/dashboard?" + urlencode({**QUERY, "grain": "week"})).text
    weeks = _table_after(page, "趋势（按周）")
    assert weeks[1][:3] == ["2026-11-30 至 12-06", "2", "50.0%"] and weeks[2][:2] == ["2026-12-07 至 12-13", "1"]
    assert 'value="week" selected' in page
    civil = figures(get(http, base + "/dashboard?" + urlencode({**QUERY, "department": "市民政局"})).text)
    assert (civil["会话数"], civil["待办跟进"]) == ("1", "1")


def test_bad_filters_are_ignored_with_a_message(data):
    base = data["base"]
    response = get(logged_in(base, "reviewer"), base + "/dashboard?grain=year&from=yesterday&service=%3Cscript%3E")
    assert response.status_code == 400
    assert "日期格式应为" in response.text or "统计粒度只能是" in response.text
    assert "<script>" not in response.text and "&lt;script&gt;" in response.text  # the unknown value, escaped
    today = timefmt.local_today()
    assert f"统计时间：{date.fromordinal(today.toordinal() - 29)} 至 {today}" in response.text


def test_the_page_has_no_script_and_no_inline_style(data):
    base = data["base"]
    response = get(logged_in(base, "reviewer"), base + "/dashboard?" + urlencode(QUERY))
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    page = response.text
    assert page.count("<svg") == 4 and "<script" not in page and "style=" not in page
    assert re.search(r"<rect x=\"[\d.]+\" y=\"[\d.]+\" width=\"[\d.]+\" height=\"[\d.]+\" fill=\"#", page)
    assert '<a href="/dashboard">服务分析</a>' in page


def _csv(base: str, query: dict) -> tuple[bytes, list[list[str]]]:
    response = get(logged_in(base, "reviewer"), base + "/dashboard.csv?" + urlencode(query))
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.content.startswith(BOM.encode("utf-8"))
    return response.content, list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_has_the_tables_and_no_personal_data(data):
    base = data["base"]
    raw, rows = _csv(base, QUERY)
    text = raw.decode("utf-8-sig")
    assert rows[0] == ["服务分析"] and rows[1][0] == "统计时间 2026-11-30 至 2026-12-13（北京时间）"
    assert ["会话数", "3"] in rows and ["解决率", "66.7%"] in rows and ["高龄津贴申领", "第2步", "1", "100.0%"] in rows
    for title in ("总览", "趋势（按日）", "按服务事项", "按部门", "按区县", "按渠道", "办理流程在哪一步流失"):
        assert [title] in rows
    for secret in (*CONVERSATIONS, "openid", "web:", "wechat:", PHONE, ID_NUMBER, "工作人员让我打", "恶意", "属实",
                   "zhang", "admin"):
        assert secret not in text, secret
    assert not re.search(r"\d{11}", text)


def test_the_csv_is_formula_safe_and_masks_what_the_data_held(data):
    base = data["base"]
    raw, rows = _csv(base, NOVEMBER)
    district_rows = rows[[i for i, r in enumerate(rows) if r == ["按区县"]][0] + 2]
    assert district_rows[0].startswith("'=HYPERLINK") and PHONE not in raw.decode("utf-8-sig")
    assert "139****5678" in district_rows[0]
    assert "web:novembersecret" not in raw.decode("utf-8-sig")


def test_the_export_is_audited(data):
    from console.auth import audit

    _csv(data["base"], QUERY)
    newest = audit.recent(data["db"], 1)[0]
    assert (newest.username, newest.action) == ("reviewer", "dashboard_export")
    assert "统计时间 2026-11-30 至 2026-12-13" in newest.detail["filters"]


def test_a_number_in_the_data_is_masked_on_the_page_too(data):
    base = data["base"]
    page = get(logged_in(base, "reviewer"), base + "/dashboard?" + urlencode({**NOVEMBER, "by": "district"})).text
    districts = {row[0]: row[1] for row in _table_after(page, "按区县")[1:]}
    # 未知: the open follow-up of a rating with no district (open follow-ups count whatever the period).
    assert districts == {"=HYPERLINK(&quot;x&quot;) 139****5678": "1", "未知": "0"}
    assert PHONE not in page  # nor among the district choices


def test_a_very_long_period_is_cut_to_three_years(data):
    base = data["base"]
    response = get(logged_in(base, "reviewer"), base + "/dashboard?from=1900-01-01&to=2026-12-13&grain=day")
    assert response.status_code == 400 and "一次最多统计 1098 天，已从 2023-12-12 开始统计。" in response.text
    assert "统计时间：2023-12-12 至 2026-12-13" in response.text


def test_each_tables_median_is_the_median_under_that_filter(data):
    db, today = data["db"], timefmt.local_today()
    whole = gather(db, DashboardQuery(days=None, start=PERIOD.start, end=PERIOD.end), today, report.DIMENSIONS)
    for dimension, value in (("service", "sbk-apply"), ("department", "市民政局"), ("district", "镜湖区"),
                             ("channel", "wechat")):
        [row] = [r for r in whole.tables[dimension] if r.key == value]
        alone = report.overview(db, Filters(PERIOD.start, PERIOD.end, **{dimension: value}), today=today)
        assert row.median_ms == alone.median_response_ms and row.median_ms is not None, dimension
    assert whole.overview.median_response_ms == report.overview(db, PERIOD, today=today).median_response_ms
