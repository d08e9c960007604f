"""The custom menu: the shipped menu.yml, validation of bad menus, and the `menu show|push` CLI."""
from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from channels.wechat.menu import Menu, load_menu
from channels.wechat.settings import DEFAULT_MENU
from tests.support.wechat_fakes import APPID, APPSECRET, FakeWeChatApi

PROJECT = Path(__file__).resolve().parents[2]
DOMAIN = PROJECT / "domain.yml"


def item(key: str, name: str = "子菜单", payload: str = "/greet") -> dict[str, str]:
    return {"name": name, "key": key, "payload": payload}


def menu_dict(buttons: int = 1, subs: int = 1) -> dict[str, Any]:
    """A valid menu with ``buttons`` top buttons of ``subs`` items each (unique keys)."""
    return {"menu": [{"name": f"菜单{b}", "sub_buttons": [item(f"K{b}_{s}") for s in range(subs)]}
                     for b in range(buttons)]}


@pytest.fixture(scope="module")
def shipped() -> Menu:
    return load_menu(DEFAULT_MENU)


# -- the shipped menu ------------------------------------------------------------------

def test_shipped_menu_loads_with_unique_keys(shipped: Menu) -> None:
    """menu.yml is valid and every click key is distinct."""
    keys = [i.key for b in shipped.menu for i in b.sub_buttons]
    assert keys and len(keys) == len(set(keys))
    assert set(shipped.payloads()) == set(keys)


def test_shipped_menu_wechat_json_shape(shipped: Menu) -> None:
    """wechat_json() is the body of menu/create: button → sub_button of click entries."""
    body = shipped.wechat_json()
    assert set(body) == {"button"}
    assert 1 <= len(body["button"]) <= 3
    assert [b["name"] for b in body["button"]] == [b.name for b in shipped.menu]
    for button, source in zip(body["button"], shipped.menu, strict=True):
        assert set(button) == {"name", "sub_button"}
        assert 1 <= len(button["sub_button"]) <= 5
        for entry, src in zip(button["sub_button"], source.sub_buttons, strict=True):
            assert entry == {"type": "click", "name": src.name, "key": src.key}
    json.dumps(body, ensure_ascii=False)  # serialisable as sent


def test_shipped_menu_names_fit_wechat_display(shipped: Menu) -> None:
    """menu.yml's own rule: top names ≤ 4 Chinese characters, sub names ≤ 8 (no "…" on phones)."""
    for button in shipped.menu:
        assert len(button.name) <= 4, button.name
        for entry in button.sub_buttons:
            assert len(entry.name) <= 8, entry.name


def test_shipped_intent_payloads_exist_in_domain(shipped: Menu) -> None:
    """Every "/intent" payload names an intent declared in domain.yml."""
    with DOMAIN.open(encoding="utf-8") as handle:
        domain = yaml.safe_load(handle)
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    named = {}
    for key, payload in shipped.payloads().items():
        if payload.startswith("/"):
            match = re.match(r"^/(\w+)", payload)
            assert match, f"{key}: {payload!r} is not /intent"
            named[key] = match.group(1)
    assert named, "expected some /intent payloads"
    missing = {k: v for k, v in named.items() if v not in intents}
    assert missing == {}


# -- validation ------------------------------------------------------------------------

def test_valid_limits_are_accepted() -> None:
    """3 × 5 items, a 15-byte top name (5 Chinese characters) and a free-text payload are fine."""
    data = menu_dict(buttons=3, subs=5)
    data["menu"][0]["name"] = "一二三四五"  # 15 bytes
    data["menu"][0]["sub_buttons"][0]["payload"] = "我想办社保卡"
    menu = Menu.parse_obj(data)
    assert menu.payloads()["K0_0"] == "我想办社保卡"


def _top_name_18_bytes(data: dict[str, Any]) -> None:
    data["menu"][0]["name"] = "一二三四五六"  # 18 bytes


def _top_name_ascii_17(data: dict[str, Any]) -> None:
    data["menu"][0]["name"] = "A" * 17


def _sub_name_too_long(data: dict[str, Any]) -> None:
    data["menu"][0]["sub_buttons"][0]["name"] = "字" * 21  # 63 bytes


def _duplicate_keys(data: dict[str, Any]) -> None:
    data["menu"][1]["sub_buttons"][0]["key"] = data["menu"][0]["sub_buttons"][0]["key"]


def _lowercase_key(data: dict[str, Any]) -> None:
    data["menu"][0]["sub_buttons"][0]["key"] = "guide_sbk"


def _unknown_field(data: dict[str, Any]) -> None:
    data["menu"][0]["sub_buttons"][0]["url"] = "https://example.com"


def _blank_name(data: dict[str, Any]) -> None:
    data["menu"][0]["name"] = "   "


