"""Time from pressing "retrain" to the new model answering, for a fine-tune and a full
training, on this machine; and what residents see while the model is swapped.

In one run, on a sandbox copy of the project (console.training.job.copy_training_inputs)
and a real Rasa + action server started on the shipped model:

1. a phrasing the shipped model does not understand is added to the training data;
2. for each mode, the console's own Pipeline retrains, evaluates on the held-out set and
   activates through Rasa's token-protected API; the clock stops when the phrasing is
   answered with the right service through the REST channel;
3. during each activation, 4 simulated residents keep talking; their reply latency
   during the swap is compared with the same run's latency before it (the reference).

    python bench/retrain_to_live.py [--modes finetune,full]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from bot.stack import QUIET_ENV, latest_model, running_stack
from console.database import open_database
from console.teaching.training_data import add_example
from console.training.job import copy_training_inputs
from console.training.pipeline import Pipeline, PipelineSettings
from console.training.rasa_admin import RasaServer

#: A service answer starts with the service's name in 【】; a fallback may list it as a choice.
PHRASE, INTENT, SERVICE = "厂里不要我了钱咋领", "svc_unemployment", "【失业保险金申领】"
BACKGROUND = "社保卡丢了怎么补办"


class Residents:
    """Threads that keep asking a question; latencies tagged by phase."""

    def __init__(self, stack, workers: int = 4) -> None:
        self.stack, self.phase, self.stop = stack, "before", threading.Event()
        self.samples: list[tuple[str, float, bool]] = []
        self.threads = [threading.Thread(target=self._talk, args=(i,), daemon=True) for i in range(workers)]

    def _talk(self, worker: int) -> None:
        i = 0
        while not self.stop.is_set():
            phase, started = self.phase, time.perf_counter()
            try:
                ok = "社会保障卡" in self.stack.text(f"bench-res-{worker}-{i}", BACKGROUND)
            except Exception:  # counted as a failure, never raised in a bench
                ok = False
            self.samples.append((phase, (time.perf_counter() - started) * 1000, ok))
            i += 1

    def __enter__(self) -> Residents:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def stats(self, phase: str) -> tuple[int, float, float, int]:
        values = [ms for p, ms, _ in self.samples if p == phase]
        failures = sum(1 for p, _, ok in self.samples if p == phase and not ok)
        if not values:
            return 0, float("nan"), float("nan"), failures
        return len(values), statistics.median(values), max(values), failures


async def retrain_to_live(pipeline: Pipeline, stack, mode: str) -> tuple[dict, Residents]:
    """Retrain → evaluate → activate → answering, on a quiet machine; residents talk only
    around the activation (5 s before it as the reference, then through the swap)."""
    started = time.perf_counter()
    run = await pipeline.start_retrain("bench", force_full=(mode == "full"))
    while run.step.startswith("训练"):
        await asyncio.sleep(0.5)
    trained = time.perf_counter()
    await pipeline.wait()
    evaluated = time.perf_counter()
    if not run.comparison or not run.comparison.allowed:
        raise SystemExit(f"{mode}: the gate refused the model: {run.status()}")
    with Residents(stack) as residents:
        await asyncio.sleep(5)
        residents.phase = "swap"
        swap_started = time.perf_counter()
        await pipeline.activate(run.model_filename, "bench")
        activated = time.perf_counter()
        residents.phase = "after"
        while SERVICE not in await asyncio.to_thread(stack.text, f"bench-{uuid.uuid4().hex[:6]}", PHRASE):
            await asyncio.sleep(0.2)
        answered = time.perf_counter()
    return ({"requested": mode, "mode": run.job.mode, "plan": run.plan.mode,
             "train": trained - started, "evaluate": evaluated - trained,
             "activate": activated - swap_started,
             # without the 5 s the residents talk before the swap (a measuring aid)
             "total": (evaluated - started) + (answered - swap_started),
             "accuracy": run.report.accuracy if run.report else None}, residents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--modes", default="finetune,full")
    args = parser.parse_args()
    shipped = latest_model()
    with tempfile.TemporaryDirectory(prefix="bench_retrain_") as tmp:
        root = Path(tmp)
        training = copy_training_inputs(root / "project")
        live = training.out / ("shipped-" + shipped.name)
        shutil.copy(shipped, live)
        db_url = f"sqlite:///{root / 'app.db'}"
        load_catalogue(session_factory(db_url), PROJECT_ROOT / "data" / "catalogue")
        add_example(root / "project" / "data" / "nlu", INTENT, PHRASE, domain_path=training.domain)
        token = uuid.uuid4().hex
        env = {**os.environ, **QUIET_ENV, "PYTHONPATH": str(PROJECT_ROOT),
               "RASA_CACHE_DIRECTORY": str(root / "rasa_cache")}
        rows = []
        with running_stack(root / "stack", live, db_url, api_token=token) as stack:
            assert SERVICE not in stack.text("bench-probe", PHRASE), "pick a phrasing the model misses"
            settings = PipelineSettings(models_dir=training.out,
                                        heldout_dir=PROJECT_ROOT / "tests" / "nlu_heldout",
                                        domain_path=training.domain, training=training,
                                        pointer_file=root / "active_model", training_env=env)
            pipeline = Pipeline(open_database(db_url), settings, RasaServer(stack.rasa_url, token))
            swaps = []
            # The shipped model's held-out report first, so each run scores only its candidate.
            asyncio.run(pipeline.evaluate(live.name))
            for mode in args.modes.split(","):
                row, residents = asyncio.run(retrain_to_live(pipeline, stack, mode))
                rows.append(row)
                swaps.append((mode, residents))
                print(f"{mode} done in {row['total']:.1f} s", flush=True)
                # back to the shipped model, so the next mode starts from the same place
                asyncio.run(pipeline.activate(live.name, "bench"))

    print("\n## Retrain to live (this machine, one run)\n")
    print("| mode (planned → ran) | train s | evaluate s | activate s | retrain → answering s | held-out acc |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        acc = f"{r['accuracy'] * 100:.1f}%" if r["accuracy"] is not None else "—"
        print(f"| {r['plan']} → {r['mode']} | {r['train']:.1f} | {r['evaluate']:.1f} | "
              f"{r['activate']:.1f} | **{r['total']:.1f}** | {acc} |")
    if len(rows) == 2:
        print(f"\nfine-tune / full: ×{rows[0]['total'] / rows[1]['total']:.2f} (target: fine-tune < 90 s)")
    print("\n## Residents' replies around the swap (4 concurrent senders; reference: the 5 s before it)\n")
    print("| activation | phase | replies | p50 ms | max ms | failed | p50 vs before |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for mode, residents in swaps:
        before = residents.stats("before")
        for phase in ("before", "swap", "after"):
            n, p50, worst, failed = residents.stats(phase)
            print(f"| {mode} | {phase} | {n} | {p50:.0f} | {worst:.0f} | {failed} | ×{p50 / before[1]:.2f} |")


if __name__ == "__main__":
    main()
