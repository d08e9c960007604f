"""Fuzz every resident channel of a real stack and report crashes, 5xx and hangs (target: 0).

Hypothesis generates the inputs (any Unicode, Chinese with digits and separators, emoji,
control characters, markup, Rasa payload syntax, oversized texts; for REST also raw bodies
of the wrong shape; for WeChat malformed XML, forged and replayed signatures, bad
ciphertext). One Rasa server with the real action server serves REST, the web chat and
WeChat in safe mode (AES); a second one serves WeChat in plaintext mode.

    python bench/fuzz_channels.py                    # 10,000 inputs per channel
    python bench/fuzz_channels.py --inputs 100       # the sample CI runs (tests/security)

Counted per channel: inputs sent, 2xx, 4xx (refused input: fine), 5xx, transport errors
(the server closed or crashed), hangs (no answer within --hang-s), and whether the servers
were still alive and answering a normal question at the end.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.* helpers

from bench.fuzz_clients import RestClient, WebChatClient, WeChatClient, plain_wechat_credentials
from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from bot.stack import Stack, latest_model, running_stack
from tests.support.servers import all_channels
from tests.support.wechat_fakes import FakeWeChatApi

TRICKY = ["", " ", "\n", "\x00", "\u200b", "😀😀😀", "/restart", '/greet{"district":"镜湖区"}', "/stop",
          "<script>alert(1)</script>", "]]></Content></xml>", "<!DOCTYPE x [<!ENTITY a 'b'>]>", "%s%n%x",
          "{{7*7}}", "' OR 1=1 --", "340202.19500101.1233", "138.1234.5678", "6222 0202 0000 1234 567",
          "转人工", "不办了", "上一步", "清除记录", "我要预约", "办理", "1", "99", "确认提交"]
CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
DIGITS_AND_SEPARATORS = st.sampled_from(list("0123456789０１２３４５６７８９.,/_，．- 一二三四五六七八九零幺"))


def texts() -> st.SearchStrategy[str]:
    """What a resident (or an attacker) might type."""
    return st.one_of(
        st.sampled_from(TRICKY),
        st.text(max_size=300),  # any Unicode, control characters included
        st.text(alphabet=st.one_of(CHINESE, DIGITS_AND_SEPARATORS), max_size=80),
        st.builds(lambda base, n: base * n, st.sampled_from(["社保卡", "a", "😀", "<"]),
                  st.integers(min_value=500, max_value=20_000)),  # up to 60 KB of text
        st.builds(lambda a, b: a + b, st.sampled_from(TRICKY), st.text(max_size=50)),
    )


class Tally:
    """Outcomes of one channel's inputs."""

    def __init__(self, hang_s: float) -> None:
        self.hang_s = hang_s
        self.counts: Counter = Counter()
        self.statuses: Counter = Counter()  # exact HTTP statuses, to tell refusals apart
        self.examples: dict[str, str] = {}

    def record(self, send: Callable[[], int], label: str) -> None:
        start = time.monotonic()
        try:
            status = send()
        except requests.Timeout:
            outcome = "hang"
        except (requests.ConnectionError, OSError) as exc:
            outcome = f"transport error ({type(exc).__name__})"
        else:
            outcome = f"{status // 100}xx"
            self.statuses[status] += 1
            if time.monotonic() - start > self.hang_s:
                outcome = "hang"
        self.counts["inputs"] += 1
        self.counts[outcome] += 1
        if outcome not in ("2xx", "4xx") and outcome not in self.examples:
            self.examples[outcome] = label[:120]

    @property
    def failures(self) -> int:
        return sum(n for k, n in self.counts.items() if k not in ("inputs", "2xx", "4xx"))


def fuzz(cases: st.SearchStrategy, run_one: Callable[[object], None], n: int) -> None:
    """Run ``run_one`` on ``n`` generated cases (no shrinking: every case is recorded, none raises)."""
    @settings(max_examples=n, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(cases)
    def case(value: object) -> None:
        run_one(value)

    case()


def _record_one(tally: Tally, send: Callable[[object], int], value: object) -> None:
    tally.record(lambda: send(value), repr(value))


def _alive(stack: Stack) -> bool:
    try:
        return any("社会保障卡" in m.get("text", "") for m in stack.say("fuzz-alive-check", "社保卡怎么办理"))
    except requests.RequestException:
        return False


def run_channels(n: int, hang_s: float, only: str = "") -> list[tuple[str, Tally, bool]]:
    """Fuzz each channel whose name contains ``only`` (every channel when empty)."""
    results: list[tuple[str, Tally, bool]] = []
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stacks:
        api = stacks.enter_context(FakeWeChatApi())
        db_url = f"sqlite:///{Path(tmp) / 'app.db'}"
        load_catalogue(session_factory(db_url), PROJECT_ROOT / "data" / "catalogue")
        model = latest_model()
        safe = stacks.enter_context(running_stack(Path(tmp) / "safe", model, db_url,
                                                  credentials=all_channels(api.base)))
        plain = stacks.enter_context(running_stack(Path(tmp) / "plain", model, db_url,
                                                   credentials=plain_wechat_credentials(api.base)))
        clients: list[tuple[str, Stack, tuple[st.SearchStrategy, Callable[[Any], int]]]] = [
            ("REST", safe, RestClient(safe.rasa_url, hang_s).cases(texts())),
            ("web chat (socket.io)", safe, WebChatClient(safe.rasa_url, hang_s).cases(texts())),
            ("WeChat safe mode (AES)", safe, WeChatClient(safe.rasa_url, hang_s, aes=True).cases(texts())),
            ("WeChat plaintext", plain, WeChatClient(plain.rasa_url, hang_s, aes=False).cases(texts())),
        ]
        for name, stack, (cases, send) in clients:
            if only.lower() not in name.lower():
                continue
            tally = Tally(hang_s)
            fuzz(cases, partial(_record_one, tally, send), n)
            results.append((name, tally, _alive(stack)))
            print(f"  {name}: {dict(tally.counts)}", file=sys.stderr, flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=10_000, help="generated inputs per channel")
    parser.add_argument("--only", default="", help="only the channels whose name contains this (e.g. WeChat)")
    parser.add_argument("--hang-s", type=float, default=15.0, help="no answer within this long counts as a hang")
    args = parser.parse_args()
    started = time.monotonic()
    results = run_channels(args.inputs, args.hang_s, args.only)
    print(f"\nFuzzing {args.inputs} inputs per channel ({time.monotonic() - started:.0f} s)\n")
    print("| channel | inputs | 2xx | 4xx | 5xx | transport errors | hangs | alive after |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, tally, alive in results:
        c = tally.counts
        transport = sum(n for k, n in c.items() if k.startswith("transport"))
        print(f"| {name} | {c['inputs']} | {c['2xx']} | {c['4xx']} | {c['5xx']} | {transport} | {c['hang']} | "
              f"{'yes' if alive else 'NO'} |")
    for name, tally, _ in results:
        refused = ", ".join(f"{code} ×{n}" for code, n in sorted(tally.statuses.items()) if code >= 400)
        print(f"{name}, refusals by status: {refused or 'none'}")
    for name, tally, _ in results:
        for outcome, example in tally.examples.items():
            print(f"first {outcome} on {name}: {example}")
    bad = sum(t.failures for _, t, _ in results) + sum(not alive for _, _, alive in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
