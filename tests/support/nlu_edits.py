"""Copies of the NLU data edited by the console, and the checks the edit tests make on them."""
from __future__ import annotations

import difflib
import os
import subprocess
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT

RASA = PROJECT_ROOT / ".venv" / "bin" / "rasa"
HELDOUT = PROJECT_ROOT / "tests" / "nlu_heldout"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def only_insertions(before: bytes, after: bytes) -> list[tuple[int, str]]:
    """(line index in the new file, line) for each inserted line; fails on any other change."""
    old = before.decode("utf-8").splitlines(keepends=True)
    new = after.decode("utf-8").splitlines(keepends=True)
    inserted = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), (tag, old[i1:i2], new[j1:j2])
        if tag == "insert":
            inserted.extend((j, new[j]) for j in range(j1, j2))
    return inserted


def examples_of(path: Path, intent: str) -> list[str]:
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        if item.get("intent") == intent:
            return [ln[2:] for ln in item["examples"].splitlines()]
    raise AssertionError(intent)


def rasa_validate(data_dir: Path, domain: Path, *flags: str) -> subprocess.Popen:
    """Start `rasa data validate` on edited data; a process, so several can run side by side."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false"}
    return subprocess.Popen(
        [str(RASA), "data", "validate", "--data", str(data_dir), "--domain", str(domain), *flags],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
