"""申诉 over real HTTP: requested on a follow-up, decided by another admin on 申诉复核, audited, masked.

One console for the module (tests/support/ratings.py); each test makes its own follow-ups.
"""
from __future__ import annotations

import re

import pytest

from bot.evaluation import appeals, followups
from console.auth import audit
from console.followups import texts
from tests.support.console_web import csrf_of, get, logged_in, post
from tests.support.ratings import PHONE, REASON_WITH_PHONE, followup_console, poor_rating


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    with followup_console(tmp_path_factory.mktemp("appeals")) as console:
        console.browsers = {}
        yield console


def browser(desk, name: str):
    if name not in desk.browsers:
        desk.browsers[name] = logged_in(desk.base, name)
    http = desk.browsers[name]
    return http, csrf_of(get(http, desk.base + "/password").text)


def request_appeal(desk, name: str, followup_id: int, reason: str):
    http, csrf = browser(desk, name)
    return post(http, f"{desk.base}/followups/{followup_id}/appeal", {"reason": reason, "csrf": csrf})


def decide(desk, name: str, appeal_id: int, decision: str, note: str):
    http, csrf = browser(desk, name)
    return post(http, desk.base + "/appeals/decide",
                {"appeal": str(appeal_id), "decision": decision, "note": note, "csrf": csrf})


def rating_of(desk, followup_id: int) -> int:
    return followups.get(desk.db, followup_id=followup_id)[0].rating.id


def test_an_appeal_requested_then_approved_sets_the_rating_aside_and_closes_the_follow_up(desk):
    fid = poor_rating(desk.db)
    filed = request_appeal(desk, "minzheng", fid, f"居民{PHONE}来电承认误评")
    assert filed.status_code == 303 and filed.headers["Location"] == f"/followups/{fid}?done=appeal"
    http, _ = browser(desk, "minzheng")
    page = get(http, desk.base + filed.headers["Location"]).text
    assert texts.DONE["appeal"] in page and "待复核" in page and "已提交申诉，等待管理员复核" in page
    assert f'action="/followups/{fid}/appeal"' not in page and PHONE not in page
    again = request_appeal(desk, "minzheng", fid, "再申诉一次")
    assert again.status_code == 409 and texts.APPEAL_PENDING in again.text
    (appeal,) = appeals.of_rating(desk.db, rating_id=rating_of(desk, fid))

    admin, _ = browser(desk, "admin")
    queue = get(admin, desk.base + "/appeals")
    assert queue.status_code == 200
    card = re.search(rf'<section class="card" aria-label="申诉 #{appeal.id}">.*?</section>', queue.text, re.S).group(0)
    assert "minzheng" in card and "138****5678" in card and PHONE not in queue.text
    assert f'href="/followups/{fid}"' in card and "高龄津贴申领" in card and 'value="approve"' in card

    refused = decide(desk, "admin", appeal.id, "approve", "")
    assert refused.status_code == 400 and texts.DECISION_REQUIRED in refused.text
    approved = decide(desk, "admin", appeal.id, "approve", "核实属实，同意撤销")
    assert approved.status_code == 303
    assert f"已通过申诉 #{appeal.id}" in get(admin, desk.base + approved.headers["Location"]).text

    view, steps = followups.get(desk.db, followup_id=fid)
    assert view.rating.set_aside and view.status == "closed"
    assert (steps[-1].actor, steps[-1].note) == ("admin", "申诉通过：核实属实，同意撤销")
    page = get(http, f"{desk.base}/followups/{fid}").text
    assert "已通过申诉撤销" in page and "这条差评回访已办结" in page and "已通过" in page
    late = decide(desk, "admin2", appeal.id, "refuse", "晚了一步")
    assert late.status_code == 409 and texts.APPEAL_DECIDED in late.text

    entries = {r.action: r for r in audit.recent(desk.db, 1000) if r.detail and r.detail.get("appeal") == appeal.id}
    assert entries["appeal_request"].username == "minzheng"
    request = entries["appeal_request"].detail
    assert PHONE not in str(request) and "138****5678" in request["reason"]
    assert (entries["appeal_approve"].username, entries["appeal_approve"].detail["rating"]) == ("admin", view.rating.id)
    log = get(admin, desk.base + "/audit").text
    assert "提交差评申诉" in log and "申诉复核：通过" in log and PHONE not in log


