"""Signed web chat session tokens (channels/webchat/tokens.py)."""
from __future__ import annotations

import os
import stat

import pytest

from channels.webchat.tokens import (
    IDLE_TTL_S,
    SessionTokens,
    load_secret,
    new_conversation_id,
)

SECRET = b"s" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_names_its_conversation():
    tokens = SessionTokens(SECRET)
    conversation = new_conversation_id()
    assert conversation.startswith("web:") and len(conversation) == 4 + 32
    assert tokens.verify(tokens.issue(conversation)) == conversation


def test_conversation_ids_are_unguessable():
    assert len({new_conversation_id() for _ in range(1000)}) == 1000


@pytest.mark.parametrize("presented", [
    None, 42, "", "web:0123456789abcdef0123456789abcdef",  # a bare id is not a token
    "0123456789abcdef", "w1.e30.AAAA", "w1..", "x" * 600,
])
def test_anything_but_a_genuine_token_is_refused(presented):
    assert SessionTokens(SECRET).verify(presented) is None


def test_a_token_signed_with_another_secret_is_refused():
    forged = SessionTokens(b"attacker-secret-0123456789").issue("web:" + "a" * 32)
    assert SessionTokens(SECRET).verify(forged) is None


def test_changing_the_claims_breaks_the_signature():
    import base64
    import json

    tokens = SessionTokens(SECRET)
    version, claims, mac = tokens.issue("web:" + "a" * 32).split(".")
    other = json.dumps({"c": "web:" + "b" * 32, "t": json.loads(base64.urlsafe_b64decode(claims + "=="))["t"]})
    tampered = base64.urlsafe_b64encode(other.encode()).rstrip(b"=").decode()
    assert tokens.verify(f"{version}.{tampered}.{mac}") is None


def test_only_web_conversations_can_be_named():
    tokens = SessionTokens(SECRET)
    assert tokens.verify(tokens.issue("rest:someone")) is None
    assert tokens.verify(tokens.issue("wechat:openid")) is None


def test_tokens_expire_after_the_idle_time_and_a_renewed_one_lives_on():
    clock = Clock()
    tokens = SessionTokens(SECRET, clock=clock)
    first = tokens.issue("web:" + "c" * 32)
    clock.now += IDLE_TTL_S - 60
    renewed = tokens.issue(tokens.verify(first))  # the page connected again
    clock.now += 120
    assert tokens.verify(first) is None
    assert tokens.verify(renewed) == "web:" + "c" * 32


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError):
        SessionTokens(b"short")


def test_the_secret_file_is_made_once_and_private(tmp_path):
    env = {"GOV_VAR_DIR": str(tmp_path / "var")}
    first = load_secret(env)
    path = tmp_path / "var" / "webchat_secret"
    assert len(first) >= 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    os.chmod(path, 0o644)
    assert load_secret(env) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_secret({**env, "WEBCHAT_SECRET": "from-the-environment-0123"}) == b"from-the-environment-0123"


def test_every_renewal_is_a_different_token():
    tokens = SessionTokens(SECRET, clock=Clock())
    assert len({tokens.issue("web:" + "d" * 32) for _ in range(20)}) == 20
