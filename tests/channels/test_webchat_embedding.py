"""Who may frame the chat page, and what an embedded page may say about how a chat began
(channels/webchat/embedding.py, opening.py)."""
from __future__ import annotations

import asyncio

import pytest

from channels.webchat.embedding import DEFAULT_SOURCES, FrameAncestors
from channels.webchat.opening import MAX_ENTRY_CHARS, entry_of, opening, service_text, topic_text

GOV = FrameAncestors.parse("'self' https://www.wuhu.gov.cn https://*.wuhu.gov.cn http://192.168.1.5:8080")


def test_the_embedded_default_allows_this_machine_and_serves_the_demo():
    default = FrameAncestors.from_env({})
    assert default.sources == DEFAULT_SOURCES and default.demo
    assert default.allows("http://127.0.0.1:5005") and default.allows("http://localhost:8000")
    assert not default.allows("http://evil.example") and not default.allows("https://www.wuhu.gov.cn")
    assert default.page_headers()["Content-Security-Policy"] == (
        "frame-ancestors 'self' http://127.0.0.1:* http://localhost:*; base-uri 'none'; object-src 'none'")


def test_a_configured_list_is_the_header_and_turns_the_demo_off():
    configured = FrameAncestors.from_env({"WEBCHAT_FRAME_ANCESTORS": "  https://www.wuhu.gov.cn  'self' "})
    assert not configured.demo
    headers = configured.page_headers()
    assert headers["Content-Security-Policy"].startswith("frame-ancestors https://www.wuhu.gov.cn 'self';")
    assert "X-Frame-Options" not in headers  # it cannot name another origin: CSP alone decides
    assert FrameAncestors.parse("'self'").page_headers()["X-Frame-Options"] == "SAMEORIGIN"
    assert FrameAncestors.parse("'none'").page_headers()["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("origin, allowed", [
    ("https://www.wuhu.gov.cn", True),
    ("https://www.wuhu.gov.cn:443", True),
    ("https://jinghu.wuhu.gov.cn", True),  # *.wuhu.gov.cn
    ("https://wuhu.gov.cn", False),  # a wildcard names subdomains only
    ("https://www.wuhu.gov.cn.evil.example", False),
    ("https://evilwuhu.gov.cn", False),
    ("http://www.wuhu.gov.cn", False),  # https only, as written
    ("https://www.wuhu.gov.cn:8443", False),
    ("http://192.168.1.5:8080", True),
    ("https://192.168.1.5:8080", True),  # CSP lets an http source match its https upgrade
    ("http://192.168.1.5", False),
    ("https://user@www.wuhu.gov.cn", False),
    ("https://www.wuhu.gov.cn/page", False),  # an origin has no path
    ("javascript:alert(1)", False),
    ("null", False),
])
def test_origins_are_matched_as_csp_does(origin, allowed):
    assert GOV.allows(origin) is allowed


def test_self_is_the_chat_pages_own_origin():
    assert GOV.allows("https://chat.example.org", self_origin="https://chat.example.org")
    assert not GOV.allows("https://chat.example.org", self_origin="https://other.example.org")
    assert not FrameAncestors.parse("https://a.example").allows("https://chat.example.org", "https://chat.example.org")


@pytest.mark.parametrize("text", ["https://a.example; script-src *", "https://a.example,https://b.example",
                                  "'unsafe-inline'", "ftp://a.example", "'none' https://a.example", "   "])
def test_a_list_browsers_would_misread_stops_the_start(text):
    with pytest.raises(ValueError, match="WEBCHAT_FRAME_ANCESTORS"):
        FrameAncestors.parse(text)


def test_the_entry_is_origin_and_path_only_bounded_and_masked():
    assert entry_of("https://www.wuhu.gov.cn/bsfw/gjj/index.html?from=menu#top", GOV, None) == \
        "https://www.wuhu.gov.cn/bsfw/gjj/index.html"
    assert entry_of("https://www.wuhu.gov.cn", GOV, None) == "https://www.wuhu.gov.cn/"
    assert entry_of("https://www.wuhu.gov.cn/user/13812345678/", GOV, None) == "https://www.wuhu.gov.cn/user/138****5678/"
    long = entry_of("https://www.wuhu.gov.cn/" + "a" * 300, GOV, None)
    assert long is not None and len(long) == MAX_ENTRY_CHARS


@pytest.mark.parametrize("value", [
    "https://evil.example/page",  # a site that may not frame the chat
    "https://www.wuhu.gov.cn/路径",  # browsers send paths percent-encoded
    "https://www.wuhu.gov.cn/a b",
    "javascript://www.wuhu.gov.cn/%0aalert(1)",
    "https://www.wuhu.gov.cn/" + "a" * 500,
    42, None, ["https://www.wuhu.gov.cn/"],
])
def test_an_entry_that_is_not_an_allowed_host_page_is_dropped(value):
    assert entry_of(value, GOV, None) is None


def test_a_topic_becomes_its_familys_intent_when_the_model_knows_it():
    intents = {"ask_family_hf_withdraw", "greet"}
    assert topic_text("hf_withdraw", intents) == "/ask_family_hf_withdraw"
    assert topic_text("hukou", intents) is None  # not in this model
    assert topic_text('hf_withdraw{"x":1}', intents) is None
    assert topic_text(None, intents) is None


def test_a_service_must_be_in_the_catalogue(db_url, monkeypatch):
    monkeypatch.setenv("GOV_DATABASE_URL", db_url)
    trained = {"svc_hf_rent"}
    assert asyncio.run(service_text("hf-rent", trained)) == "/svc_hf_rent"
    assert asyncio.run(service_text("hf-rent", set())) == "住房公积金租房提取"  # no intent: its name
    for forged in ("no-such-service", "hf_rent", "/restart", "hf-rent{\"a\":1}", "HF-RENT", 7):
        assert asyncio.run(service_text(forged, trained)) is None


def test_the_opening_replaces_greet_only_with_what_checked_out(db_url, monkeypatch):
    monkeypatch.setenv("GOV_DATABASE_URL", db_url)

    def start(raw):
        return asyncio.run(opening(raw, "/greet", ancestors=GOV, self_origin=None, intents={"svc_hf_rent"}))

    began = start({"service": "hf-rent", "entry": "https://www.wuhu.gov.cn/gjj/"})
    assert (began.text, began.metadata) == ("/svc_hf_rent", {"entry": "https://www.wuhu.gov.cn/gjj/"})
    assert start({"service": "/restart", "entry": "https://evil.example/"}).text == "/greet"
    assert start({"service": "/restart", "entry": "https://evil.example/"}).metadata == {}
    assert start("/svc_hf_rent").text == "/greet"
    assert start(None).metadata == {}
