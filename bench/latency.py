"""Turn latency through the REST channel and training time, against a bare Rasa reference.

Starts, in one run: (1) a minimal rules-only Rasa bot (bench/reference_bot), (2) the
assistant with its action server and catalogue database. Sends the same catalogue
questions to both and prints a table of p50/p95 latency and ratios. Training times are
measured by training both from scratch into a temporary folder.

    python bench/latency.py [--turns 60] [--skip-train]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for bench.common

from bench.common import REFERENCE, catalogue_database, pct, train
from bot.config import PROJECT_ROOT
from bot.stack import latest_model, running_stack

QUESTIONS = ["社保卡怎么办理", "公积金租房提取要带什么", "身份证过期了怎么换", "异地就医备案怎么弄",
             "孩子刚出生怎么上户口", "高龄津贴怎么申请"]


def measure(stack, turns: int, label: str) -> list[float]:
    latencies = []
    for i in range(turns):
        question = QUESTIONS[i % len(QUESTIONS)]
        start = time.perf_counter()
        replies = stack.say(f"bench-{label}-{i % 10}", question)
        latencies.append((time.perf_counter() - start) * 1000)
        assert replies, f"no reply from {label} to {question}"
    return latencies


#: A phone per conversation: one phone may hold one booking per service (bot/appointments limits).
APPOINTMENT = ["我要预约", "1", "1", "1", "{slot}", "张伟", "1381234{n:04d}", "1"]


def measure_appointments(stack, conversations: int) -> tuple[list[float], int]:
    """Whole appointment bookings by tapping; returns per-turn latencies and turns each."""
    latencies = []
    for i in range(conversations):
        sender = f"bench-appt-{i}"
        for message in APPOINTMENT:
            start = time.perf_counter()
            replies = stack.say(sender, message.format(slot=i % 5 + 1, n=i))
            latencies.append((time.perf_counter() - start) * 1000)
        assert any("预约成功" in r.get("text", "") for r in replies), replies
    return latencies, len(APPOINTMENT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--skip-train", action="store_true", help="use models/ instead of training")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        ref_model, ref_train = train(REFERENCE, tmp_path / "ref_models", ["data"])
        if args.skip_train:
            model, main_train = latest_model(), float("nan")
        else:
            model, main_train = train(PROJECT_ROOT, tmp_path / "models", ["data/nlu", "data/rules"])
        db_url = catalogue_database(tmp_path)

        with running_stack(tmp_path / "ref", ref_model, with_actions=False, project=REFERENCE) as ref:
            measure(ref, 6, "warm")
            ref_lat = measure(ref, args.turns, "ref")
        with running_stack(tmp_path / "main", model, db_url) as assistant:
            measure(assistant, 6, "warm")
            main_lat = measure(assistant, args.turns, "main")
            appt_lat, appt_turns = measure_appointments(assistant, 5)

    r50, r95 = pct(ref_lat, 50), pct(ref_lat, 95)
    m50, m95 = pct(main_lat, 50), pct(main_lat, 95)
    print(f"\nREST turn latency, {args.turns} turns each (catalogue questions), same run\n")
    print("| stack | p50 ms | p95 ms | p50 ratio | p95 ratio | training s |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| bare Rasa, rules-only reference | {r50:.1f} | {r95:.1f} | 1.00 | 1.00 | {ref_train:.0f} |")
    trained = "not measured (--skip-train)" if args.skip_train else f"{main_train:.0f}"
    print(f"| assistant (NLU + actions + SQLite) | {m50:.1f} | {m95:.1f} | {m50 / r50:.2f} | {m95 / r95:.2f} "
          f"| {trained} |")
    a50, a95 = pct(appt_lat, 50), pct(appt_lat, 95)
    print(f"\nComplete appointment booked by tapping: {appt_turns} turns per conversation, 5 conversations\n")
    print("| flow | turns | p50 ms per turn | p95 ms per turn | total s per conversation |")
    print("|---|---:|---:|---:|---:|")
    print(f"| 办事预约 | {appt_turns} | {a50:.1f} | {a95:.1f} | {sum(appt_lat) / 5 / 1000:.2f} |")


if __name__ == "__main__":
    main()
