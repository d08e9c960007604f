"""A tiny throwaway Rasa project for the tests of retraining and the evaluation gate.

Training the real project takes minutes; the tiny one (three intents, five examples each,
DIET with 5 epochs and no transformer layers) about 20 seconds. It is trained once per
test session (`trained_tiny_model`), shared by the test modules through the cache below.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RASA = Path(sys.executable).parent / "rasa"

CONFIG = """\
recipe: default.v1
language: en
assistant_id: tiny
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: DIETClassifier
    epochs: 5
    number_of_transformer_layers: 0
    random_seed: 1
policies:
  - name: RulePolicy
"""

INTENTS = ("greet", "goodbye", "thanks")

DOMAIN = """\
version: "3.1"
intents:
{intents}
responses:
  utter_greet:
  - text: hi
"""

NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
    - good morning
    - hey
    - hello friend
- intent: goodbye
  examples: |
    - bye
    - goodbye
    - see you later
    - bye bye
    - farewell
- intent: thanks
  examples: |
    - thanks
    - thank you
    - thanks a lot
    - many thanks
    - thank you very much
"""

RULES = """\
version: "3.1"
rules:
- rule: greet
  steps:
  - intent: greet
  - action: utter_greet
"""


def domain_text(intents=INTENTS) -> str:
    return DOMAIN.format(intents="\n".join(f"  - {name}" for name in intents))


def write_project(root: Path) -> Path:
    """The tiny project's files under `root` (data/, config.yml, domain.yml)."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "config.yml").write_text(CONFIG, encoding="utf-8")
    (root / "domain.yml").write_text(domain_text(), encoding="utf-8")
    (root / "data" / "nlu.yml").write_text(NLU, encoding="utf-8")
    (root / "data" / "rules.yml").write_text(RULES, encoding="utf-8")
    return root


def rasa_env(cache_dir: Path) -> dict[str, str]:
    """Quiet, no telemetry, and a private training cache (a shared one would skip epochs)."""
    env = dict(os.environ)
    env.update(TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false",
               RASA_CACHE_DIRECTORY=str(cache_dir))
    return env


_trained: Path | None = None


def trained_tiny_model(tmp_path_factory) -> Path:
    """Train the tiny project once per session and return the model archive."""
    global _trained
    if _trained is None:
        root = write_project(tmp_path_factory.mktemp("tiny_project"))
        done = subprocess.run(
            [str(RASA), "train", "--data", "data", "--config", "config.yml", "--domain",
             "domain.yml", "--out", "models", "--fixed-model-name", "tiny"],
            cwd=root, env=rasa_env(root / ".cache"), capture_output=True, text=True,
            timeout=300,
        )
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        _trained = root / "models" / "tiny.tar.gz"
    return _trained


def fake_model(path: Path, intents=INTENTS, mtime: float | None = None) -> Path:
    """A model archive holding only the training domain: all that listing models, naming
    them and planning the next training read of one (no training, no TensorFlow)."""
    import io
    import tarfile

    from console.training.plan import MODEL_DOMAIN_MEMBER

    data = domain_text(intents).encode("utf-8")
    with tarfile.open(path, "w:gz") as archive:
        member = tarfile.TarInfo(MODEL_DOMAIN_MEMBER)
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


class FakeRasa:
    """Stands in for console.training.rasa_admin.RasaServer: remembers what it was told to load."""

    def __init__(self, live: str | None) -> None:
        self.live = live
        self.loaded: list[str] = []

    def live_model(self) -> str | None:
        return self.live

    def load(self, model_path: Path) -> None:
        self.loaded.append(Path(model_path).name)
        self.live = Path(model_path).name
