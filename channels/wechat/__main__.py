"""`python -m channels.wechat menu show|push`: check the custom menu, or publish it to WeChat.

With GOV_REDIS_URL set (a cluster), push uses the access token the nodes share: a token of
its own would knock out theirs a few minutes later.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from channels.shared_state import SharedStateError, shared_state
from channels.wechat.api import WeChatApi, WeChatApiError
from channels.wechat.menu import load_menu
from channels.wechat.settings import DEFAULT_MENU, WeChatSettings


def _settings_from_env() -> WeChatSettings:
    return WeChatSettings.from_credentials({
        "token": os.environ.get("WECHAT_TOKEN"), "appid": os.environ.get("WECHAT_APPID"),
        "appsecret": os.environ.get("WECHAT_APPSECRET"), "aes_key": os.environ.get("WECHAT_AES_KEY"),
        "api_base": os.environ.get("WECHAT_API_BASE")})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m channels.wechat")
    sub = parser.add_subparsers(dest="group", required=True)
    menu = sub.add_parser("menu", help="the custom menu")
    menu.add_argument("action", choices=["show", "push"],
                      help="show: validate and print WeChat's JSON; push: publish it")
    menu.add_argument("--file", type=Path, default=DEFAULT_MENU)
    args = parser.parse_args(argv)

    try:
        loaded = load_menu(args.file)
    except (OSError, ValidationError) as exc:
        print(f"菜单文件 {args.file} 有误：\n{exc}", file=sys.stderr)
        return 2
    body = loaded.wechat_json()
    if args.action == "show":
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    settings = _settings_from_env()
    if not settings.can_call_api:
        print("需要环境变量 WECHAT_APPID 和 WECHAT_APPSECRET。", file=sys.stderr)
        return 2
    try:
        state = shared_state()
    except SharedStateError as exc:
        print(f"已设置 GOV_REDIS_URL，但无法使用 Redis：{exc}", file=sys.stderr)
        return 2
    try:
        WeChatApi(settings, state.wechat_access_token(settings)).create_menu(body)
    except WeChatApiError as exc:
        print(f"推送失败：{exc}（errcode={exc.errcode}）", file=sys.stderr)
        return 1
    print(f"已推送菜单：{len(loaded.payloads())} 个按钮。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
