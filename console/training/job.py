"""Retraining in the background for the staff console, with progress staff can follow.

`TrainingJob` runs `rasa train` as a subprocess (never in-process: TensorFlow holds its
memory and threads until the process exits, and a crash must not take the console down)
and turns its output into a status dict: stage, epochs, elapsed time, model path. A
`Trainer` allows one job at a time, since two trainings on two cores would each take twice
as long and fight over the output directory. What to train (fine-tune or full) is
decided beforehand, in plan.py.
"""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from console.training.components import component_label
from console.training.plan import TrainingPlan

#: Share of the configured epochs a fine-tune runs ("约五分之一轮次").
DEFAULT_EPOCH_FRACTION = 0.2
LOG_TAIL_LINES = 50
#: Rasa policies; training any of them is reported as one stage.
POLICY_NAMES = {
    "RulePolicy", "TEDPolicy", "MemoizationPolicy", "AugmentedMemoizationPolicy",
    "UnexpecTEDIntentPolicy",
}

STAGE_QUEUED = "等待开始"
STAGE_PREPARING = "准备数据"
STAGE_POLICIES = "训练对话策略"
STAGE_SAVING = "保存模型"
STAGE_DONE = "完成"
STAGE_FAILED = "失败"
STAGE_CANCELLED = "已取消"

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_EPOCHS_RE = re.compile(r"Epochs:\s*\d+%\|[^|]*\|\s*(\d+)/(\d+)")
_START_RE = re.compile(r"Starting to train component '([^']+)'")
_FINISH_RE = re.compile(r"Finished training component '([^']+)'")
_SAVED_RE = re.compile(r"Your Rasa model is trained and saved at '([^']+)'")


class TrainingBusy(RuntimeError):
    """A second training was asked for while one is running."""


@dataclass
class TrainingSettings:
    """What to train on and where to put the model (defaults: this project, as `make train`)."""

    data: Sequence[Path] = (PROJECT_ROOT / "data" / "nlu", PROJECT_ROOT / "data" / "rules")
    config: Path = PROJECT_ROOT / "config.yml"
    domain: Path = PROJECT_ROOT / "domain.yml"
    out: Path = PROJECT_ROOT / "models"
    rasa: Path = Path(sys.executable).parent / "rasa"
    cwd: Path = PROJECT_ROOT
    epoch_fraction: float = DEFAULT_EPOCH_FRACTION
    fixed_model_name: str | None = None


def copy_training_inputs(root: Path, source: Path = PROJECT_ROOT) -> TrainingSettings:
    """Copy what training reads (data/nlu, data/rules, data/dict, config, domain) under
    `root` and return settings that train there into root/models: a sandbox for tests and
    benchmarks that must not touch the project's data or models."""
    root = Path(root)
    for part in ("nlu", "rules", "dict"):
        shutil.copytree(source / "data" / part, root / "data" / part)
    for name in ("config.yml", "domain.yml"):
        shutil.copy(source / name, root / name)
    (root / "models").mkdir(exist_ok=True)
    return TrainingSettings(data=(root / "data" / "nlu", root / "data" / "rules"),
                            config=root / "config.yml", domain=root / "domain.yml",
                            out=root / "models", cwd=root)


def build_argv(plan: TrainingPlan, settings: TrainingSettings) -> list[str]:
    """The `rasa train` command line for `plan`."""
    # No `rasa data validate` pass (about 10 s): the console's edits keep the data valid
    # (tested with the validator), and CI validates everything else.
    argv = [str(settings.rasa), "train", "--data", *map(str, settings.data),
            "--config", str(settings.config), "--domain", str(settings.domain),
            "--out", str(settings.out), "--skip-validation"]
    if settings.fixed_model_name:
        argv += ["--fixed-model-name", settings.fixed_model_name]
    if plan.mode == "finetune":
        if plan.live_model is None:
            raise ValueError("微调需要一个上线的模型")
        argv += ["--finetune", str(plan.live_model),
                 "--epoch-fraction", str(settings.epoch_fraction)]
    return argv


