"""Planning, running and refusing trainings (console.training.job)."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from console.training.job import (
    STAGE_CANCELLED, STAGE_DONE, STAGE_FAILED, Trainer, TrainingBusy, TrainingJob,
    TrainingPlan, TrainingSettings, build_argv, model_intents, plan_training,
)
from tests.console.training import (
    INTENTS, RASA, domain_text, rasa_env, trained_tiny_model, write_project,
)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return trained_tiny_model(tmp_path_factory)


def write_domain(tmp_path: Path, intents) -> Path:
    path = tmp_path / "domain.yml"
    path.write_text(domain_text(intents), encoding="utf-8")
    return path


def test_model_intents_read_from_the_archive(tiny_model):
    assert model_intents(tiny_model) == set(INTENTS)


def test_same_intents_fine_tune(tiny_model, tmp_path):
    plan = plan_training(write_domain(tmp_path, INTENTS), tiny_model)
    assert plan.mode == "finetune"
    assert plan.live_model == tiny_model
    assert "微调" in plan.reason


def test_intents_written_as_mappings_still_compare_equal(tiny_model, tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text('version: "3.1"\nintents:\n  - greet:\n      use_entities: []\n'
                      "  - goodbye\n  - thanks\n", encoding="utf-8")
    assert plan_training(domain, tiny_model).mode == "finetune"


def test_added_intent_needs_full_training(tiny_model, tmp_path):
    plan = plan_training(write_domain(tmp_path, INTENTS + ("ask_hours",)), tiny_model)
    assert plan.mode == "full"
    assert "新增：ask_hours" in plan.reason and "删除" not in plan.reason
    assert plan.live_model is None


def test_removed_and_added_intents_both_named(tiny_model, tmp_path):
    plan = plan_training(write_domain(tmp_path, ("greet", "goodbye", "ask_hours")), tiny_model)
    assert plan.mode == "full"
    assert "新增：ask_hours" in plan.reason and "删除：thanks" in plan.reason


def test_no_live_model_needs_full_training(tmp_path):
    domain = write_domain(tmp_path, INTENTS)
    for live in (None, tmp_path / "missing.tar.gz"):
        plan = plan_training(domain, live)
        assert plan.mode == "full"
        assert plan.reason == "还没有上线的模型：需要完整训练"


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


def _archive_with_domain(path: Path, domain: str) -> Path:
    """A stand-in model archive holding only the training domain (all the planner reads)."""
    import io
    import tarfile

    from console.training.job import MODEL_DOMAIN_MEMBER

    data = domain.encode("utf-8")
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(MODEL_DOMAIN_MEMBER)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


FAQ_DOMAIN = ('version: "3.1"\nintents:\n  - greet\n  - faq\nresponses:\n'
              "  utter_greet:\n  - text: hi\n  utter_faq/hours:\n  - text: 9 to 5\n")


def _faq_data(folder: Path, keys) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    responses = "".join(f"  utter_faq/{k}:\n  - text: answer {k}\n" for k in keys)
    (folder / "faq.yml").write_text(f'version: "3.1"\nresponses:\n{responses}', encoding="utf-8")
    (folder / "other.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n',
                                      encoding="utf-8")
    return folder


def test_a_new_faq_needs_full_training_and_a_new_faq_example_does_not(tmp_path):
    live = _archive_with_domain(tmp_path / "live.tar.gz", FAQ_DOMAIN)
    domain = tmp_path / "domain.yml"
    domain.write_text('version: "3.1"\nintents:\n  - greet\n  - faq\n', encoding="utf-8")
    same = plan_training(domain, live, [_faq_data(tmp_path / "same", ["hours"])])
    assert same.mode == "finetune" and "常见问题没有变化" in same.reason
    added = plan_training(domain, live, [_faq_data(tmp_path / "added", ["hours", "parking"])])
    assert added.mode == "full" and added.reason == "常见问题有变化（新增：utter_faq/parking）：需要完整训练"
    removed = plan_training(domain, live, [_faq_data(tmp_path / "removed", [])])
    assert removed.mode == "full" and "删除：utter_faq/hours" in removed.reason