def test_the_filer_cannot_decide_their_own_appeal(desk):
    fid = poor_rating(desk.db)
    assert request_appeal(desk, "admin", fid, "恶意差评，同一号码多次刷评").status_code == 303
    (appeal,) = appeals.of_rating(desk.db, rating_id=rating_of(desk, fid))
    queue = get(browser(desk, "admin")[0], desk.base + "/appeals").text
    card = re.search(rf'<section class="card" aria-label="申诉 #{appeal.id}">.*?</section>', queue, re.S).group(0)
    assert texts.OWN_APPEAL in card and "/appeals/decide" not in card

    own = decide(desk, "admin", appeal.id, "approve", "自己批准")
    assert own.status_code == 403 and texts.OWN_APPEAL in own.text
    assert appeals.of_rating(desk.db, rating_id=appeal.rating_id)[0].status == "pending"

    refused = decide(desk, "admin2", appeal.id, "refuse", "理由不足")
    assert refused.status_code == 303
    view, _ = followups.get(desk.db, followup_id=fid)
    assert not view.rating.set_aside and view.status == "verifying"
    assert appeals.of_rating(desk.db, rating_id=appeal.rating_id)[0].status == "refused"
    entry = next(r for r in audit.recent(desk.db, 1000) if r.action == "appeal_refuse")
    assert entry.username == "admin2" and entry.detail["requested_by"] == "admin"
    # Refused: the follow-up goes on, and a new appeal may be filed.
    assert request_appeal(desk, "reviewer", fid, "补充新证据").status_code == 303


def test_bad_decisions_are_refused_politely(desk):
    fid = poor_rating(desk.db)
    assert request_appeal(desk, "reviewer", fid, "误评").status_code == 303
    (appeal,) = appeals.of_rating(desk.db, rating_id=rating_of(desk, fid))
    for form, status, message in (((999999, "approve", "同意"), 404, texts.APPEAL_MISSING),
                                  ((appeal.id, "maybe", "同意"), 400, texts.DECISION_REQUIRED),
                                  ((appeal.id, "refuse", "长" * 501), 400, texts.DECISION_REQUIRED)):
        response = decide(desk, "admin", *form)
        assert response.status_code == status and message in response.text
    assert appeals.of_rating(desk.db, rating_id=appeal.rating_id)[0].status == "pending"
    empty = request_appeal(desk, "reviewer", poor_rating(desk.db), "   ")
    assert empty.status_code == 400 and texts.APPEAL_REASON in empty.text


def test_a_phone_number_in_the_resident_reason_never_appears_on_any_page(desk):
    fid = poor_rating(desk.db, text=REASON_WITH_PHONE)
    assert request_appeal(desk, "reviewer", fid, f"居民留的电话{PHONE}是空号").status_code == 303
    http, csrf = browser(desk, "reviewer")
    refused = post(http, f"{desk.base}/followups/{fid}/advance",
                   {"seen": "verifying", "to": "revisited", "note": f"拨打{PHONE}", "csrf": csrf})
    assert refused.status_code == 400 and PHONE not in refused.text
    for name in ("reviewer", "minzheng", "admin"):
        http, _ = browser(desk, name)
        for path in ("/followups", f"/followups/{fid}", "/followups?status=verifying&overdue=1", "/appeals",
                     "/audit", "/audit/export.csv"):
            response = get(http, desk.base + path)
            assert PHONE not in response.text, (name, path)
    assert "138****5678" in get(browser(desk, "minzheng")[0], f"{desk.base}/followups/{fid}").text
