"""Retrain → evaluate → activate → rollback (console.training.pipeline), end to end on the tiny
project with a real `rasa run` serving it through its token-protected admin API.

Trainings are the slow part (about 20 s each for the tiny project), so there are only
three besides the shared first model: the fine-tune of the happy path, one fine-tune that
fails and falls back to a full training (judged with a negative margin, so the same run
also shows the gate blocking a model), and one that is cancelled after a few seconds.
The tests of this module share one Rasa server, one registry database and one models
folder, and each leaves the first model live as it found it.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import stat
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.stack import running_stack
from console.database import open_database
from console.training import registry
from console.training.evaluate import Report
from console.training.job import STAGE_CANCELLED, TrainingBusy, TrainingSettings
from console.training.pipeline import (
    STEP_BLOCKED,
    STEP_CANCELLED,
    STEP_READY,
    ActivationRefused,
    Pipeline,
    PipelineSettings,
)
from console.training.rasa_admin import RasaServer
from tests.support.training import INTENTS, RASA, rasa_env, trained_tiny_model, write_project

TOKEN = "pipeline-test-" + uuid.uuid4().hex
FIRST = "first.tar.gz"

HELDOUT = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello there
    - hey friend
    - hi
- intent: goodbye
  examples: |
    - bye now
    - see you
- intent: thanks
  examples: |
    - thanks so much
    - thank you friend
"""
HELDOUT_TOTAL = 7

#: An example staff added (no new intent, so the pipeline may fine-tune).
ADDED_EXAMPLE = """\
- intent: greet
  examples: |
    - hello there friend
"""

#: Stands in for `rasa`: refuses every fine-tune (as Rasa does when a change cannot be
#: absorbed) and runs the real Rasa otherwise; each call's arguments go to calls.log.
REFUSE_FINETUNE = """\
#!/bin/sh
echo "$*" >> "{calls}"
for arg in "$@"; do
  if [ "$arg" = "--finetune" ]; then
    echo "Cannot finetune: refused by the test wrapper"
    exit 1
  fi
done
exec "{rasa}" "$@"
"""


