"""Running and refusing trainings (console.training.job)."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from console.training.job import (
    STAGE_CANCELLED,
    STAGE_DONE,
    STAGE_FAILED,
    Trainer,
    TrainingBusy,
    TrainingJob,
    TrainingSettings,
    build_argv,
)
from console.training.plan import TrainingPlan
from tests.support.training import RASA, rasa_env, write_project


def test_finetune_argv(tmp_path):
    settings = TrainingSettings(
        data=[tmp_path / "data" / "nlu", tmp_path / "data" / "rules"], config=tmp_path / "c.yml",
        domain=tmp_path / "d.yml", out=tmp_path / "models", rasa=Path("/venv/bin/rasa"),
    )
    live = tmp_path / "models" / "live.tar.gz"
    argv = build_argv(TrainingPlan("finetune", "…", live), settings)
    assert argv == [
        "/venv/bin/rasa", "train", "--data", str(tmp_path / "data" / "nlu"),
        str(tmp_path / "data" / "rules"), "--config", str(tmp_path / "c.yml"),
        "--domain", str(tmp_path / "d.yml"), "--out", str(tmp_path / "models"), "--skip-validation",
        "--finetune", str(live), "--epoch-fraction", "0.2",
    ]
    full = build_argv(TrainingPlan("full", "…"), settings)
    assert "--finetune" not in full and "--epoch-fraction" not in full
    with pytest.raises(ValueError):
        build_argv(TrainingPlan("finetune", "…"), settings)


def test_output_parsing_with_carriage_returns(tmp_path):
    """tqdm rewrites its line with \\r; the model path is relative to Rasa's cwd."""
    script = (
        "import sys\n"
        "w = sys.stdout.write\n"
        "w(\"INFO rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'.\\n\")\n"
        "w('Epochs:   0%|          | 0/100 [00:00<?, ?it/s]\\r')\n"
        "w('Epochs:  17%|#         | 17/100 [00:08<00:34,  8.60s/it, t_loss=4.6]\\r')\n"
        "w(\"INFO Finished training component 'DIETClassifier'.\\n\")\n"
        "w(\"\\x1b[92mYour Rasa model is trained and saved at 'models/m.tar.gz'.\\x1b[0m\\n\")\n"
    )

    async def run() -> dict:
        job = TrainingJob([sys.executable, "-c", script], cwd=tmp_path)
        await job.start()
        return await job.wait()

    status = asyncio.run(run())
    assert status["epochs_by_component"] == {"DIETClassifier": [17, 100]}
    assert status["stage"] == STAGE_DONE and status["exit_code"] == 0
    assert status["model_path"] == str(tmp_path / "models" / "m.tar.gz")
    assert "Epochs:  17%|#         | 17/100 [00:08<00:34,  8.60s/it, t_loss=4.6]" in status["log"]


@pytest.mark.parametrize(("component", "stage"), [
    ("DIETClassifier", "训练意图分类器（DIET）"),
    ("FaqResponseSelector", "训练常见问题答案选择器"),
    ("CountVectorsFeaturizer", "训练词频特征"),
    ("SomethingNew", "训练组件（SomethingNew）"),
    ("RulePolicy", "训练对话策略"),
])
def test_stages_name_components_in_chinese(component, stage):
    job = TrainingJob(["rasa"])
    job._feed(f"INFO rasa.engine.training.hooks  - Starting to train component '{component}'.")
    assert job.stage == stage


def test_real_training_reports_progress_and_refuses_a_second_job(tmp_path):
    root = write_project(tmp_path / "project")
    settings = TrainingSettings(
        data=[root / "data"], config=root / "config.yml", domain=root / "domain.yml",
        out=root / "out", rasa=RASA, cwd=root, fixed_model_name="job",
    )
    trainer = Trainer(settings)
    plan = TrainingPlan("full", "还没有上线的模型：需要完整训练")

    async def run() -> tuple[dict, dict]:
        job = await trainer.start(plan, env=rasa_env(tmp_path / "cache"))
        with pytest.raises(TrainingBusy, match="已有训练任务正在进行"):
            await trainer.start(plan)
        first = job.status()
        return first, await job.wait()

    first, final = asyncio.run(run())
    assert first["running"] and first["stage"] == "准备数据"
    assert final["stage"] == STAGE_DONE, final["log"]
    assert final["exit_code"] == 0 and not final["running"]
    assert final["epochs_by_component"]["DIETClassifier"] == [5, 5]
    assert Path(final["model_path"]) == root / "out" / "job.tar.gz"
    assert Path(final["model_path"]).is_file()
    assert final["elapsed_seconds"] > 0
    assert 0 < len(final["log"]) <= 50
    assert trainer.status() == final


def test_bad_config_fails_without_raising(tmp_path):
    root = write_project(tmp_path / "project")
    (root / "config.yml").write_text(
        "recipe: default.v1\nlanguage: en\npipeline:\n  - name: NoSuchComponent\n"
        "policies:\n  - name: RulePolicy\n", encoding="utf-8")
    settings = TrainingSettings(
        data=[root / "data"], config=root / "config.yml", domain=root / "domain.yml",
        out=root / "out", rasa=RASA, cwd=root,
    )

    async def run() -> dict:
        job = await Trainer(settings).start(TrainingPlan("full", "…"),
                                            env=rasa_env(tmp_path / "cache"))
        return await job.wait()

    status = asyncio.run(run())
    assert status["stage"] == STAGE_FAILED
    assert status["exit_code"] != 0
    assert status["model_path"] is None


def test_missing_rasa_fails_without_raising(tmp_path):
    async def run() -> dict:
        job = TrainingJob([str(tmp_path / "no-rasa"), "train"])
        await job.start()
        return await job.wait()

    status = asyncio.run(run())
    assert status["stage"] == STAGE_FAILED and status["exit_code"] == 127
    assert not status["running"]


def test_cancel_stops_the_process():
    async def run() -> dict:
        job = TrainingJob([sys.executable, "-c", "import time; time.sleep(60)"])
        await job.start()
        await job.cancel()
        return job.status()

    status = asyncio.run(run())
    assert status["stage"] == STAGE_CANCELLED
    assert status["exit_code"] != 0 and not status["running"]