@pytest.mark.parametrize("data", [
    pytest.param(menu_dict(buttons=4), id="four-top-buttons"),
    pytest.param(menu_dict(buttons=1, subs=6), id="six-sub-buttons"),
    pytest.param({"menu": [{"name": "空", "sub_buttons": []}]}, id="no-sub-buttons"),
])
def test_wrong_counts_are_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Menu.parse_obj(data)


@pytest.mark.parametrize("breaks", [
    _top_name_18_bytes, _top_name_ascii_17, _sub_name_too_long, _duplicate_keys,
    _lowercase_key, _unknown_field, _blank_name,
], ids=lambda f: f.__name__.strip("_"))
def test_bad_entries_are_refused(breaks) -> None:
    data = copy.deepcopy(menu_dict(buttons=2, subs=2))
    Menu.parse_obj(data)  # valid before the change
    breaks(data)
    with pytest.raises(ValidationError):
        Menu.parse_obj(data)


def test_duplicate_key_error_names_the_key() -> None:
    data = menu_dict(buttons=2, subs=1)
    _duplicate_keys(data)
    with pytest.raises(ValidationError, match="K0_0"):
        Menu.parse_obj(data)


# -- the CLI ---------------------------------------------------------------------------
# Each run takes ~3 s: importing the channels.wechat package imports Rasa.

def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m channels.wechat menu ...` from the project root, WECHAT_* and GOV_REDIS_URL unset unless given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WECHAT_") and k != "GOV_REDIS_URL"}
    clean.update(env or {})
    return subprocess.run([sys.executable, "-m", "channels.wechat", "menu", *args],
                          cwd=PROJECT, env=clean, capture_output=True, text=True,
                          encoding="utf-8", timeout=60)


@pytest.fixture
def fake() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi() as server:
        yield server


def fake_env(fake: FakeWeChatApi) -> dict[str, str]:
    return {"WECHAT_APPID": APPID, "WECHAT_APPSECRET": APPSECRET, "WECHAT_API_BASE": fake.base}


def test_cli_show_prints_wechat_json(shipped: Menu) -> None:
    result = run_cli("show")
    assert result.returncode == 0, result.stderr
    assert "办事指南" in result.stdout
    assert json.loads(result.stdout) == shipped.wechat_json()


def test_cli_show_bad_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump({"menu": [{"name": "一二三四五六", "sub_buttons": [item("OK")]}]},
                                  allow_unicode=True), encoding="utf-8")
    result = run_cli("show", "--file", str(bad))
    assert result.returncode == 2
    assert "菜单文件" in result.stderr and "字节限制" in result.stderr
    assert result.stdout == ""


def test_cli_push_without_credentials_exits_2(fake: FakeWeChatApi) -> None:
    result = run_cli("push", env={"WECHAT_API_BASE": fake.base})
    assert result.returncode == 2
    assert "WECHAT_APPID" in result.stderr
    assert fake.tokens_issued == 0 and fake.menus == []


def test_cli_push_publishes_menu(fake: FakeWeChatApi) -> None:
    result = run_cli("push", env=fake_env(fake))
    assert result.returncode == 0, result.stderr
    assert "已推送菜单" in result.stdout
    assert fake.menus == [load_menu(DEFAULT_MENU).wechat_json()]


def test_cli_push_api_error_exits_1(fake: FakeWeChatApi) -> None:
    fake.errors = [45064]
    result = run_cli("push", env=fake_env(fake))
    assert result.returncode == 1
    assert "推送失败" in result.stderr and "45064" in result.stderr
    assert fake.menus == []


def test_cli_push_in_a_cluster_uses_the_nodes_shared_token(fake: FakeWeChatApi, redis_url: str) -> None:
    """With GOV_REDIS_URL set, two pushes fetch one token: the one the nodes use (a token of
    the CLI's own would knock theirs out a few minutes later)."""
    import redis

    from channels.redis_keys import digest

    key, lock = (f"gov:wechat:{kind}:{digest(APPID)}" for kind in ("token", "token-lock"))
    try:
        for _ in range(2):
            result = run_cli("push", env={**fake_env(fake), "GOV_REDIS_URL": redis_url})
            assert result.returncode == 0, result.stderr
        with redis.Redis.from_url(redis_url) as client:
            assert client.get(key) == fake.tokens[0].encode()
    finally:
        with redis.Redis.from_url(redis_url) as client:
            client.delete(key, lock)
    assert fake.tokens_issued == 1 and len(fake.menus) == 2


def test_cli_push_with_an_unusable_redis_exits_2(fake: FakeWeChatApi) -> None:
    result = run_cli("push", env={**fake_env(fake), "GOV_REDIS_URL": "redis://:pw-s3cret@127.0.0.1:1/0"})
    assert result.returncode == 2
    assert "GOV_REDIS_URL" in result.stderr and "pw-s3cret" not in result.stderr
    assert fake.tokens_issued == 0 and fake.menus == []
