"""The gate before a newly trained model goes live: it must not understand residents worse.

Staff add examples to fix one service; a retrained model can still get worse elsewhere
(a new example pulls phrasings of a neighbouring intent). So the candidate and the live
model are both run over the held-out examples (tests/nlu_heldout, never trained on) and
the candidate is blocked when overall accuracy drops by more than a margin, or when an
intent with enough held-out examples to be meaningful loses much F1. Metrics are computed
here (a few lines) so the console does not need sklearn at runtime.

The same child process also parses the phrasings staff taught since the live model
(`phrasings`), so the evaluation can show whether the candidate now understands them.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: (precision, recall, f1, support)
IntentScores = tuple[float, float, float, int]
#: An intent needs this many held-out examples before its F1 can block a model.
MIN_SUPPORT = 5
#: Largest F1 loss tolerated for such an intent. With 10 held-out phrasings per service, one
#: phrasing moves F1 by about 0.05-0.1 and two by about 0.11-0.2; a fine-tune after one new
#: example moved two services by two phrasings each (1.00 → 0.89, 2026-12-02,
#: tests/web/test_console_loop.py), which 0.1 blocked as if it were harm. 0.15 tolerates that
#: and still blocks an intent that loses three phrasings or more of ten.
MAX_F1_DROP = 0.15
#: Float noise: 0.95 - 0.85 is 0.09999999999999998 or 0.10000000000000009.
_EPS = 1e-9


@dataclass(frozen=True)
class Report:
    """Intent accuracy and per-intent scores of one model on one held-out set."""

    accuracy: float
    per_intent: dict[str, IntentScores] = field(default_factory=dict)
    total: int = 0
    #: Phrasings parsed besides the held-out set: text -> what the model understood
    #: (`understood_intent`). Stored with the report, so the page can show it later.
    understood: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON-ready form (the registry stores it; the evaluation subprocess prints it)."""
        return {"accuracy": self.accuracy, "total": self.total,
                "per_intent": {k: list(v) for k, v in self.per_intent.items()},
                "understood": dict(self.understood)}

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        per_intent = {str(k): (float(v[0]), float(v[1]), float(v[2]), int(v[3]))
                      for k, v in (data.get("per_intent") or {}).items()}
        understood = {str(k): str(v) for k, v in (data.get("understood") or {}).items()}
        return cls(float(data["accuracy"]), per_intent, int(data.get("total", 0)), understood)


#: (intent, live F1 or None, candidate F1 or None, candidate - live or None)
F1Row = tuple[str, float | None, float | None, float | None]


@dataclass(frozen=True)
class Comparison:
    """Whether the candidate may go live, why (Chinese, for staff) and the F1 table."""

    allowed: bool
    reasons: list[str]
    rows: list[F1Row]


def score(pairs: Iterable[tuple[str, str]]) -> Report:
    """Accuracy and per-intent precision/recall/F1 from (expected, predicted) pairs.

    Only intents that occur in the held-out data are listed; predictions of other labels
    (nlu_fallback, say) still count against the precision of nothing and the recall of
    the expected intent.
    """
    pairs = list(pairs)
    support: Counter[str] = Counter(expected for expected, _ in pairs)
    predicted: Counter[str] = Counter(got for _, got in pairs)
    right: Counter[str] = Counter(expected for expected, got in pairs if expected == got)
    per_intent: dict[str, IntentScores] = {}
    for intent in sorted(support):
        tp = right[intent]
        precision = tp / predicted[intent] if predicted[intent] else 0.0
        recall = tp / support[intent]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = (precision, recall, f1, support[intent])
    accuracy = sum(right.values()) / len(pairs) if pairs else 0.0
    return Report(accuracy, per_intent, len(pairs))


def understood_intent(parse: dict) -> str:
    """What a parse says the message is, in the form staff teach it: an FAQ as ``faq/<key>``
    (the answer the selector picked), a service the search found as its ``svc_`` intent."""
    from bot.nlu.service_decision import ASK_SERVICE, intent_of, service_of

    intent = (parse.get("intent") or {}).get("name") or ""
    if intent == ASK_SERVICE:
        service = service_of(parse)
        return intent_of(service) if service else intent
    selector = (parse.get("response_selector") or {}).get(intent) or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    return str(key) if key else intent


async def evaluate_model(model_path: str | Path, heldout_dir: str | Path,
                         phrasings: Sequence[str] = ()) -> Report:
    """Run every held-out example through the model (as scripts/evaluate_nlu.py does), then
    parse `phrasings` (not scored: they are training data)."""
    import structlog
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    if not structlog.is_configured():  # else Rasa's debug events flood the console's output
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(model_path))
    pairs = []
    for example in load_data(str(heldout_dir)).intent_examples:
        parse = await agent.parse_message(example.get("text"))
        pairs.append((example.get("intent"), (parse.get("intent") or {}).get("name") or ""))
    understood = {text: understood_intent(await agent.parse_message(text)) for text in phrasings}
    report = score(pairs)
    return Report(report.accuracy, report.per_intent, report.total, understood)


