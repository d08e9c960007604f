"""Retrain → evaluate → activate, the console's one path to putting a model live.

`Pipeline.start_retrain` plans (fine-tune or full, plan.py), trains (job.py) in the
background, falls back to a full training when a fine-tune fails (Rasa refuses some
changes a fine-tune cannot absorb), then scores the new model and the live one on the
held-out set in a child process and stores the gate's verdict in the registry.
`activate` loads a model into the running Rasa server through its token-protected API;
a model that fails the gate is refused, and a model older than the live one that was live
before can be put back without the gate (rollback; registry.may_roll_back). Both the web
pages and the CLI drive this class, so they cannot differ.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker

from bot.config import PROJECT_ROOT
from console.teaching.targets import Targets, read_targets
from console.training import registry, taught
from console.training.evaluate import Comparison, EvaluationFailed, Report, compare, evaluate_in_subprocess
from console.training.job import (
    STAGE_CANCELLED,
    STAGE_DONE,
    Trainer,
    TrainingBusy,
    TrainingJob,
    TrainingSettings,
)
from console.training.phrasing_checks import PhrasingCheck, check_phrasings
from console.training.plan import TrainingPlan, plan_training
from console.training.rasa_admin import RasaServer, RasaUnavailable, server_from_env

logger = logging.getLogger(__name__)

STEP_TRAINING = "训练中"
STEP_EVALUATING = "评估中"
STEP_READY = "评估完成，可以上线"
STEP_BLOCKED = "评估完成，不能上线"
STEP_FAILED = "失败"
STEP_CANCELLED = "已取消"


class ActivationRefused(RuntimeError):
    """The model may not go live (message in Chinese, shown to staff)."""


@dataclass
class PipelineSettings:
    models_dir: Path
    heldout_dir: Path
    domain_path: Path
    training: TrainingSettings
    #: The file name of the model put live last; scripts/run.sh starts Rasa with it.
    pointer_file: Path | None = None
    #: `make train`'s stamp, touched after a console training (the model matches the data).
    stamp_file: Path | None = None
    margin: float = 0.01
    #: Environment for `rasa train` (None: console.training.job.training_env()).
    training_env: dict[str, str] | None = None

    @classmethod
    def for_project(cls, root: Path = PROJECT_ROOT, var_dir: Path | None = None) -> PipelineSettings:
        """This project's layout, as `make train` and scripts/run.sh use it."""
        var_dir = Path(var_dir or os.environ.get("GOV_VAR_DIR") or root / "var")
        return cls(models_dir=root / "models", heldout_dir=root / "tests" / "nlu_heldout",
                   domain_path=root / "domain.yml", training=TrainingSettings(),
                   pointer_file=var_dir / "active_model", stamp_file=root / "models" / ".trained")


def project_pipeline(db: sessionmaker) -> Pipeline:
    """The pipeline for this project, talking to the Rasa server named by RASA_URL/RASA_TOKEN."""
    return Pipeline(db, PipelineSettings.for_project(), server_from_env())


@dataclass
class RetrainRun:
    """One press of "retrain": its plan, the training job(s), and the evaluation."""

    plan: TrainingPlan
    username: str
    step: str = STEP_TRAINING
    job: TrainingJob | None = None
    fallback_reason: str | None = None
    model_filename: str | None = None
    live_filename: str | None = None
    report: Report | None = None
    comparison: Comparison | None = None
    error: str | None = None
    started_at: float = field(default_factory=time.monotonic)
    finished_at: float | None = None

    @property
    def running(self) -> bool:
        return self.finished_at is None

    def status(self) -> dict[str, Any]:
        end = self.finished_at or time.monotonic()
        return {
            "step": self.step,
            "mode": self.job.mode if self.job else self.plan.mode,
            "reason": self.plan.reason,
            "fallback_reason": self.fallback_reason,
            "username": self.username,
            "running": self.running,
            "elapsed_seconds": round(end - self.started_at, 1),
            "training": self.job.status() if self.job else None,
            "model": self.model_filename,
            "compared_with": self.live_filename,
            "allowed": self.comparison.allowed if self.comparison else None,
            "reasons": list(self.comparison.reasons) if self.comparison else [],
            "error": self.error,
        }


