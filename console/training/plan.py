"""Which training comes next, and why: a fine-tune of the live model, or a full training.

A full training of this project takes minutes on the production machine's two cores. When
staff have only added examples (the intents are unchanged), Rasa can fine-tune the live
model with a fraction of the epochs instead; when intents were added or removed the
classifier's output layer changes shape and only a full training works. `plan_training`
makes that choice and explains it in Chinese; job.py carries it out.
"""
from __future__ import annotations

import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

Mode = Literal["finetune", "full"]

#: Where Rasa 3.6 stores the training domain inside a model archive.
MODEL_DOMAIN_MEMBER = "components/domain_provider/domain.yml"


@dataclass(frozen=True)
class TrainingPlan:
    """How to train next, and why (shown to staff before they start)."""

    mode: Mode
    reason: str
    live_model: Path | None = None


def _load_yaml(text: str) -> dict:
    data = YAML(typ="safe", pure=True).load(text)
    return data if isinstance(data, dict) else {}


def _intent_names(entries: Any) -> set[str]:
    """Intent names from a domain's `intents:` list (plain names or `{name: {...}}`)."""
    names: set[str] = set()
    for entry in entries or []:
        if isinstance(entry, str):
            names.add(entry)
        elif isinstance(entry, dict):
            names.update(str(key) for key in entry)
    return names


def domain_intents(domain_path: Path) -> set[str]:
    """Intents of a domain file, or of every YAML file of a domain directory (as Rasa merges)."""
    domain_path = Path(domain_path)
    files: Iterable[Path]
    if domain_path.is_dir():
        files = sorted(p for p in domain_path.rglob("*") if p.suffix in {".yml", ".yaml"})
    else:
        files = [domain_path]
    names: set[str] = set()
    for path in files:
        data = _load_yaml(path.read_text(encoding="utf-8"))
        names |= _intent_names(data.get("intents"))
    return names


def _model_domain(model_path: Path) -> dict:
    """The training domain stored in a model archive, read without unpacking it."""
    with tarfile.open(model_path, "r:gz") as archive:
        for member in archive.getmembers():
            if member.name.lstrip("./") == MODEL_DOMAIN_MEMBER:
                handle = archive.extractfile(member)
                if handle is None:
                    break
                return _load_yaml(handle.read().decode("utf-8"))
    raise ValueError(f"{model_path} 里没有找到 {MODEL_DOMAIN_MEMBER}，不像是 Rasa 3 的模型")


def model_intents(model_path: Path) -> set[str]:
    """Intents the model was trained with."""
    return _intent_names(_model_domain(model_path).get("intents"))


def model_retrieval_responses(model_path: Path) -> set[str]:
    """FAQ answers (``utter_<intent>/<key>``) the model was trained with."""
    return {str(k) for k in (_model_domain(model_path).get("responses") or {}) if "/" in str(k)}


def data_retrieval_responses(data: Iterable[Path]) -> set[str]:
    """FAQ answers in the training data's ``responses:`` sections (data/nlu/faq.yml)."""
    names: set[str] = set()
    for folder in data:
        folder = Path(folder)
        files = [folder] if folder.is_file() else folder.rglob("*")
        for path in files:
            if path.suffix in {".yml", ".yaml"}:
                responses = _load_yaml(path.read_text(encoding="utf-8")).get("responses") or {}
                names |= {str(k) for k in responses if "/" in str(k)}
    return names


def _changes(label: str, current: set[str], live: set[str]) -> str:
    parts = []
    added, removed = sorted(current - live), sorted(live - current)
    if added:
        parts.append("新增：" + "、".join(added))
    if removed:
        parts.append("删除：" + "、".join(removed))
    return f"{label}有变化（{'；'.join(parts)}）：需要完整训练"


def plan_training(domain_path: Path, live_model: Path | None,
                  data: Sequence[Path] = ()) -> TrainingPlan:
    """Fine-tune when the live model knows exactly the current intents and FAQ answers
    (only examples were added), else train in full. Rasa refuses a fine-tune for other
    changes too (e.g. config.yml); the pipeline then falls back to a full training."""
    if live_model is None or not Path(live_model).exists():
        return TrainingPlan("full", "还没有上线的模型：需要完整训练")
    try:
        live = model_intents(Path(live_model))
        live_faq = model_retrieval_responses(Path(live_model))
    except (OSError, tarfile.TarError, ValueError, YAMLError):
        return TrainingPlan("full", "上线模型无法读取：需要完整训练")
    current = domain_intents(Path(domain_path))
    if live != current:
        return TrainingPlan("full", _changes("意图", current, live))
    if data:
        current_faq = data_retrieval_responses(data)
        if current_faq != live_faq:
            return TrainingPlan("full", _changes("常见问题", current_faq, live_faq))
    return TrainingPlan(
        "finetune",
        "只新增了训练例句，意图和常见问题没有变化：用微调（约五分之一轮次）",
        Path(live_model),
    )
