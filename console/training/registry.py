"""Which models exist, how each was made and scored, and which one was put live when.

Model archives stay in the models folder (never deleted by the console), so any earlier
model can be reactivated. This registry adds what the archive cannot say: who trained it,
fine-tune or full and why, its held-out report and the gate's verdict, and the history of
activations (the newest row is the model the console last put live).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from console.tables import Activation, ModelRecord, utc_naive
from console.training.evaluate import Comparison, Report

#: How a model was made (`ModelRecord.mode`), as staff read it on the page and in the CLI.
MODE_LABELS = {"finetune": "微调", "full": "完整训练", "external": "命令行训练"}


@dataclass(frozen=True)
class ModelInfo:
    """One archive in the models folder, with what the registry knows of it."""

    filename: str
    path: Path
    modified_at: datetime
    mode: str | None = None
    reason: str | None = None
    trained_by: str | None = None
    train_seconds: float | None = None
    report: Report | None = None
    compared_with: str | None = None
    gate_allowed: bool | None = None
    gate_reasons: tuple[str, ...] = ()
    ever_live: bool = False
    #: When the registry first recorded it (the end of a console training).
    created_at: datetime | None = None

    @property
    def training_started(self) -> datetime:
        """When its training began (naive UTC): it learned the data as it was at that moment.

        A console training knows its duration; a model trained on the command line (or
        first seen by the console) only has the archive's time, the end of its training.
        """
        if self.mode in ("finetune", "full") and self.created_at is not None:
            return self.created_at - timedelta(seconds=self.train_seconds or 0)
        return self.modified_at

    def older_than(self, other: ModelInfo) -> bool:
        """Trained before `other` (the order of the models list)."""
        return (self.modified_at, self.filename) < (other.modified_at, other.filename)


@dataclass(frozen=True)
class ActivationInfo:
    filename: str
    previous: str | None
    kind: str
    username: str
    at: datetime


def record_training(db: sessionmaker, model_path: Path, mode: str, reason: str, username: str,
                    train_seconds: float | None) -> None:
    with db.begin() as session:
        session.add(ModelRecord(filename=Path(model_path).name, created_at=utc_naive(), mode=mode,
                                reason=reason, trained_by=username[:100],
                                train_seconds=train_seconds))


def record_evaluation(db: sessionmaker, filename: str, report: Report,
                      compared_with: str | None, comparison: Comparison) -> None:
    """Store a model's held-out report and the gate's verdict (creates the row if needed)."""
    with db.begin() as session:
        row = session.execute(select(ModelRecord).where(ModelRecord.filename == filename)
                              ).scalar_one_or_none()
        if row is None:
            row = ModelRecord(filename=filename, created_at=utc_naive(), mode="external",
                              reason="命令行训练（make train）", trained_by="cli")
            session.add(row)
        row.accuracy = report.accuracy
        row.report = report.as_dict()
        row.compared_with = compared_with
        row.gate_allowed = comparison.allowed
        row.gate_reasons = list(comparison.reasons)


def record_activation(db: sessionmaker, filename: str, previous: str | None, kind: str,
                      username: str) -> None:
    with db.begin() as session:
        session.add(Activation(filename=filename, previous=previous, kind=kind,
                               username=username[:100], at=utc_naive()))


def activations(db: sessionmaker, limit: int = 50) -> list[ActivationInfo]:
    with db() as session:
        rows = session.execute(select(Activation).order_by(Activation.id.desc()).limit(limit)).scalars()
        return [ActivationInfo(r.filename, r.previous, r.kind, r.username, r.at) for r in rows]


def may_roll_back(model: ModelInfo, live: ModelInfo | None) -> bool:
    """Rollback is going back: only to a model older than the live one that was live before.

    A newer model, even one that was live once, goes live through the gate (上线), so a
    model that was rolled back from cannot return without its evaluation.
    """
    return (live is not None and model.ever_live and model.filename != live.filename
            and model.older_than(live))


def went_live(db: sessionmaker, filename: str) -> ActivationInfo | None:
    """The console's latest activation of `filename`; None when the console never put it live
    (e.g. the model `make run` started)."""
    with db() as session:
        row = session.execute(select(Activation).where(Activation.filename == filename)
                              .order_by(Activation.id.desc()).limit(1)).scalar_one_or_none()
        return ActivationInfo(row.filename, row.previous, row.kind, row.username, row.at) if row else None


def report_of(db: sessionmaker, filename: str) -> Report | None:
    with db() as session:
        row = session.execute(select(ModelRecord).where(ModelRecord.filename == filename)
                              ).scalar_one_or_none()
        return Report.from_dict(row.report) if row is not None and row.report else None


def list_models(db: sessionmaker, models_dir: Path) -> list[ModelInfo]:
    """Every archive in the folder, newest first, joined with its registry row."""
    with db() as session:
        rows = {r.filename: r for r in session.execute(select(ModelRecord)).scalars()}
        # A model that was live when another replaced it counts too (e.g. the one make run started).
        live_names = set(session.execute(select(Activation.filename)).scalars())
        live_names |= set(session.execute(select(Activation.previous)).scalars()) - {None}
    found = []
    for path in Path(models_dir).glob("*.tar.gz"):
        row = rows.get(path.name)
        info: dict[str, Any] = dict(
            filename=path.name, path=path.resolve(),
            modified_at=datetime.utcfromtimestamp(os.path.getmtime(path)),
            ever_live=path.name in live_names,
        )
        if row is not None:
            info.update(mode=row.mode, reason=row.reason, trained_by=row.trained_by, created_at=row.created_at,
                        train_seconds=row.train_seconds,
                        report=Report.from_dict(row.report) if row.report else None,
                        compared_with=row.compared_with, gate_allowed=row.gate_allowed,
                        gate_reasons=tuple(row.gate_reasons or ()))
        found.append(ModelInfo(**info))
    found.sort(key=lambda m: (m.modified_at, m.filename), reverse=True)
    return found


def find_model(models_dir: Path, filename: str) -> Path | None:
    """The archive called `filename` in the folder; None for anything else (no paths)."""
    if not filename or Path(filename).name != filename or not filename.endswith(".tar.gz"):
        return None
    path = Path(models_dir) / filename
    return path.resolve() if path.is_file() else None
