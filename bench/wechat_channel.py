"""Added latency of the WeChat channel over the REST channel, same server, same run.

One Rasa server serves REST and WeChat in safe mode (with the real action server and catalogue);
a second one, configured like an account in plaintext mode, serves plaintext WeChat. The
same catalogue questions go, interleaved, through REST, WeChat plaintext and WeChat safe
mode (AES). Only the HTTP round trip is timed: building, signing and encrypting the
request and decrypting the reply are WeChat's work, done before/after the clock.

    python bench/wechat_channel.py [--turns 60]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.support.wechat_fakes

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from bot.stack import latest_model, running_stack
from tests.support.servers import all_channels
from tests.support.wechat_fakes import APPID, APPSECRET, TOKEN, FakeWeChatApi, WeChatServer, reply_content

QUESTIONS = ["社保卡怎么办理", "公积金租房提取要带什么", "身份证过期了怎么换", "异地就医备案怎么弄",
             "孩子刚出生怎么上户口", "高龄津贴怎么申请"]


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=60)
    args = parser.parse_args()
    wechat = WeChatServer()
    timings: dict[str, list[float]] = {"REST": [], "WeChat plaintext": [], "WeChat safe mode (AES)": []}
    with tempfile.TemporaryDirectory() as tmp, FakeWeChatApi() as api:
        db_url = f"sqlite:///{Path(tmp) / 'app.db'}"
        load_catalogue(session_factory(db_url), PROJECT_ROOT / "data" / "catalogue")
        # Safe mode refuses plaintext (a downgrade), so plaintext WeChat has a server of its own,
        # configured as an account in plaintext mode; REST is measured on both, interleaved.
        plain_credentials = (f"channels.rest.RestInput:\nchannels.wechat.WeChatInput:\n"
                             f"  token: {TOKEN}\n  appid: {APPID}\n"
                             f"  appsecret: {APPSECRET}\n  aes_key: ''\n  api_base: {api.base}\n")
        with running_stack(Path(tmp) / "stack", latest_model(), db_url,
                           credentials=all_channels(api.base)) as stack, \
                running_stack(Path(tmp) / "plain", latest_model(), db_url,
                              credentials=plain_credentials) as plain_stack:
            hook = f"{stack.rasa_url}/webhooks/wechat/webhook"
            plain_hook = f"{plain_stack.rasa_url}/webhooks/wechat/webhook"
            for i in range(args.turns + 6):  # the first 6 rounds warm up
                question = QUESTIONS[i % len(QUESTIONS)]
                sender = f"bench-{i % 10}"
                plain_query = wechat.query()
                plain_body = wechat.text(f"{sender}-plain", question).encode()
                safe_body, safe_query = wechat.encrypt(wechat.text(f"{sender}-safe", question), wechat.query())
                safe_body = safe_body.encode()

                start = time.perf_counter()
                rest = stack.say(f"{sender}-rest", question)
                rest_ms = (time.perf_counter() - start) * 1000
                start = time.perf_counter()
                plain = requests.post(plain_hook, params=plain_query, data=plain_body, timeout=30)
                plain_ms = (time.perf_counter() - start) * 1000
                start = time.perf_counter()
                safe = requests.post(hook, params=safe_query, data=safe_body, timeout=30)
                safe_ms = (time.perf_counter() - start) * 1000

                assert rest and reply_content(plain.text) and reply_content(wechat.decrypt_reply(safe.text))
                if i >= 6:
                    for name, ms in zip(timings, (rest_ms, plain_ms, safe_ms), strict=True):
                        timings[name].append(ms)
                time.sleep(0.05)  # let continuation messages of long answers go out
    rest50 = pct(timings["REST"], 50)
    print(f"\nChannel latency per message, {args.turns} catalogue questions per path, one server, same run\n")
    print("| path | p50 ms | p95 ms | added p50 ms vs REST | p50 ratio |")
    print("|---|---:|---:|---:|---:|")
    for name, values in timings.items():
        p50, p95 = pct(values, 50), pct(values, 95)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {p50 - rest50:+.1f} | {p50 / rest50:.2f} |")
    print(f"\n(customer-service continuation messages sent to the local fake API: {len(api.sent)})")


if __name__ == "__main__":
    main()