def executable(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> SimpleNamespace:
    """The tiny project (one added example), a held-out set, and the first model."""
    first_trained = trained_tiny_model(tmp_path_factory)
    root = write_project(tmp_path_factory.mktemp("pipeline_project"))
    with (root / "data" / "nlu.yml").open("a", encoding="utf-8") as nlu:
        nlu.write(ADDED_EXAMPLE)
    heldout = root / "heldout"
    heldout.mkdir()
    (heldout / "nlu.yml").write_text(HELDOUT, encoding="utf-8")
    models = root / "models"
    models.mkdir()
    shutil.copy(first_trained, models / FIRST)
    return SimpleNamespace(root=root, heldout=heldout, models=models, first=models / FIRST,
                           pointer=root / "var" / "active_model", cache=root / ".rasa-cache")


@pytest.fixture(scope="module")
def stack(project, tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("pipeline_stack"), project.first,
                       with_actions=False, project=project.root, api_token=TOKEN,
                       warmup="hello") as running:
        yield running


@pytest.fixture(scope="module")
def rasa(stack) -> RasaServer:
    return RasaServer(stack.rasa_url, TOKEN)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return open_database(f"sqlite:///{tmp_path_factory.mktemp('pipeline_db') / 'console.db'}")


def make_pipeline(project, db, rasa, margin: float = 0.01, rasa_bin: Path = RASA) -> Pipeline:
    root = project.root
    training = TrainingSettings(data=[root / "data"], config=root / "config.yml",
                                domain=root / "domain.yml", out=project.models, rasa=rasa_bin,
                                cwd=root)
    settings = PipelineSettings(models_dir=project.models, heldout_dir=project.heldout,
                                domain_path=root / "domain.yml", training=training,
                                pointer_file=project.pointer, stamp_file=None, margin=margin,
                                training_env=rasa_env(project.cache))
    return Pipeline(db, settings, rasa)


def model_info(pipeline: Pipeline, filename: str) -> registry.ModelInfo:
    return next(m for m in pipeline.models() if m.filename == filename)


def model_files(project) -> set[str]:
    return {p.name for p in project.models.glob("*.tar.gz")}


@pytest.fixture(scope="module")
def finetuned(project, db, rasa) -> SimpleNamespace:
    """One retrain with a lenient gate (margin 1.0): plan, run and the refusals meanwhile."""
    pipeline = make_pipeline(project, db, rasa, margin=1.0)
    before = model_files(project)

    async def scenario() -> SimpleNamespace:
        plan = await pipeline.plan()
        run = await pipeline.start_retrain("trainer1")
        busy = []
        for attempt in (lambda: pipeline.start_retrain("trainer2"),
                        lambda: pipeline.start_evaluation(FIRST)):
            try:
                await attempt()
            except TrainingBusy as error:
                busy.append(str(error))
        running = run.status()
        await pipeline.wait()
        return SimpleNamespace(plan=plan, run=run, busy=busy, running=running)

    result = asyncio.run(scenario())
    result.pipeline, result.before = pipeline, before
    return result


def test_retrain_fine_tunes_and_the_gate_approves(finetuned, project, rasa):
    plan, run, pipeline = finetuned.plan, finetuned.run, finetuned.pipeline
    assert plan.mode == "finetune", plan.reason
    assert "微调" in plan.reason and plan.live_model == project.first.resolve()
    assert finetuned.running["running"] and finetuned.running["step"] == "训练中"
    assert finetuned.running["mode"] == "finetune" and finetuned.running["username"] == "trainer1"

    log = "\n".join(run.job.log) if run.job else ""
    assert run.step == STEP_READY, (run.error, log[-2000:])
    assert run.fallback_reason is None and run.job.mode == "finetune"
    assert run.model_filename and run.model_filename != FIRST
    assert run.model_filename != rasa.live_model()
    new = project.models / run.model_filename
    assert new.is_file() and model_files(project) == finetuned.before | {run.model_filename}
    assert run.live_filename == FIRST
    assert run.comparison is not None and run.comparison.allowed
    assert isinstance(run.report, Report) and run.report.total == HELDOUT_TOTAL
    status = run.status()
    assert status["step"] == STEP_READY and not status["running"] and status["allowed"] is True
    assert status["model"] == run.model_filename and status["compared_with"] == FIRST

    info = model_info(pipeline, run.model_filename)
    assert (info.mode, info.reason, info.trained_by) == ("finetune", plan.reason, "trainer1")
    assert info.train_seconds and info.train_seconds > 0
    assert info.report == run.report and info.compared_with == FIRST
    assert info.gate_allowed is True and info.gate_reasons == tuple(run.comparison.reasons)
    assert not info.ever_live
    # The live model was scored on the way (it had no report yet), with no comparison.
    live = model_info(pipeline, FIRST)
    assert live.report is not None and live.report.total == HELDOUT_TOTAL
    assert live.mode == "external" and live.compared_with is None
    assert set(live.report.per_intent) == set(INTENTS)


def test_busy_while_retraining(finetuned):
    assert len(finetuned.busy) == 2, finetuned.busy
    assert "已有训练任务正在进行" in finetuned.busy[0]
    assert "正在训练或评估" in finetuned.busy[1]


def test_activate_then_roll_back(finetuned, project, db, rasa, stack):
    pipeline, new = finetuned.pipeline, finetuned.run.model_filename
    assert rasa.live_model() == FIRST

    previous, kind = asyncio.run(pipeline.activate(new, "trainer1"))
    assert (previous, kind) == (FIRST, "activate")
    assert rasa.live_model() == new
    assert asyncio.run(pipeline.live_model()) == new
    assert project.pointer.read_text(encoding="utf-8").strip() == new
    latest = registry.activations(db)[0]
    assert (latest.filename, latest.previous, latest.kind, latest.username) == (
        new, FIRST, "activate", "trainer1")
    assert stack.text(f"t-{uuid.uuid4().hex[:8]}", "hello") == "hi"
    assert model_info(pipeline, FIRST).ever_live and model_info(pipeline, new).ever_live

    # The first model was live before, so it goes back without a new evaluation.
    previous, kind = asyncio.run(pipeline.activate(FIRST, "admin1"))
    assert (previous, kind) == (new, "rollback")
    assert rasa.live_model() == FIRST
    assert project.pointer.read_text(encoding="utf-8").strip() == FIRST
    history = registry.activations(db)
    assert [(h.filename, h.previous, h.kind, h.username) for h in history[:2]] == [
        (FIRST, new, "rollback", "admin1"), (new, FIRST, "activate", "trainer1")]
    assert stack.text(f"t-{uuid.uuid4().hex[:8]}", "hello") == "hi"


@pytest.fixture(scope="module")
def fallback(project, db, rasa, tmp_path_factory) -> SimpleNamespace:
    """A retrain whose fine-tune fails, judged by a gate nothing can pass (margin -1.0)."""
    folder = tmp_path_factory.mktemp("fake_rasa")
    calls = folder / "calls.log"
    wrapper = executable(folder / "rasa", REFUSE_FINETUNE.format(calls=calls, rasa=RASA))
    pipeline = make_pipeline(project, db, rasa, margin=-1.0, rasa_bin=wrapper)
    before = model_files(project)

    async def scenario():
        plan = await pipeline.plan()
        run = await pipeline.start_retrain("trainer2")
        await pipeline.wait()
        return plan, run

    plan, run = asyncio.run(scenario())
    return SimpleNamespace(pipeline=pipeline, plan=plan, run=run, before=before,
                           calls=calls.read_text(encoding="utf-8").splitlines())


def test_failed_fine_tune_falls_back_to_full_training(fallback, project):
    plan, run = fallback.plan, fallback.run
    assert plan.mode == "finetune"
    assert len(fallback.calls) == 2, fallback.calls
    assert "--finetune" in fallback.calls[0].split()
    assert "--finetune" not in fallback.calls[1].split()
    assert run.fallback_reason and "完整训练" in run.fallback_reason
    assert run.job is not None and run.job.mode == "full"
    assert run.model_filename, (run.step, run.error, list(run.job.log)[-10:])
    assert (project.models / run.model_filename).is_file()
    assert model_files(project) == fallback.before | {run.model_filename}
    status = run.status()
    assert status["mode"] == "full" and status["fallback_reason"] == run.fallback_reason
    info = model_info(fallback.pipeline, run.model_filename)
    assert (info.mode, info.reason, info.trained_by) == ("full", run.fallback_reason, "trainer2")


def test_gate_blocks_a_worse_model_and_activation_refuses_it(fallback, project, rasa):
    pipeline, run = fallback.pipeline, fallback.run
    assert run.step == STEP_BLOCKED, (run.step, run.error)
    assert run.comparison is not None and not run.comparison.allowed
    assert run.comparison.reasons and "整体准确率" in run.comparison.reasons[0]
    assert run.live_filename == FIRST
    info = model_info(pipeline, run.model_filename)
    assert info.gate_allowed is False and info.gate_reasons == tuple(run.comparison.reasons)
    assert run.status()["allowed"] is False

    def refused(filename: str) -> str:
        with pytest.raises(ActivationRefused) as caught:
            asyncio.run(pipeline.activate(filename, "trainer2"))
        return str(caught.value)

    history = len(registry.activations(pipeline.db))
    message = refused(run.model_filename)
    assert "评估没有通过" in message
    assert all(reason in message for reason in run.comparison.reasons)

    unscored = project.models / "never-evaluated.tar.gz"
    shutil.copy(project.first, unscored)
    try:
        assert "还没有评估" in refused(unscored.name)
    finally:
        unscored.unlink()

    outside = project.root / "outside.tar.gz"
    shutil.copy(project.first, outside)
    for name in ("../outside.tar.gz", "../x.tar.gz", "nope.tar.gz", str(project.first),
                 "first.tar", ""):
        assert "没有找到模型" in refused(name), name

    live = rasa.live_model()
    assert live == FIRST
    assert "已经是线上模型" in refused(live)

    assert rasa.live_model() == FIRST
    assert len(registry.activations(pipeline.db)) == history
    assert project.pointer.read_text(encoding="utf-8").strip() == FIRST


def test_cancel_ends_the_retrain(project, db, rasa):
    pipeline = make_pipeline(project, db, rasa)
    before = model_files(project)

    async def scenario():
        run = await pipeline.start_retrain("trainer3")
        with pytest.raises(TrainingBusy):
            await pipeline.start_retrain("trainer3")
        await asyncio.sleep(2)  # let `rasa train` get going
        assert run.running
        await pipeline.cancel()
        await asyncio.wait_for(pipeline.wait(), 30)
        return run

    run = asyncio.run(scenario())
    assert run.step == STEP_CANCELLED and not run.running
    assert run.job is not None and run.job.stage == STAGE_CANCELLED
    assert run.job.exit_code is not None and run.job.exit_code != 0
    assert run.fallback_reason is None and run.model_filename is None
    assert run.status()["step"] == STEP_CANCELLED
    assert model_files(project) == before
    # Cancelled is finished: a new retrain may start (and is cancelled again at once).
    asyncio.run(_start_and_cancel(pipeline))
    assert pipeline.run.step == STEP_CANCELLED


async def _start_and_cancel(pipeline: Pipeline) -> None:
    await pipeline.start_retrain("trainer3")
    await pipeline.cancel()
    await asyncio.wait_for(pipeline.wait(), 30)


def test_without_a_rasa_server(project, db, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    older, newer = models / "older.tar.gz", models / "newer.tar.gz"
    shutil.copy(project.first, older)
    shutil.copy(project.first, newer)
    now = time.time()
    os.utime(older, (now - 100, now - 100))
    os.utime(newer, (now - 50, now - 50))
    settings = PipelineSettings(models_dir=models, heldout_dir=project.heldout,
                                domain_path=project.root / "domain.yml",
                                training=TrainingSettings(data=[project.root / "data"], out=models,
                                                          cwd=project.root),
                                pointer_file=tmp_path / "var" / "active_model")
    pipeline = Pipeline(db, settings, None)

    # No pointer yet: the newest model, as `rasa run --model models` would load.
    assert asyncio.run(pipeline.live_model()) == "newer.tar.gz"
    assert asyncio.run(pipeline.live_model_or_error()) == ("newer.tar.gz", None)
    plan = asyncio.run(pipeline.plan())
    assert plan.mode == "finetune" and plan.live_model == newer.resolve()

    settings.pointer_file.parent.mkdir()
    settings.pointer_file.write_text("older.tar.gz\n", encoding="utf-8")
    assert asyncio.run(pipeline.live_model()) == "older.tar.gz"

    for name in ("newer.tar.gz", "older.tar.gz", "nope.tar.gz"):
        with pytest.raises(ActivationRefused, match="RASA_URL / RASA_TOKEN"):
            asyncio.run(pipeline.activate(name, "trainer4"))
    assert settings.pointer_file.read_text(encoding="utf-8") == "older.tar.gz\n"

    for path in models.iterdir():
        path.unlink()
    settings.pointer_file.unlink()
    assert asyncio.run(pipeline.live_model()) is None
    assert asyncio.run(pipeline.plan()).mode == "full"


def test_without_a_server_an_unusable_pointer_means_the_newest_model(project, db, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(project.first, models / "only.tar.gz")
    pointer = tmp_path / "active_model"
    settings = PipelineSettings(models_dir=models, heldout_dir=project.heldout,
                                domain_path=project.root / "domain.yml",
                                training=TrainingSettings(data=[project.root / "data"], out=models,
                                                          cwd=project.root),
                                pointer_file=pointer)
    pipeline = Pipeline(db, settings, None)
    for content in ("", "\n", "deleted-since.tar.gz\n"):  # `[ -s file ] && [ -f models/... ]`
        pointer.write_text(content, encoding="utf-8")
        assert asyncio.run(pipeline.live_model()) == "only.tar.gz", repr(content)
