"""The inbox page over HTTP: 20 groups a page, only the last CONSOLE_INBOX_DAYS days, and a
decision returns the reviewer to the page they were on."""
from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT
from console.auth import passwords
from console.teaching import inbox_store
from console.teaching.inbox import PAGE_SIZE
from tests.support.console_web import SECRET, console_files, csrf_of, get, logged_in, post
from tests.support.server_thread import ServerThread, free_port
from tests.support.tracker_events import act, fallback, start

RECENT = 2 * PAGE_SIZE + 5  # three pages
OLD_PHRASE = "一百天前没听懂的话"


def phrase(i: int) -> str:
    return f"第{i}号没听懂的问题"


def add_conversations(tracker_path: str) -> None:
    """RECENT residents each with one fallback an hour ago, and one resident 100 days ago."""
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=tracker_path)
    now = time.time()
    conversations = {f"recent-{i}": (phrase(i), now - 3600 + i) for i in range(RECENT)}
    conversations["old"] = (OLD_PHRASE, now - 100 * 86400)

    async def save_all() -> None:
        for sender, (text, ts) in conversations.items():
            events = [*start(ts), fallback(text, ts + 1), act("action_default_fallback", ts + 2),
                      act("action_listen", ts + 2)]
            await store.save(DialogueStateTracker.from_events(sender, events, slots=domain.slots))

    asyncio.run(save_all())
    store.engine.dispose()


@pytest.fixture(scope="module")
def paged_console(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    root = tmp_path_factory.mktemp("inbox_pages")
    nlu_dir, domain_path, db_url, _db, tracker = console_files(root)
    add_conversations(str(root / "tracker.db"))

    from console.web.app import create_app
    app = create_app(db_url, tracker, nlu_dir, domain_path, SECRET, secure_cookies=False, inbox_days=90)
    server = ServerThread(app, free_port())
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()
        patch.undo()


def cards(page: str) -> list[str]:
    return re.findall(r'<p class="phrase" id="g\d+">([^<]*)</p>', page)


def test_groups_come_in_pages_and_old_conversations_stay_out(paged_console):
    session = logged_in(paged_console, "reviewer")
    pages = [get(session, f"{paged_console}/inbox?page={n}") for n in (1, 2, 3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    shown = [cards(p.text) for p in pages]
    total = RECENT + 2  # the two residents of console_files, an hour ago
    assert [len(s) for s in shown] == [PAGE_SIZE, PAGE_SIZE, total - 2 * PAGE_SIZE]
    every = [text for s in shown for text in s]
    assert len(set(every)) == total and phrase(0) in every and phrase(RECENT - 1) in every
    assert OLD_PHRASE not in "".join(p.text for p in pages)  # outside the 90-day window
    assert "第 2 / 3 页" in pages[1].text
    assert 'href="/inbox" rel="prev"' in pages[1].text and 'href="/inbox?page=3" rel="next"' in pages[1].text
    assert f"共 {total} 组" in pages[0].text


def test_a_page_number_out_of_range_or_malformed_shows_a_real_page(paged_console):
    session = logged_in(paged_console, "reviewer")
    assert "第 3 / 3 页" in get(session, f"{paged_console}/inbox?page=999").text
    assert "第 1 / 3 页" in get(session, f"{paged_console}/inbox?page=abc").text


def test_a_decision_returns_to_the_same_page(paged_console):
    session = logged_in(paged_console, "reviewer")
    page = get(session, f"{paged_console}/inbox?page=2").text
    text = cards(page)[0]
    response = post(session, f"{paged_console}/inbox/decide",
                    {"csrf": csrf_of(page), "text": text, "action": "dismiss", "back": "page=2", "at": "0"})
    assert response.status_code == 303
    assert re.fullmatch(r"/inbox\?page=2&done=\d+&at=0#notice", response.headers["Location"])
    after = "".join(get(session, f"{paged_console}/inbox?page={n}").text for n in (1, 2, 3))
    assert text not in cards(after)


def test_a_date_filter_does_not_make_the_next_page_read_every_conversation_again(paged_console, monkeypatch):
    """The inbox keeps each conversation it read (inbox_store.py); a view filtered from a later
    day once made it forget the earlier ones, so the next unfiltered page reread and masked them all
    (with 2,000 conversations, 0.6 s instead of 0.1 s: tests/web/test_console_inbox_scale.py)."""
    session = logged_in(paged_console, "reviewer")
    get(session, f"{paged_console}/inbox")  # everything read once
    reread: list[str] = []
    original = inbox_store.find_uncertain
    monkeypatch.setattr(inbox_store, "find_uncertain",
                        lambda sender_id, *args: reread.append(sender_id) or original(sender_id, *args))
    # A day after every conversation here (the messages are an hour old): none of them in it.
    later = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)).isoformat()
    filtered = get(session, f"{paged_console}/inbox?from={later}&to={later}")
    assert "没有符合筛选条件的消息" in filtered.text
    unfiltered = get(session, f"{paged_console}/inbox")
    assert filtered.status_code == unfiltered.status_code == 200
    assert "第 1 / 3 页" in unfiltered.text
    assert reread == []
