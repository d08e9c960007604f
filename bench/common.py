"""Helpers the benchmarks share: training a bot, a catalogue database, percentiles.

Kept here so latency.py and load.py start and measure their bots the same way; the servers
themselves come from bot/stack.py (``running_stack``), as in the tests.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from bot.stack import BIN, QUIET_ENV

#: The minimal rules-only bare Rasa bot every benchmark compares against.
REFERENCE = PROJECT_ROOT / "bench" / "reference_bot"


def train(project: Path, out: Path, data: list[str]) -> tuple[Path, float]:
    """Train ``project`` from scratch into ``out``; the model and the seconds it took."""
    start = time.perf_counter()
    subprocess.run([str(BIN / "rasa"), "train", "--force", "--data", *data, "--out", str(out)],
                   cwd=project, check=True, capture_output=True, env={**os.environ, **QUIET_ENV})
    return max(out.glob("*.tar.gz")), time.perf_counter() - start


def catalogue_database(folder: Path) -> str:
    """A fresh SQLite database in ``folder`` with data/catalogue loaded; its URL."""
    url = f"sqlite:///{folder / 'app.db'}"
    load_catalogue(session_factory(url), PROJECT_ROOT / "data" / "catalogue")
    return url


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (1..99), interpolated between the measured values."""
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def latency_row(name: str, values: list[float], ref: list[float]) -> str:
    """A markdown row of latencies in seconds: n, p50, p95, max (ms) and the ratios to `ref`'s p50 and p95."""
    p50, p95 = pct(values, 50), pct(values, 95)
    return (f"| {name} | {len(values)} | {p50 * 1000:.0f} | {p95 * 1000:.0f} | {max(values) * 1000:.0f} | "
            f"{p50 / pct(ref, 50):.2f} | {p95 / pct(ref, 95):.2f} |")
