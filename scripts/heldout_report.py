"""Per-service accuracy on the held-out set from `rasa test nlu` output; fails below target.

Usage: python scripts/heldout_report.py results/heldout [min_accuracy]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def main(out_dir: str, minimum: float = 0.90) -> int:
    report = json.loads((Path(out_dir) / "intent_report.json").read_text(encoding="utf-8"))
    rows = [(k, v) for k, v in report.items() if isinstance(v, dict) and "support" in v
            and k not in ("macro avg", "weighted avg", "micro avg")]
    print(f"{'intent':28} {'recall':>7} {'precision':>9} {'n':>4}")
    for name, v in sorted(rows, key=lambda kv: kv[1]["recall"]):
        print(f"{name:28} {v['recall']:7.2f} {v['precision']:9.2f} {v['support']:4d}")
    accuracy = report["accuracy"]
    total = sum(v["support"] for _, v in rows)
    print(f"\nheld-out intent accuracy: {accuracy:.3f} over {total} examples (target {minimum:.2f})")
    if accuracy < minimum:
        print("held-out accuracy below target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], *(float(a) for a in sys.argv[2:3])))
