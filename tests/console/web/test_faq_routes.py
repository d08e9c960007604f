"""The 常见问题 (FAQ) page over real HTTP, with the same server and helpers as test_console_app."""
from __future__ import annotations

import re

import requests

from console.auth import audit
from console.teaching.faq import faq_file, list_faqs
from tests.support.console_web import PHRASE, card_of, csrf_of, get, logged_in, nlu_digest, post

XSS_ANSWER = '<script>alert(1)</script>请看"大厅公告"\n第二行 & <b>粗体</b>'


def test_anonymous_is_sent_to_login(console):
    base, anon = console["base"], requests.Session()
    response = get(anon, base + "/faq")
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")
    for path, data in (("/faq/add", {"key": "parking", "examples": "甲\n乙", "answer": "答", "csrf": "x"}),
                       ("/faq/example", {"key": "office_hours", "text": "甲", "csrf": "x"})):
        assert post(anon, base + path, data).status_code == 401


def test_the_page_lists_faqs_and_explains_retraining(console):
    base = console["base"]
    page = get(logged_in(base, "reviewer"), base + "/faq")
    assert page.status_code == 200
    text = page.text
    assert '<a href="/faq">常见问题</a>' in text and text.count("<h1>") == 1
    for faq in list_faqs(console["nlu_dir"]):
        assert f"<code>{faq.key}</code>" in text and f'name="key" value="{faq.key}"' in text
    assert "（示例内容，以窗口最新要求为准）" in text
    assert '<a href="/models">训练与上线</a>' in text and "重新训练" in text
    assert 'action="/faq/add"' in text and '<label for="examples">' in text and "<script" not in text


def test_reviewer_adds_an_faq_and_a_phrasing(console):
    base, nlu_dir = console["base"], console["nlu_dir"]
    reviewer = logged_in(base, "reviewer")
    csrf = csrf_of(get(reviewer, base + "/faq").text)
    response = post(reviewer, base + "/faq/add", {
        "key": " parking ", "examples": "大厅附近好停车吗\r\n\r\n去政务中心开车停哪里？\r\n", "answer": XSS_ANSWER,
        "csrf": csrf})
    assert response.status_code == 303 and response.headers["Location"] == "/faq"
    added = list_faqs(nlu_dir)[-1]
    assert (added.key, added.examples) == ("parking", ["大厅附近好停车吗", "去政务中心开车停哪里?"])
    assert added.answer == XSS_ANSWER
    assert "- intent: faq/parking\n" in faq_file(nlu_dir).read_text(encoding="utf-8")

    page = get(reviewer, base + "/faq").text
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;请看&quot;大厅公告&quot;\n第二行 &amp; &lt;b&gt;" in page

    response = post(reviewer, base + "/faq/example",
                    {"key": "parking", "text": "停车场晚上开吗", "csrf": csrf_of(page)})
    assert response.status_code == 303 and response.headers["Location"] == "/faq"
    assert list_faqs(nlu_dir)[-1].examples[-1] == "停车场晚上开吗"

    # The inbox can now file a phrasing under the new question (by its first phrasing, under
    # 常见问题), never under bare "faq".
    inbox = get(reviewer, base + "/inbox").text
    assert '<option value="大厅附近好停车吗" label="常见问题"></option>' in inbox
    assert '<option value="常见问题"' not in inbox

    actions = {(r.action, r.username): r.detail for r in audit.recent(console["db"], 50)}
    assert actions[("faq_add", "reviewer")]["key"] == "parking"
    assert actions[("faq_example", "reviewer")] == {"key": "parking", "text": "停车场晚上开吗"}


def test_forged_csrf_is_refused_and_writes_nothing(console):
    base, nlu_dir = console["base"], console["nlu_dir"]
    reviewer = logged_in(base, "reviewer")
    before = nlu_digest(nlu_dir)
    add = {"key": "forged", "examples": "伪造的问法一\n伪造的问法二", "answer": "不该写入"}
    example = {"key": "office_hours", "text": "伪造的问法三"}
    for path, data in (("/faq/add", add), ("/faq/example", example)):
        for token in ({}, {"csrf": "0" * 64}):
            assert post(reviewer, base + path, {**data, **token}).status_code == 403
    other = csrf_of(get(logged_in(base, "trainer"), base + "/faq").text)
    assert post(reviewer, base + "/faq/add", {**add, "csrf": other}).status_code == 403
    assert nlu_digest(nlu_dir) == before


def test_validation_errors_are_shown_with_what_was_typed(console):
    base, nlu_dir = console["base"], console["nlu_dir"]
    trainer = logged_in(base, "trainer")
    csrf = csrf_of(get(trainer, base + "/faq").text)
    before = nlu_digest(nlu_dir)
    response = post(trainer, base + "/faq/add", {
        "key": "Bad Key", "examples": '问法"一"\n问法<二>', "answer": "<i>回答</i>", "csrf": csrf})
    assert response.status_code == 400
    assert "问题标识" in response.text and 'role="alert"' in response.text
    assert 'value="Bad Key"' in response.text
    assert "问法&quot;一&quot;\n问法&lt;二&gt;</textarea>" in response.text
    assert "&lt;i&gt;回答&lt;/i&gt;</textarea>" in response.text and "<i>" not in response.text

    response = post(trainer, base + "/faq/add", {
        "key": "hours_again", "examples": "政务中心几点开门\n大厅几点关门呀", "answer": "答", "csrf": csrf})
    assert response.status_code == 400 and "faq/office_hours" in response.text

    response = post(trainer, base + "/faq/example",
                    {"key": "privacy", "text": '政务中心几点开门"', "csrf": csrf})
    assert response.status_code == 400 and "faq/office_hours" in response.text
    assert re.search(r'name="text" maxlength="200" required value="政务中心几点开门&quot;"', response.text)

    response = post(trainer, base + "/faq/example", {"key": "no_such", "text": "随便问问", "csrf": csrf})
    assert response.status_code == 400 and "no_such" in response.text
    assert nlu_digest(nlu_dir) == before


def test_an_inbox_message_becomes_a_new_faq_and_leaves_the_inbox(console):
    """The inbox's "new intent" path: a question no intent covers becomes a FAQ with an answer."""
    from urllib.parse import quote

    base, nlu_dir = console["base"], console["nlu_dir"]
    reviewer = logged_in(base, "reviewer")
    inbox = get(reviewer, base + "/inbox").text
    link = f'/faq?text={quote(PHRASE)}'
    assert f'href="{link}"' in inbox
    page = get(reviewer, base + link).text
    assert f'name="from_inbox" value="{PHRASE}"' in page and f"\n{PHRASE}\n</textarea>" in page
    response = post(reviewer, base + "/faq/add", {
        "key": "card_pickup", "examples": f"{PHRASE}\n卡做好了去哪里领", "from_inbox": PHRASE,
        "answer": "一般在办理网点领取（示例内容，以窗口最新要求为准）", "csrf": csrf_of(page)})
    assert response.status_code == 303 and response.headers["Location"] == "/inbox"
    assert "- intent: faq/card_pickup\n" in faq_file(nlu_dir).read_text(encoding="utf-8")
    after = get(reviewer, base + "/inbox").text
    assert card_of(after, PHRASE) == "" and card_of(inbox, PHRASE)  # no longer a card …
    assert '<option value="社保卡在哪能弄到手" label="常见问题">' in after  # … but the new FAQ's question
