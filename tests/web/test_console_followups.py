"""差评回访 and 申诉复核 in a real browser at 1366 and 768 px: the pages fit as every console page
must (tests/web/test_console_layout.py's rules), the CSP refuses nothing, and a 回访 can be
filed with the browser's own form checks (the 是/否 choices and the note are required).
"""
from __future__ import annotations

import pytest

from bot.evaluation import appeals, followups
from tests.support.console_browser import sign_in
from tests.support.ratings import followup_console, poor_rating
from tests.web.test_console_layout import SIZES, assert_laid_out

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with followup_console(tmp_path_factory.mktemp("followups_browser")) as served:
        served.followup = poor_rating(served.db, reference="SQ2026120100012")
        poor_rating(served.db, service_id=None)
        appeals.request_appeal(served.db, rating_id=2, requested_by="minzheng", reason="居民来电称误评")
        yield served


@pytest.mark.parametrize("size", SIZES)
def test_the_pages_fit(site, open_desk, size):
    page = open_desk(size)
    sign_in(page, site.base, "admin")
    for path in ("/followups", f"/followups/{site.followup}", "/appeals", "/users"):
        response = page.goto(site.base + path)
        assert response.status == 200, path
        assert_laid_out(page, f"{path} at {size}")


def test_a_revisit_needs_both_answers_and_a_note_before_it_is_sent(site, open_desk):
    page = open_desk()
    sign_in(page, site.base, "reviewer")
    page.goto(f"{site.base}/followups/{site.followup}")
    form = page.locator("form", has=page.locator('input[name="to"][value="revisited"]'))
    form.locator("textarea").fill("核实后材料说明无误，已电话告知居民")
    form.locator("button").click()
    assert page.url == f"{site.base}/followups/{site.followup}"  # the browser kept it: no answers chosen
    assert followups.get(site.db, followup_id=site.followup)[0].status == "verifying"
    form.locator('select[name="reached"]').select_option("yes")
    form.locator('select[name="satisfied"]').select_option("yes")
    form.locator("button").click()
    page.wait_for_url(f"{site.base}/followups/{site.followup}?done=revisited")
    assert "回访已记录" in page.inner_text("main")
    view = followups.get(site.db, followup_id=site.followup)[0]
    assert (view.status, view.revisit_reached, view.revisit_satisfied) == ("revisited", True, True)
