"""The NLU training data, the held-out set and the domain, read once for the data tests."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT

ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def examples(folder: Path) -> dict[str, list[str]]:
    """Intent → its examples in every YAML file of ``folder``, entity annotations removed."""
    out: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in item:
                lines = [ln[2:].strip() for ln in item["examples"].splitlines() if ln.strip().startswith("- ")]
                out.setdefault(item["intent"], []).extend(ANNOTATION.sub(r"\1", ln) for ln in lines)
    return out


TRAIN = examples(PROJECT_ROOT / "data" / "nlu")
HELDOUT = examples(PROJECT_ROOT / "tests" / "nlu_heldout")
#: Off-domain questions and their service counterparts (scripts/evaluate_out_of_scope.py).
HELDOUT_OOS = examples(PROJECT_ROOT / "tests" / "nlu_heldout_oos")
DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