def training_env() -> dict[str, str]:
    """Environment for the training process: quiet TensorFlow, no telemetry."""
    env = dict(os.environ)
    env.update(TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false")
    return env


@dataclass
class TrainingJob:
    """One `rasa train` subprocess and what its output says about progress."""

    argv: list[str]
    cwd: Path | None = None
    env: dict[str, str] | None = None
    mode: str = "full"
    stage: str = STAGE_QUEUED
    epoch: int | None = None
    epochs: int | None = None
    #: Last progress of each component that showed an epoch bar: name -> [epoch, epochs].
    epochs_by_component: dict = field(default_factory=dict)
    component: str | None = None
    model_path: Path | None = None
    exit_code: int | None = None
    log: deque = field(default_factory=lambda: deque(maxlen=LOG_TAIL_LINES))
    started_at: float | None = None
    finished_at: float | None = None
    _process: asyncio.subprocess.Process | None = field(default=None, repr=False)
    _task: asyncio.Task[None] | None = field(default=None, repr=False)
    _cancelled: bool = field(default=False, repr=False)

    @property
    def running(self) -> bool:
        """Started and not yet finished (true from the first moment of `start`)."""
        return self.started_at is not None and self.finished_at is None

    async def start(self) -> None:
        """Start the subprocess; progress is then read in a background task."""
        if self.started_at is not None:
            raise TrainingBusy("这个训练任务已经开始过了")
        self.started_at = time.monotonic()
        self.stage = STAGE_PREPARING
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self.argv, cwd=str(self.cwd) if self.cwd else None,
                env=self.env if self.env is not None else training_env(),
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT, start_new_session=True,
            )
        except OSError as exc:  # rasa missing or not executable: a failed job, not a crash
            self.log.append(f"无法启动训练：{exc}")
            self._finish(127)
            return
        self._task = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        buffer = ""
        while True:
            chunk = await self._process.stdout.read(4096)
            if not chunk:
                break
            buffer += chunk.decode("utf-8", errors="replace")
            *lines, buffer = re.split(r"\r\n|\r|\n", buffer)
            for line in lines:
                self._feed(line)
        if buffer:
            self._feed(buffer)
        self._finish(await self._process.wait())

    def _feed(self, raw: str) -> None:
        """Update progress from one line of output."""
        line = _ANSI_RE.sub("", raw).rstrip()
        if not line.strip():
            return
        self.log.append(line)
        if match := _EPOCHS_RE.search(line):
            self.epoch, self.epochs = int(match.group(1)), int(match.group(2))
            if self.component:
                self.epochs_by_component[self.component] = [self.epoch, self.epochs]
        elif match := _START_RE.search(line):
            name = self.component = match.group(1)
            self.stage = STAGE_POLICIES if name in POLICY_NAMES else f"训练{component_label(name)}"
            self.epoch = self.epochs = None
        elif _FINISH_RE.search(line):
            # Rasa logs nothing while it packs the archive; if another component follows,
            # its "Starting" line replaces this stage at once.
            self.stage = STAGE_SAVING
        elif match := _SAVED_RE.search(line):
            path = Path(match.group(1))
            if not path.is_absolute() and self.cwd is not None:
                path = Path(self.cwd) / path
            self.model_path = path

    def _finish(self, code: int) -> None:
        self.exit_code = code
        self.finished_at = time.monotonic()
        if self._cancelled:
            self.stage = STAGE_CANCELLED
        elif code == 0 and self.model_path is not None:
            self.stage = STAGE_DONE
        else:
            self.stage = STAGE_FAILED

    def status(self) -> dict[str, Any]:
        """Progress for the console page (JSON-serialisable)."""
        elapsed = None
        if self.started_at is not None:
            elapsed = round((self.finished_at or time.monotonic()) - self.started_at, 1)
        return {
            "mode": self.mode,
            "stage": self.stage,
            "epoch": self.epoch,
            "epochs": self.epochs,
            "epochs_by_component": {k: list(v) for k, v in self.epochs_by_component.items()},
            "elapsed_seconds": elapsed,
            "model_path": str(self.model_path) if self.model_path else None,
            "exit_code": self.exit_code,
            "running": self.running,
            "log": list(self.log),
        }

    async def wait(self) -> dict[str, Any]:
        """Wait for the training to end; returns the final status."""
        if self._task is not None:
            await self._task
        return self.status()

    async def cancel(self) -> None:
        """Stop the training (its whole process group: Rasa may start helpers)."""
        if self._process is None or self._process.returncode is not None:
            return
        self._cancelled = True
        try:
            os.killpg(self._process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            await asyncio.wait_for(self.wait(), timeout=20)
        except asyncio.TimeoutError:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            await self.wait()


class Trainer:
    """Runs at most one training at a time for the console."""

    def __init__(self, settings: TrainingSettings | None = None) -> None:
        self.settings = settings or TrainingSettings()
        self.job: TrainingJob | None = None

    async def start(self, plan: TrainingPlan, env: dict[str, str] | None = None) -> TrainingJob:
        """Start training per `plan`; refuses while another job is running."""
        if self.job is not None and self.job.running:
            raise TrainingBusy("已有训练任务正在进行，请等它结束后再开始")
        job = TrainingJob(build_argv(plan, self.settings), cwd=self.settings.cwd,
                          env=env, mode=plan.mode)
        self.job = job
        await job.start()
        return job

    def status(self) -> dict[str, Any] | None:
        """The current (or last) job's status; None before the first training."""
        return self.job.status() if self.job else None
