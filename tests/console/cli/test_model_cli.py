"""`python -m console model ...` with readable names and the rollback rule, on fake models
and a stand-in Rasa server (the real path is tests/console/training/test_pipeline.py)."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from console.auth.audit import recent, record
from console.cli import model_versions as cli_models
from console.cli.main import main
from console.teaching.training_data import add_example
from console.training import pipeline as pipeline_module
from console.training import registry
from console.training.evaluate import Report
from console.training.job import TrainingSettings
from console.training.pipeline import Pipeline, PipelineSettings
from tests.support.training import FakeRasa, fake_model, write_project

OLD, LIVE, NEW = "20261201-old.tar.gz", "20261202-live.tar.gz", "20261203-new.tar.gz"


@pytest.fixture()
def pipe(console_db, tmp_path, monkeypatch) -> Pipeline:
    monkeypatch.setenv("GOV_TIMEZONE", "Asia/Shanghai")
    project = write_project(tmp_path / "project")
    models = tmp_path / "models"
    models.mkdir()
    now = time.time()
    for age, name in ((3000, OLD), (2000, LIVE), (1000, NEW)):
        fake_model(models / name, mtime=now - age)
    registry.record_activation(console_db, LIVE, OLD, "activate", "li.si")
    training = TrainingSettings(data=[project / "data"], config=project / "config.yml",
                                domain=project / "domain.yml", out=models, cwd=project)
    pipeline = Pipeline(console_db, PipelineSettings(models_dir=models, heldout_dir=tmp_path / "heldout",
                                                     domain_path=project / "domain.yml", training=training),
                        FakeRasa(LIVE))
    monkeypatch.setattr(cli_models, "_pipeline", lambda: pipeline)
    return pipeline


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_readable_names_and_the_file(pipe, capsys):
    new = next(m for m in pipe.models() if m.filename == NEW)
    decision = {"text": "社保卡丢了咋办", "action": "assign", "intent": "svc_sbk_replace"}
    record(pipe.db, "li.si", "inbox_decide", decision, now=new.modified_at - timedelta(seconds=500))
    code, out, _ = run(["model", "list"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "模型\t变化\t准确率\t评估\t状态\t文件"
    first = lines[1].split("\t")
    assert first[0].endswith("· 命令行训练") and first[0][:4].isdigit()
    assert first[1:] == ["+1 例句", "—", "未评估", "", NEW]
    assert lines[2].split("\t")[4:] == ["线上", LIVE]
    assert lines[3].split("\t")[1] == "最早的模型"


def test_rollback_goes_to_the_newest_older_live_model_and_never_forward(pipe, capsys):
    # LIVE learned one example after OLD: the rollback names it as one to take back.
    nlu_dir = pipe.settings.training.data[0]
    add_example(nlu_dir, "greet", "早上好呀", domain_path=pipe.settings.domain_path)
    started = {m.filename: m.training_started for m in pipe.models()}
    record(pipe.db, "li.si", "inbox_decide", {"text": "早上好呀", "action": "assign", "intent": "greet"},
           now=started[LIVE] - timedelta(seconds=5))
    code, _, err = run(["model", "rollback", NEW], capsys)
    assert code == 1 and "不能回滚" in err
    code, out, _ = run(["model", "rollback"], capsys)
    assert code == 0 and out.startswith("已回滚到 ") and f"（{OLD}）" in out.splitlines()[0]
    assert "替换了 " in out and f"（{LIVE}）" in out
    assert pipe.rasa.loaded == [OLD]
    assert "回滚前的模型多学了 1 条例句" in out and "  - 早上好呀（问候/打招呼（你好、菜单））" in out
    assert f"/models/take-back?from={LIVE}&to={OLD}" in out
    newest = recent(pipe.db)[0]
    assert (newest.action, newest.detail) == ("model_rollback", {"model": OLD, "previous": LIVE})
    code, _, err = run(["model", "rollback"], capsys)  # OLD is the oldest: nothing older was live
    assert code == 1 and "没有可以回滚的模型" in err


def test_evaluate_names_the_taught_phrasings_it_does_not_understand(pipe, capsys, monkeypatch):
    load_catalogue(pipe.db, PROJECT_ROOT / "data" / "catalogue")
    started = {m.filename: m.training_started for m in pipe.models()}
    record(pipe.db, "li.si", "inbox_decide", {"text": "社保卡丢了咋办", "action": "assign",
                                              "intent": "svc_sbk_replace"}, now=started[NEW] - timedelta(seconds=5))

    async def evaluate(paths, heldout, timeout=900, phrasings=()):
        return [Report(0.9, {}, 10, {t: "goodbye" for t in phrasings}) for _ in paths]

    monkeypatch.setattr(pipeline_module, "evaluate_in_subprocess", evaluate)
    code, out, _ = run(["model", "evaluate", NEW], capsys)
    assert code == 0, out
    assert "自线上模型以来新教了 1 句，新模型理解了其中 0 句；1 句仍未理解。" in out
    assert "✗ 社保卡丢了咋办：应识别为 社会保障卡挂失补换，新模型识别为 告别（再见、没事了）" in out