class Pipeline:
    """Retrain, evaluate and activate for one models folder.

    `db` is the console's database (console.database.open_database: the registry's
    tables exist); `rasa` the server models are put live on (None: they cannot be).
    """

    def __init__(self, db: sessionmaker, settings: PipelineSettings,
                 rasa: RasaServer | None) -> None:
        self.db = db
        if Path(settings.training.out).resolve() != Path(settings.models_dir).resolve():
            raise ValueError("training.out must be models_dir: trained models are looked up there")
        self.settings = settings
        self.rasa = rasa
        self.trainer = Trainer(settings.training)
        self.run: RetrainRun | None = None
        self._task: asyncio.Task[None] | None = None
        self._activation_lock = asyncio.Lock()
        #: Model being scored on request (the models page's 评估 button), and the last error.
        self.evaluating: str | None = None
        self.evaluation_error: str | None = None
        #: The model whose evaluation the page shows: the last one trained or scored on request.
        self.reviewed: str | None = None

    # --- what is live -----------------------------------------------------------------

    async def live_model(self) -> str | None:
        """File name of the model Rasa serves (asks Rasa; the pointer file without a server)."""
        if self.rasa is not None:
            return await asyncio.to_thread(self.rasa.live_model)
        pointer = self.settings.pointer_file
        if pointer is not None and pointer.is_file():
            name = pointer.read_text(encoding="utf-8").strip()
            if name and registry.find_model(self.settings.models_dir, name):
                return name  # what scripts/run.sh starts Rasa with
        models = sorted(Path(self.settings.models_dir).glob("*.tar.gz"), key=os.path.getmtime)
        return models[-1].name if models else None  # what `rasa run --model models` loads

    async def live_model_or_error(self) -> tuple[str | None, str | None]:
        """(live model, None) or (None, why it could not be asked) for pages."""
        try:
            return await self.live_model(), None
        except RasaUnavailable as error:
            return None, str(error)

    def models(self) -> list[registry.ModelInfo]:
        return registry.list_models(self.db, self.settings.models_dir)

    def labels(self) -> Targets:
        """Intents in Chinese, as the inbox names them (teaching/targets.py): the catalogue's
        service names, the FAQ questions of the training data's NLU folder (the first data
        folder, data/nlu in this project), the dialogue intents' descriptions."""
        return read_targets(self.db, Path(self.settings.training.data[0]), self.settings.domain_path)

    def taught_between(self, base: registry.ModelInfo | None,
                       model: registry.ModelInfo) -> taught.Teaching:
        """What staff taught after `base` began training and before `model` did: what
        `model` should know that `base` did not (nothing without a base, or for an older model)."""
        if base is None or base.filename == model.filename:
            return taught.Teaching((), frozenset(), ())
        return taught.taught_between(self.db, base.training_started, model.training_started)

    def phrasing_checks(self, filename: str,
                        models: list[registry.ModelInfo] | None = None) -> list[PhrasingCheck] | None:
        """The phrasings taught between the model `filename` was compared with and it, each
        with what it understood at its evaluation; None when it was compared with nothing."""
        found = {m.filename: m for m in (models if models is not None else self.models())}
        model = found.get(filename)
        if model is None or not model.compared_with or model.compared_with not in found:
            return None
        return check_phrasings(self.taught_between(found[model.compared_with], model), model.report)

    # --- retrain ----------------------------------------------------------------------

    async def plan(self) -> TrainingPlan:
        live, _ = await self.live_model_or_error()
        return await self.plan_for(live)

    async def plan_for(self, live: str | None) -> TrainingPlan:
        """The plan against a live model already asked for (one Rasa call per page)."""
        live_path = registry.find_model(self.settings.models_dir, live) if live else None
        return await asyncio.to_thread(plan_training, self.settings.domain_path, live_path,
                                       self.settings.training.data)

    async def start_retrain(self, username: str, force_full: bool = False) -> RetrainRun:
        """Plan and start; TrainingBusy while another retrain is running."""
        if self.run is not None and self.run.running:
            raise TrainingBusy("已有训练任务正在进行，请等它结束后再开始")
        if self.evaluating is not None:
            raise TrainingBusy("正在评估模型，请等评估结束后再开始训练")
        plan = await self.plan()
        if force_full and plan.mode == "finetune":
            plan = TrainingPlan("full", "按要求完整训练（不用微调）")
        run = RetrainRun(plan, username)
        run.job = await self.trainer.start(plan, self.settings.training_env)
        self.run = run
        self._task = asyncio.create_task(self._drive(run))
        return run

    async def wait(self) -> RetrainRun | None:
        """Wait until the current retrain (training and evaluation) has finished."""
        if self._task is not None:
            await self._task
        return self.run

    @property
    def training(self) -> bool:
        """A training job (not just the evaluation after it) is running."""
        return self.run is not None and self.run.job is not None and self.run.job.running

    async def cancel(self) -> bool:
        """Stop the running training; False when there was none to stop."""
        if not self.training:
            return False
        assert self.run is not None and self.run.job is not None
        await self.run.job.cancel()
        return True

    async def _drive(self, run: RetrainRun) -> None:
        try:
            assert run.job is not None
            status = await run.job.wait()
            if status["stage"] != STAGE_DONE and status["stage"] != STAGE_CANCELLED \
                    and run.job.mode == "finetune":
                run.fallback_reason = "微调没有成功（Rasa 不接受这次改动的微调）：改为完整训练"
                run.job = await self.trainer.start(TrainingPlan("full", run.fallback_reason),
                                                   self.settings.training_env)
                status = await run.job.wait()
            if status["stage"] == STAGE_CANCELLED:
                run.step = STEP_CANCELLED
                return
            if status["stage"] != STAGE_DONE or not status["model_path"]:
                run.step, run.error = STEP_FAILED, "训练失败，请查看训练日志的最后几行"
                return
            model = Path(status["model_path"])
            run.model_filename = self.reviewed = model.name
            await asyncio.to_thread(registry.record_training, self.db, model, run.job.mode,
                                    run.fallback_reason or run.plan.reason, run.username,
                                    status["elapsed_seconds"])
            stamp = self.settings.stamp_file
            if stamp is not None and stamp.exists():
                stamp.touch()
            run.step = STEP_EVALUATING
            run.report, run.live_filename, comparison = await self._score(model.name)
            run.comparison = comparison
            run.step = STEP_READY if comparison.allowed else STEP_BLOCKED
        except (EvaluationFailed, RasaUnavailable, TrainingBusy, ActivationRefused, OSError) as error:
            run.step, run.error = STEP_FAILED, str(error)
        except Exception as error:  # never leave the page showing "评估中" forever
            logger.exception("retrain failed")
            run.step, run.error = STEP_FAILED, f"内部错误：{type(error).__name__}"
        finally:
            run.finished_at = time.monotonic()

    # --- evaluate ---------------------------------------------------------------------

    async def evaluate(self, filename: str) -> Comparison:
        """Score `filename` (and the live model, if not scored yet) and store the verdict."""
        return (await self._score(filename))[2]

    async def _score(self, filename: str) -> tuple[Report, str | None, Comparison]:
        """`evaluate`, also returning the report and the live model it was compared with."""
        path = registry.find_model(self.settings.models_dir, filename)
        if path is None:
            raise ActivationRefused(f"没有找到模型 {filename}")
        live = await self.live_model()
        live_path = registry.find_model(self.settings.models_dir, live) if live else None
        live_report = None
        if live and live_path:
            live_report = await asyncio.to_thread(registry.report_of, self.db, live)
        todo = [path]
        if live_path is not None and live_report is None and live_path != path:
            todo.append(live_path)
        models = {m.filename: m for m in await asyncio.to_thread(self.models)}
        phrasings: list[str] = []
        if live_path is not None and live_path != path and filename in models and live in models:
            teaching = await asyncio.to_thread(self.taught_between, models[str(live)], models[filename])
            phrasings = [t.text for t in teaching.taught]
        reports = await evaluate_in_subprocess(todo, self.settings.heldout_dir, phrasings=phrasings)
        report = reports[0]
        if live and len(reports) > 1:  # the live model's first score (only it is ever second)
            live_report = reports[1]
            await asyncio.to_thread(registry.record_evaluation, self.db, live, live_report, None,
                                    compare(live_report, None, self.settings.margin, candidate_is_live=True))
        if live_path == path:
            comparison = compare(report, None, self.settings.margin, candidate_is_live=True)
            compared = None
        else:
            labels = await asyncio.to_thread(self.labels)
            comparison = compare(report, live_report, self.settings.margin, label=labels.label_of)
            compared = live if live_path else None
        await asyncio.to_thread(registry.record_evaluation, self.db, filename, report, compared,
                                comparison)
        return report, compared, comparison

    async def start_evaluation(self, filename: str) -> None:
        """Score a model in the background (one at a time, never during a retrain)."""
        if self.evaluating is not None or (self.run is not None and self.run.running):
            raise TrainingBusy("正在训练或评估，请稍后再试")
        if registry.find_model(self.settings.models_dir, filename) is None:
            raise ActivationRefused(f"没有找到模型 {filename}")
        self.evaluating, self.evaluation_error, self.reviewed = filename, None, filename

        async def score() -> None:
            try:
                await self.evaluate(filename)
            except (EvaluationFailed, RasaUnavailable, ActivationRefused, OSError) as error:
                self.evaluation_error = f"{filename}：{error}"
            finally:
                self.evaluating = None

        self._eval_task = asyncio.create_task(score())

    # --- activate ---------------------------------------------------------------------

    async def activate(self, filename: str, username: str,
                       rollback_only: bool = False) -> tuple[str | None, str]:
        """Put `filename` live; returns (previous live model, "activate" or "rollback").

        A model older than the live one that was live before goes back without a new
        evaluation (rollback); any other, a newer model that was once live too, needs the
        gate's approval from `evaluate`. `rollback_only` refuses anything but a rollback
        (the CLI's ``model rollback``).
        """
        if self.rasa is None:
            raise ActivationRefused("没有配置对话服务的管理地址和令牌（RASA_URL / RASA_TOKEN），无法上线")
        path = registry.find_model(self.settings.models_dir, filename)
        if path is None:
            raise ActivationRefused(f"没有找到模型 {filename}")
        async with self._activation_lock:
            models = {m.filename: m for m in await asyncio.to_thread(self.models)}
            info = models.get(filename)
            previous = await self.live_model()
            if previous == filename:
                raise ActivationRefused(f"{filename} 已经是线上模型")
            live_info = models.get(previous) if previous else None
            kind = "rollback" if info is not None and registry.may_roll_back(info, live_info) else "activate"
            if rollback_only and kind != "rollback":
                raise ActivationRefused(f"{filename} 不能回滚：只能回滚到比线上模型更早、并且曾经上线过的模型")
            if kind == "activate":
                if info is None or info.gate_allowed is None:
                    raise ActivationRefused("这个模型还没有评估，请先评估再上线")
                if not info.gate_allowed:
                    raise ActivationRefused("评估没有通过，不能上线：" + "；".join(info.gate_reasons))
            await asyncio.to_thread(self.rasa.load, path)
            await asyncio.to_thread(registry.record_activation, self.db, filename, previous, kind,
                                    username)
            pointer = self.settings.pointer_file
            if pointer is not None:
                pointer.parent.mkdir(parents=True, exist_ok=True)
                tmp = pointer.with_suffix(".tmp")
                tmp.write_text(filename + "\n", encoding="utf-8")
                tmp.replace(pointer)
            return previous, kind
