"""差评回访 over real HTTP: the list, one follow-up's whole path, 回访 fields, stale forms, scoping.

One console for the module (tests/support/ratings.py); each test makes its own follow-ups,
and the list test uses a department no other test rates.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.evaluation import followups
from bot.evaluation.clock import utcnow
from bot.evaluation.levels import Level, PoorReason
from console.auth import audit
from console.followups import texts
from tests.support.console_web import csrf_of, get, logged_in, post, visible_text
from tests.support.ratings import PHONE, followup_console, poor_rating


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    with followup_console(tmp_path_factory.mktemp("followups")) as console:
        console.browsers = {}
        yield console


def browser(desk, name: str):
    """A signed-in session of `name` (kept for the module) and a fresh CSRF token."""
    if name not in desk.browsers:
        desk.browsers[name] = logged_in(desk.base, name)
    http = desk.browsers[name]
    return http, csrf_of(get(http, desk.base + "/password").text)


def status_of(desk, followup_id: int) -> str:
    return followups.get(desk.db, followup_id=followup_id)[0].status


def advance(desk, name: str, followup_id: int, **form: str):
    http, csrf = browser(desk, name)
    return post(http, f"{desk.base}/followups/{followup_id}/advance", {**form, "csrf": csrf})


def test_the_whole_path_through_the_pages(desk):
    fid = poor_rating(desk.db, reference="SQ20261201001")
    http, _ = browser(desk, "reviewer")
    page = get(http, f"{desk.base}/followups/{fid}")
    assert page.status_code == 200
    text = visible_text(page.text)
    for shown in ("不满意", "高龄津贴申领", "微信公众号", "镜湖区", "其他：窗口电话", "SQ20261201001", "待核实",
                  "市民政局"):
        assert shown in text, shown
    assert PHONE not in page.text
    # From 待核实: 整改中, or straight to 已回访 when nothing needed putting right; never 办结.
    assert 'name="to" value="rectifying"' in page.text and 'name="to" value="revisited"' in page.text
    assert 'name="to" value="closed"' not in page.text

    moved = advance(desk, "reviewer", fid, seen="verifying", to="rectifying", note="材料清单已更正")
    assert moved.status_code == 303 and moved.headers["Location"] == f"/followups/{fid}?done=rectifying"
    page = get(http, desk.base + moved.headers["Location"]).text
    assert texts.DONE["rectifying"] in page and "待核实 → 整改中" in page and "材料清单已更正" in page

    revisit = {"seen": "rectifying", "to": "revisited", "note": f"电话{PHONE}回访，居民表示满意"}
    for missing in ({}, {"reached": "yes"}, {"satisfied": "no"}, {"reached": "maybe", "satisfied": "yes"}):
        refused = advance(desk, "reviewer", fid, **revisit, **missing)
        assert refused.status_code == 400 and texts.REVISIT_REQUIRED in refused.text
        assert PHONE not in refused.text and "138****5678" in refused.text  # what was typed comes back, masked
        assert status_of(desk, fid) == "rectifying"
    refused = advance(desk, "reviewer", fid, **{**revisit, "note": "  "}, reached="yes", satisfied="yes")
    assert refused.status_code == 400 and texts.REVISIT_REQUIRED in refused.text

    assert advance(desk, "reviewer", fid, **revisit, reached="yes", satisfied="no").status_code == 303
    view, _ = followups.get(desk.db, followup_id=fid)
    assert (view.status, view.revisit_reached, view.revisit_satisfied) == ("revisited", True, False)
    page = get(http, f"{desk.base}/followups/{fid}").text
    assert re.search(r"是否联系到居民</th><td>是</td>", page) and re.search(r"居民是否满意</th><td>否</td>", page)
    assert PHONE not in page

    assert advance(desk, "admin", fid, seen="revisited", to="closed", note="已办结").status_code == 303
    page = get(http, f"{desk.base}/followups/{fid}").text
    assert "这条差评回访已办结" in page and 'name="to"' not in page
    trail = [(s.actor, s.from_status, s.to_status) for s in followups.get(desk.db, followup_id=fid)[1]]
    assert trail == [("系统", None, "verifying"), ("reviewer", "verifying", "rectifying"),
                     ("reviewer", "rectifying", "revisited"), ("admin", "revisited", "closed")]

    entries = [r for r in audit.recent(desk.db, 1000) if r.action == "followup_advance"
               and r.detail.get("followup") == fid]
    assert [(r.username, r.detail["to_status"]) for r in reversed(entries)] == [
        ("reviewer", "rectifying"), ("reviewer", "revisited"), ("admin", "closed")]
    revisited = next(r for r in entries if r.detail["to_status"] == "revisited")
    assert revisited.detail["reached"] is True and revisited.detail["satisfied"] is False
    assert PHONE not in str(revisited.detail) and "138****5678" in revisited.detail["note"]
    log = get(browser(desk, "admin")[0], desk.base + "/audit?action=followup_advance").text
    assert "办理差评回访" in log and "原状态：整改中；新状态：已回访" in log and PHONE not in log


def test_straight_from_verification_to_the_revisit(desk):
    fid = poor_rating(desk.db, level=Level.VERY_DISSATISFIED, reason=PoorReason.TOO_COMPLEX, text=None)
    moved = advance(desk, "reviewer", fid, seen="verifying", to="revisited", note="核实后材料说明无误，已向居民解释",
                    reached="no", satisfied="no")
    assert moved.status_code == 303
    view, steps = followups.get(desk.db, followup_id=fid)
    assert (view.status, view.revisit_reached) == ("revisited", False)
    assert steps[-1].note == "核实后材料说明无误，已向居民解释"


def test_a_stale_form_gets_a_polite_message_not_an_error(desk):
    fid = poor_rating(desk.db)
    # Both pages show 待核实; the reviewer submits first.
    assert advance(desk, "reviewer", fid, seen="verifying", to="rectifying", note="甲先处理").status_code == 303
    late = advance(desk, "admin", fid, seen="verifying", to="rectifying", note="乙的说明")
    assert late.status_code == 409 and texts.STALE in late.text
    assert "乙的说明" in late.text  # what they typed is not lost
    assert re.search(r"状态</th><td>整改中</td>", late.text)
    assert 'name="seen" value="rectifying"' in late.text  # the forms are fresh now
    _, steps = followups.get(desk.db, followup_id=fid)
    assert [s.note for s in steps[1:]] == ["甲先处理"]


@pytest.mark.parametrize(("form", "message"), [
    ({"seen": "verifying", "to": "closed", "note": "跳过"}, texts.BAD_STEP),
    ({"seen": "done", "to": "closed", "note": "x"}, texts.BAD_STEP),
    ({"seen": "verifying", "to": "rectifying", "note": ""}, texts.NOTE_REQUIRED),
    ({"seen": "verifying", "to": "rectifying", "note": "长" * 501}, texts.NOTE_REQUIRED),
])
def test_steps_the_page_does_not_offer_are_refused(desk, form, message):
    fid = poor_rating(desk.db)
    refused = advance(desk, "reviewer", fid, **form)
    assert refused.status_code == 400 and message in refused.text
    assert status_of(desk, fid) == "verifying"


def test_a_member_of_a_department_sees_and_moves_only_its_follow_ups(desk):
    ours = poor_rating(desk.db, service_id="elderly-allowance")  # 市民政局
    theirs = poor_rating(desk.db, service_id="idcard")  # 市公安局
    http, csrf = browser(desk, "minzheng")
    listing = get(http, desk.base + "/followups?department=市公安局").text
    assert f'href="/followups/{ours}"' in listing and f'href="/followups/{theirs}"' not in listing
    assert "您的账号属于市民政局" in listing and 'name="department"' not in listing

    for response in (get(http, f"{desk.base}/followups/{theirs}"),
                     post(http, f"{desk.base}/followups/{theirs}/advance",
                          {"seen": "verifying", "to": "rectifying", "note": "越权", "csrf": csrf}),
                     post(http, f"{desk.base}/followups/{theirs}/appeal", {"reason": "越权", "csrf": csrf})):
        assert response.status_code == 404 and texts.FOLLOWUP_MISSING in response.text
        assert "居民身份证申领换领" not in response.text
    assert status_of(desk, theirs) == "verifying"
    assert get(http, f"{desk.base}/followups/{ours}").status_code == 200
    assert get(http, f"{desk.base}/followups/999999").status_code == 404

    # Without a department, and as an admin whatever the account says, every department's.
    for name in ("reviewer", "admin2"):  # admin2's account says 市公安局
        http, _ = browser(desk, name)
        assert f'href="/followups/{ours}"' in get(http, desk.base + "/followups?department=市民政局").text
        assert f'href="/followups/{theirs}"' in get(http, desk.base + "/followups?department=市公安局").text
        assert get(http, f"{desk.base}/followups/{ours}").status_code == 200


def test_the_list_counts_marks_overdue_filters_and_pages(desk):
    long_ago = utcnow() - timedelta(days=30)
    late = [poor_rating(desk.db, service_id="hf-rent", now=long_ago) for _ in range(3)]
    recent = [poor_rating(desk.db, service_id="hf-buy") for _ in range(22)]
    assert advance(desk, "gjj", recent[0], seen="verifying", to="rectifying", note="整改").status_code == 303
    http, _ = browser(desk, "gjj")

    first = get(http, desk.base + "/followups")
    assert first.status_code == 200
    counts = visible_text(re.search(r'<p class="card" aria-label="各状态数量">.*?</p>', first.text).group(0))
    assert re.sub(r"\s+", "", counts) == "待核实24·整改中1·已回访0·办结0·已超期3"
    assert "共 25 条" in first.text and "第 1 / 2 页" in first.text
    rows = re.findall(r"<tr( class=\"worse\")?><td class=\"nowrap\"><a href=\"/followups/(\d+)\"", first.text)
    assert len(rows) == 20
    assert [int(i) for marked, i in rows if marked] == late  # overdue first, each marked
    due = followups.get(desk.db, followup_id=late[0])[0].due_on.isoformat()
    assert f"{due}</span> <strong class=\"nowrap\">已超期</strong>" in first.text
    assert first.text.count("已超期</strong>") == 3

    second = get(http, desk.base + "/followups?page=2").text
    assert "第 2 / 2 页" in second and len(re.findall(r'<a href="/followups/\d+">', second)) == 5
    overdue = get(http, desk.base + "/followups?overdue=1").text
    assert sorted(int(i) for i in re.findall(r'<a href="/followups/(\d+)">', overdue)) == late
    rectifying = get(http, desk.base + "/followups?status=rectifying").text
    assert re.findall(r'<a href="/followups/(\d+)">', rectifying) == [str(recent[0])]
    assert "共 0 条" in get(http, desk.base + "/followups?status=closed").text


def test_the_nav_links_follow_the_permissions(desk):
    reviewer = get(browser(desk, "reviewer")[0], desk.base + "/followups").text
    assert 'href="/followups">差评回访' in reviewer and 'href="/appeals"' not in reviewer
    admin = get(browser(desk, "admin")[0], desk.base + "/followups").text
    assert 'href="/followups">差评回访' in admin and 'href="/appeals">申诉复核' in admin


def test_an_admin_sets_a_department_from_the_catalogue(desk):
    http, csrf = browser(desk, "admin")
    page = get(http, desk.base + "/users").text
    assert '<option value="市民政局">' in page and '<option value="市政务服务管理局">' in page
    refused = post(http, desk.base + "/users/department", {"username": "trainer", "department": "不存在的局",
                                                          "csrf": csrf})
    assert refused.status_code == 400 and "没有“不存在的局”这个部门" in refused.text
    done = post(http, desk.base + "/users/department", {"username": "trainer", "department": "市公安局", "csrf": csrf})
    assert done.status_code == 303
    page = get(http, desk.base + "/users?done=department&user=trainer").text
    assert "已修改账号 trainer 的所属部门" in page
    entry = audit.recent(desk.db, 1)[0]
    assert (entry.action, entry.detail["username"], entry.detail["department"]) == ("user.department", "trainer",
                                                                                   "市公安局")
    ours = poor_rating(desk.db, service_id="elderly-allowance")
    trainer = logged_in(desk.base, "trainer")
    assert get(trainer, f"{desk.base}/followups/{ours}").status_code == 404  # 市公安局 now
    assert post(http, desk.base + "/users/department", {"username": "trainer", "department": "",
                                                        "csrf": csrf}).status_code == 303
    assert get(trainer, f"{desk.base}/followups/{ours}").status_code == 200  # every department again

