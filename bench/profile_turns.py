"""Where a turn's time goes: the Rasa server sampled by py-spy while residents talk.

Starts the assistant on its embedded default (as bench/load.py does), warms every path
with one conversation, then attaches py-spy (sampling, no code changes, ``--nonblocking``)
to the Rasa server and to the action server while N conversations (20 by default) send
the load benchmark's mix. Prints, for the Rasa server, the share of its busy samples in
each stage of ``MessageProcessor.handle_message`` and, inside understanding, per
component; for the action server, the share per action and the database's share.

Sampling is statistical and the profiler costs time itself: read shares, not
milliseconds. A stage is recognised by a frame of the stack (``STAGES``); samples where
the process waits for work (the event loop's select) are counted apart.

    python bench/profile_turns.py [--conversations 20] [--rate 200] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for bench.*

from bench.common import catalogue_database
from bench.load import MIX, _descendants, _role, drive
from bot.stack import BIN, latest_model, running_stack

#: Stage of a Rasa turn → a frame that marks it (first match in this order wins).
STAGES = [
    ("understanding (NLU pipeline)", "_parse_message_with_graph"),
    ("tracker: load", "get_tracker (rasa/core/processor.py"),
    ("tracker: save (masking, SQL)", "save_tracker (rasa/core/processor.py"),
    ("dialogue policy", "_predict_next_with_tracker (rasa/core/processor.py"),
    ("action server call (HTTP, checks)", "run (rasa/core/actions/action.py"),
    ("other actions and events", "_run_prediction_loop"),
    ("conversation lock", "lock_store.py"),
    ("rest of handle_message", "handle_message (rasa/core/processor.py"),
    ("HTTP server and channel", "sanic/"),
]
#: Components of the understanding stage, by the file their frames come from (first match wins).
COMPONENTS = [
    ("tokenizer (normalise, homophones, jieba)", "bot/nlu/tokenizer.py"),
    ("featurizers", "featurizers/"),
    ("FAQ response selector", "selectors/response_selector.py"),  # a DIET subclass: before DIET
    ("DIET intent classifier", "classifiers/diet_classifier.py"),
    ("regex entities, fallback, commands, input guard", "extractors/"),
    ("regex entities, fallback, commands, input guard", "fallback_classifier.py"),
    ("regex entities, fallback, commands, input guard", "bot/nlu/"),
]
#: Leaf frames of a process waiting for work: the event loop inside uvloop's native code
#: (py-spy sees no deeper; its own socket I/O is counted here too), idle pool threads.
IDLE_MARKERS = ("serve (sanic/server/runners.py", "select (selectors.py", "_worker (concurrent/futures/thread.py:81)")


def read_raw(path: Path) -> list[tuple[list[str], int]]:
    """py-spy's raw output: one collapsed stack per line, frames joined by ';', then a count."""
    stacks = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def classify(frames: list[str], table: list[tuple[str, str]], default: str) -> str:
    joined = ";".join(frames)
    return next((name for name, mark in table if mark in joined), default)


def shares(stacks: list[tuple[list[str], int]], table: list[tuple[str, str]], default: str,
           within: str | None = None) -> tuple[Counter, int]:
    counts: Counter = Counter()
    for frames, n in stacks:
        joined = ";".join(frames)
        if within is not None and within not in joined:
            continue
        if within is None and (not frames or any(m in frames[-1] for m in IDLE_MARKERS)):
            counts["(waiting for work)"] += n
            continue
        counts[classify(frames, table, default)] += n
    return counts, sum(counts.values())


def print_shares(title: str, counts: Counter, total: int, skip: str | None = None) -> None:
    busy = total - (counts[skip] if skip else 0)
    print(f"\n{title}\n")
    print("| part | samples | share |")
    print("|---|---:|---:|")
    for name, n in counts.most_common():
        if name != skip:
            print(f"| {name} | {n} | {100 * n / busy:.1f} % |")
    if skip and counts[skip]:
        print(f"\n({counts[skip]} samples waiting for work left out; {busy} busy samples)")


def action_shares(stacks: list[tuple[list[str], int]]) -> tuple[Counter, int]:
    """Busy samples of the action server per module of actions/ or bot/, and SQL."""
    counts: Counter = Counter()
    for frames, n in stacks:
        if not frames or any(m in frames[-1] for m in IDLE_MARKERS):
            continue
        joined = ";".join(frames)
        ours = [f for f in frames if "(actions/" in f or "(bot/" in f]
        where = ours[0].split(" (")[1].split(":")[0] if ours else "rasa_sdk, sanic and the rest"
        counts[where + (" (SQL)" if "sqlalchemy" in joined else "")] += n
    return counts, sum(counts.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--rate", type=int, default=200, help="samples per second")
    parser.add_argument("--keep", type=Path, help="keep py-spy's raw output here")
    args = parser.parse_args()
    spy = BIN / "py-spy"
    if not spy.exists():
        raise SystemExit("py-spy is missing: `make setup-dev` installs it (requirements-dev.txt)")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with running_stack(tmp / "assistant", latest_model(), catalogue_database(tmp)) as stack:
            url = f"{stack.rasa_url}/webhooks/rest/webhook"
            drive(url, 1, MIX, "warmup")
            roles = {pid: _role(pid) for pid in _descendants(os.getpid())}
            spies = [subprocess.Popen([str(spy), "record", "--pid", str(pid), "--rate", str(args.rate),
                                       "--format", "raw", "--nonblocking", "-o", str(tmp / f"{role}.txt")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for pid, role in roles.items() if role in ("rasa", "actions")]
            time.sleep(2)  # py-spy attaches
            turns, wall = drive(url, args.conversations, MIX, "profile")
            for proc in spies:
                proc.send_signal(2)  # py-spy writes its file on SIGINT
            for proc in spies:
                proc.wait(timeout=60)
        errors = sum(t.error is not None for t in turns)
        print(f"{len(turns)} turns from {args.conversations} conversations in {wall:.1f} s "
              f"({len(turns) / wall:.1f} turns/s while profiled), {errors} errors; py-spy at {args.rate} Hz")
        rasa = read_raw(tmp / "rasa.txt")
        counts, total = shares(rasa, STAGES, "other")
        print_shares("Rasa server, busy samples by stage of a turn", counts, total, skip="(waiting for work)")
        nlu, nlu_total = shares(rasa, COMPONENTS, "graph runner and data conversion", within=STAGES[0][1])
        print_shares("Understanding, by component", nlu, nlu_total)
        acts, acts_total = action_shares(read_raw(tmp / "actions.txt"))
        print_shares("Action server, busy samples by module", acts, acts_total)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for name in ("rasa.txt", "actions.txt"):
                shutil.copy(tmp / name, args.keep / name)


if __name__ == "__main__":
    main()
