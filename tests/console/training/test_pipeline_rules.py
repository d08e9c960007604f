"""The pipeline's rules without training: which activation is a rollback, and what the
evaluation parses besides the held-out set (console.training.pipeline, registry).

Models are archives holding only their domain, Rasa is a stand-in that remembers what it
loaded, and the evaluation subprocess is replaced by fake reports, so every rule is
checked in milliseconds; test_pipeline.py runs the same path with real trainings.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import pytest

from console.auth.audit import record
from console.training import pipeline as pipeline_module
from console.training import registry
from console.training.evaluate import IS_LIVE, NO_LIVE_MODEL, Report
from console.training.job import TrainingSettings
from console.training.pipeline import ActivationRefused, Pipeline, PipelineSettings
from tests.support.training import FakeRasa, fake_model, write_project

OLD, LIVE, NEW = "20261201-old.tar.gz", "20261202-live.tar.gz", "20261203-new.tar.gz"


@pytest.fixture()
def setup(console_db, tmp_path):
    project = write_project(tmp_path / "project")
    models = tmp_path / "models"
    models.mkdir()
    now = time.time()
    for age, name in ((3000, OLD), (2000, LIVE), (1000, NEW)):
        fake_model(models / name, mtime=now - age)
    rasa = FakeRasa(LIVE)
    training = TrainingSettings(data=[project / "data"], config=project / "config.yml",
                                domain=project / "domain.yml", out=models, cwd=project)
    settings = PipelineSettings(models_dir=models, heldout_dir=tmp_path / "heldout",
                                domain_path=project / "domain.yml", training=training,
                                pointer_file=tmp_path / "var" / "active_model")
    registry.record_activation(console_db, LIVE, OLD, "activate", "li.si")  # OLD was live before LIVE
    return Pipeline(console_db, settings, rasa), rasa


def info(pipe: Pipeline, filename: str) -> registry.ModelInfo:
    return next(m for m in pipe.models() if m.filename == filename)


def allow(pipe: Pipeline, filename: str) -> None:
    registry.record_evaluation(pipe.db, filename, Report(0.9), LIVE, pipeline_module.compare(Report(0.9), None))


def test_only_older_models_that_were_live_are_rollbacks(setup):
    pipe, _ = setup
    live = info(pipe, LIVE)
    assert registry.may_roll_back(info(pipe, OLD), live)
    assert not registry.may_roll_back(info(pipe, NEW), live)  # newer, never live
    assert not registry.may_roll_back(live, live)
    assert not registry.may_roll_back(info(pipe, OLD), None)  # live model unknown


def test_rollback_needs_no_gate_and_the_newer_model_then_needs_one(setup):
    pipe, rasa = setup
    assert asyncio.run(pipe.activate(OLD, "zhao")) == (LIVE, "rollback")
    assert rasa.loaded == [OLD]
    assert pipe.settings.pointer_file.read_text(encoding="utf-8").strip() == OLD
    assert registry.went_live(pipe.db, OLD).kind == "rollback"
    assert registry.went_live(pipe.db, NEW) is None

    # LIVE was live, but it is newer than OLD now: going back to it is 上线, through the gate.
    assert not registry.may_roll_back(info(pipe, LIVE), info(pipe, OLD))
    with pytest.raises(ActivationRefused, match="不能回滚"):
        asyncio.run(pipe.activate(LIVE, "zhao", rollback_only=True))
    with pytest.raises(ActivationRefused, match="还没有评估"):
        asyncio.run(pipe.activate(LIVE, "zhao"))
    allow(pipe, LIVE)
    assert asyncio.run(pipe.activate(LIVE, "zhao")) == (OLD, "activate")
    assert rasa.loaded == [OLD, LIVE]


def test_a_newer_model_is_never_rolled_back_to(setup):
    pipe, rasa = setup
    with pytest.raises(ActivationRefused, match="不能回滚"):
        asyncio.run(pipe.activate(NEW, "zhao", rollback_only=True))
    assert rasa.loaded == []


def fake_evaluation(monkeypatch, understood: dict[str, str]) -> list:
    """Replace the evaluation subprocess; returns the list of calls it receives."""
    calls: list = []

    async def evaluate(paths, heldout, timeout=900, phrasings=()):
        calls.append(([p.name for p in paths], list(phrasings)))
        return [Report(0.9, {"greet": (0.9, 0.9, 0.9, 5)}, 10,
                       {t: understood.get(t, "nlu_fallback") for t in phrasings}) for _ in paths]

    monkeypatch.setattr(pipeline_module, "evaluate_in_subprocess", evaluate)
    return calls


def test_the_evaluation_parses_what_was_taught_since_the_live_model(setup, monkeypatch):
    pipe, _ = setup
    started = {m.filename: m.training_started for m in pipe.models()}
    between = started[LIVE] + (started[NEW] - started[LIVE]) / 2
    record(pipe.db, "li.si", "inbox_decide", {"text": "社保卡丢了咋办", "action": "assign",
                                              "intent": "svc_sbk_replace"}, now=between)
    record(pipe.db, "li.si", "faq_example", {"key": "office_hours", "text": "周六上班吗"},
           now=between + timedelta(seconds=1))
    record(pipe.db, "li.si", "inbox_decide", {"text": "上线前很久教的", "action": "assign", "intent": "greet"},
           now=started[LIVE] - timedelta(seconds=5))
    record(pipe.db, "li.si", "inbox_decide", {"text": "新模型训练后才教的", "action": "assign", "intent": "greet"},
           now=datetime.utcnow())
    calls = fake_evaluation(monkeypatch, {"社保卡丢了咋办": "svc_sbk_replace", "周六上班吗": "faq/weekend"})

    comparison = asyncio.run(pipe.evaluate(NEW))
    # NEW and the live model's first score in one subprocess, both parsing the two phrasings
    assert calls == [([NEW, LIVE], ["社保卡丢了咋办", "周六上班吗"])]
    assert comparison.allowed
    assert info(pipe, LIVE).gate_reasons == (IS_LIVE,)  # the yardstick, not "no live model"
    assert info(pipe, NEW).compared_with == LIVE

    checks = pipe.phrasing_checks(NEW)
    assert [(c.taught.text, c.taught.intent, c.understood, c.ok) for c in checks] == [
        ("周六上班吗", "faq/office_hours", "faq/weekend", False),  # the misunderstood first
        ("社保卡丢了咋办", "svc_sbk_replace", "svc_sbk_replace", True),
    ]
    assert pipe.phrasing_checks(LIVE) is None  # compared with nothing


def test_scoring_the_live_model_itself_says_it_is_live(setup, monkeypatch):
    pipe, _ = setup
    calls = fake_evaluation(monkeypatch, {})
    comparison = asyncio.run(pipe.evaluate(LIVE))
    assert calls == [([LIVE], [])]
    assert comparison.reasons == [IS_LIVE] and NO_LIVE_MODEL not in comparison.reasons
    assert info(pipe, LIVE).compared_with is None