class EvaluationFailed(RuntimeError):
    """The evaluation subprocess failed; the message ends with its output's last lines."""


async def evaluate_in_subprocess(model_paths: Sequence[str | Path], heldout_dir: str | Path,
                                 timeout: float = 900, phrasings: Sequence[str] = ()) -> list[Report]:
    """`evaluate_model` for each model in one child process (TensorFlow loads once, and
    never into the console), reports in the same order; each also parses `phrasings`."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false"}
    with tempfile.TemporaryDirectory(prefix="console-evaluate-") as folder:
        extra: list[str] = []
        if phrasings:
            listing = Path(folder) / "phrasings.json"
            listing.write_text(json.dumps(list(phrasings), ensure_ascii=False), encoding="utf-8")
            extra = ["--phrasings", str(listing)]
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "console.training.evaluate", *extra, str(heldout_dir),
            *map(str, model_paths), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env)
        try:
            out, err = await asyncio.wait_for(process.communicate(), timeout)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()
            raise EvaluationFailed(f"评估超过 {timeout:.0f} 秒未完成") from None
    lines = [line for line in out.decode("utf-8", "replace").splitlines() if line.startswith("{")]
    if process.returncode != 0 or len(lines) != len(model_paths):
        tail = err.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise EvaluationFailed("评估失败：" + " / ".join(tail))
    return [Report.from_dict(json.loads(line)) for line in lines]


NO_LIVE_MODEL = "还没有上线的模型：可以直接启用"
#: The verdict stored for the live model itself: the yardstick, compared with nothing.
IS_LIVE = "这是线上模型：新模型与它对比"


def compare(candidate: Report, live: Report | None, margin: float = 0.01, *,
            candidate_is_live: bool = False, label: Callable[[str], str] = str) -> Comparison:
    """Allow the candidate unless it is measurably worse than the live model.

    `candidate_is_live`: the report is the live model's own (scored as the yardstick, or
    on request), so there is nothing to compare it with, and no "no live model" either.
    `label` names an intent in the reasons (teaching/targets.py's Targets.label_of).
    """
    if live is None or candidate_is_live:
        rows: list[F1Row] = [(intent, None, scores[2], None) for intent, scores in candidate.per_intent.items()]
        return Comparison(True, [IS_LIVE if candidate_is_live else NO_LIVE_MODEL], rows)
    reasons: list[str] = []
    drop = live.accuracy - candidate.accuracy
    if drop > margin + _EPS:
        reasons.append(
            f"整体准确率从{live.accuracy:.2f}降到{candidate.accuracy:.2f}"
            f"（允许的下降不超过{margin:.2f}）"
        )
    rows = []
    for intent in sorted(set(live.per_intent) | set(candidate.per_intent)):
        old, new = live.per_intent.get(intent), candidate.per_intent.get(intent)
        old_f1 = old[2] if old else None
        new_f1 = new[2] if new else None
        delta = new_f1 - old_f1 if old_f1 is not None and new_f1 is not None else None
        rows.append((intent, old_f1, new_f1, delta))
        support = max(old[3] if old else 0, new[3] if new else 0)
        if old_f1 is None or support < MIN_SUPPORT:
            continue
        if old_f1 - (new_f1 or 0.0) > MAX_F1_DROP + _EPS:
            reasons.append(f"{label(intent)}的F1从{old_f1:.2f}降到{(new_f1 or 0.0):.2f}")
    rows.sort(key=lambda row: (row[3] is None, row[3] if row[3] is not None else 0.0, row[0]))
    if reasons:
        return Comparison(False, reasons, rows)
    return Comparison(True, ["没有明显退步：可以启用"], rows)


def main(argv: list[str] | None = None) -> int:
    """``python -m console.training.evaluate [--phrasings FILE] HELDOUT_DIR MODEL...``: one JSON
    report line per model; FILE is a JSON list of phrasings each model also parses."""
    args = sys.argv[1:] if argv is None else list(argv)
    phrasings: list[str] = []
    if args[:1] == ["--phrasings"] and len(args) > 1:
        phrasings = [str(t) for t in json.loads(Path(args[1]).read_text(encoding="utf-8"))]
        args = args[2:]
    if len(args) < 2:
        print("usage: python -m console.training.evaluate [--phrasings FILE] HELDOUT_DIR MODEL [MODEL...]",
              file=sys.stderr)
        return 2

    async def run_all() -> None:
        for model in args[1:]:
            report = await evaluate_model(model, args[0], phrasings)
            print(json.dumps(report.as_dict(), ensure_ascii=False), flush=True)

    asyncio.run(run_all())
    return 0


if __name__ == "__main__":
    sys.exit(main())
