"""Models as staff name them: when, by whom, how, and what it learned beyond the model before.

Rasa names an archive ``20261202-050159-quadratic-loop.tar.gz``: a UTC-ish timestamp and two
random words that say nothing about the model. Staff choosing a model to put live or to
roll back to need "2026-12-02 13:01 · 微调 · li.si · +12 例句 · 2 个新常见问题". The raw file
name stays beside it, small, for logs and the CLI.

"What it learned" is what staff taught between the previous model's training start and this
one's (taught.py): the data a model is trained on is the data at that moment.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import sessionmaker

from console import timefmt
from console.auth.audit_text import user_label
from console.training.registry import MODE_LABELS, ModelInfo
from console.training.taught import ChangeCounts, read_entries, summarize

#: Shown instead of the changes for the oldest model: there is nothing to compare it with.
FIRST_MODEL = "最早的模型"


@dataclass(frozen=True)
class ModelName:
    filename: str
    when: str  # local time the archive was written
    how: str  # 微调 / 完整训练 / 命令行训练
    who: str | None  # who started the training; None for a command-line training
    changes: ChangeCounts | None  # None: the oldest model

    @property
    def title(self) -> str:
        """``2026-12-02 13:01 · 微调 · li.si``."""
        return " · ".join(part for part in (self.when, self.how, self.who) if part)

    @property
    def summary(self) -> str:
        return FIRST_MODEL if self.changes is None else self.changes.label()

    @property
    def label(self) -> str:
        """The whole name on one line (the CLI, the 上线记录 table)."""
        return f"{self.title} · {self.summary}"


def _how_and_who(model: ModelInfo) -> tuple[str, str | None]:
    mode = model.mode or "external"
    how = MODE_LABELS.get(mode, mode)
    if mode == "external" or not model.trained_by:
        return how, None
    return how, user_label(model.trained_by)


def name_models(models: Sequence[ModelInfo], entries: Sequence[tuple]) -> dict[str, ModelName]:
    """Names for `models` given the teaching audit entries (taught.read_entries), oldest first."""
    ordered = sorted(models, key=lambda m: (m.modified_at, m.filename))
    names: dict[str, ModelName] = {}
    for index, model in enumerate(ordered):
        changes = None
        if index > 0:
            since, until = ordered[index - 1].training_started, model.training_started
            changes = summarize(e for e in entries if since <= e[3] < until).counts()
        how, who = _how_and_who(model)
        names[model.filename] = ModelName(model.filename, timefmt.format_time(model.modified_at),
                                          how, who, changes)
    return names


def model_names(db: sessionmaker, models: Sequence[ModelInfo]) -> dict[str, ModelName]:
    """Readable names of every model in `models` (one audit query for all of them)."""
    if len(models) < 2:
        return name_models(models, [])
    since = min(m.training_started for m in models)
    return name_models(models, read_entries(db, since, None))


def name_of(names: dict[str, ModelName], filename: str | None) -> str:
    """The readable name of `filename`, or the file name itself for a model not in the folder."""
    if not filename:
        return "无"
    found = names.get(filename)
    return found.label if found else filename
