"""Models by readable names: local time, how, who, and what changed (console.training.names)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from console.auth.audit import record
from console.tables import ModelRecord
from console.training import registry
from console.training.names import FIRST_MODEL, model_names, name_of
from tests.support.training import fake_model

#: 2026-12-01 10:00 UTC = 18:00 Beijing time.
T0 = datetime(2026, 12, 1, 10, 0, 0)


def epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=timezone.utc).timestamp()


def test_names_say_when_how_who_and_what_changed(console_db, tmp_path, monkeypatch):
    monkeypatch.setenv("GOV_TIMEZONE", "Asia/Shanghai")
    models = tmp_path / "models"
    models.mkdir()
    # make run's model at T0, then the console fine-tunes (120 s) ending at T0+2h, then a
    # full training by the CLI (600 s) ending at T0+5h.
    fake_model(models / "20261201-100000-first.tar.gz", mtime=epoch(T0))
    second = fake_model(models / "20261201-115800-second.tar.gz", mtime=epoch(T0 + timedelta(hours=2)))
    third = fake_model(models / "20261201-145000-third.tar.gz", mtime=epoch(T0 + timedelta(hours=5)))
    registry.record_training(console_db, second, "finetune", "只新增了例句", "li.si", 120)
    registry.record_training(console_db, third, "full", "新常见问题", "cli", 600)
    with console_db.begin() as session:  # the registry's times as if recorded when each training ended
        session.execute(update(ModelRecord).where(ModelRecord.filename == second.name)
                        .values(created_at=T0 + timedelta(hours=2)))
        session.execute(update(ModelRecord).where(ModelRecord.filename == third.name)
                        .values(created_at=T0 + timedelta(hours=5)))

    def decide(text: str, minutes: float) -> None:
        record(console_db, "li.si", "inbox_decide", {"text": text, "action": "assign", "intent": "greet"},
               now=T0 + timedelta(minutes=minutes))

    decide("早上好呀", 30)
    decide("在吗在吗", 60)
    decide("训练开始后才教的", 119)  # after the fine-tune began (T0+2h-120s): the next model's
    record(console_db, "wang.wu", "faq_add", {"key": "parking", "examples": ["能停车吗", "停车场在哪"]},
           now=T0 + timedelta(hours=3))
    record(console_db, "wang.wu", "faq_example", {"key": "office_hours", "text": "周六上班吗"},
           now=T0 + timedelta(hours=3, minutes=5))
    decide("训练中教的", 5 * 60 - 5)  # during the CLI's training: in neither model

    names = model_names(console_db, registry.list_models(console_db, models))
    first = names["20261201-100000-first.tar.gz"]
    assert (first.title, first.summary) == ("2026-12-01 18:00 · 命令行训练", FIRST_MODEL)
    assert names[second.name].title == "2026-12-01 20:00 · 微调 · li.si"
    assert names[second.name].summary == "+2 例句"
    assert names[third.name].title == "2026-12-01 23:00 · 完整训练 · 命令行"
    assert names[third.name].label == ("2026-12-01 23:00 · 完整训练 · 命令行 · "
                                       "+1 例句 · 1 个新常见问题 · 1 个常见问题问法")
    assert name_of(names, second.name) == "2026-12-01 20:00 · 微调 · li.si · +2 例句"
    assert name_of(names, "gone.tar.gz") == "gone.tar.gz"
    assert name_of(names, None) == "无"


def test_a_model_trained_after_nothing_was_taught(console_db, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    now = time.time()
    fake_model(models / "a.tar.gz", mtime=now - 100)
    fake_model(models / "b.tar.gz", mtime=now)
    names = model_names(console_db, registry.list_models(console_db, models))
    assert names["b.tar.gz"].summary == "没有新教的内容"
    assert names["a.tar.gz"].summary == FIRST_MODEL
