"""Choose the out-of-scope thresholds of bot/nlu/service_decision.py on data no model saw.

The held-out sets under tests/ judge the result and must not choose it. This script holds
out a share of the training examples of every ``svc_*`` intent and of ``out_of_scope``
(seeded), trains an NLU model on the rest without the search stage (so a parse is DIET and
the fallback classifier alone), parses the held-out share and searches the catalogue for
each. Then, for every setting (max_oos_coverage, min_sure_service, oos_runner_up) on a grid, it applies
``decide`` and reports

- out of scope: held-out ``out_of_scope`` examples whose reply would name no service;
- services: held-out service examples answered right or offered among the choices;

and the setting with the most out-of-scope right among those keeping services within half a
point of no veto at all. The parses are kept in results/calibration/parses.json, so
``--grid-only`` re-reads them without training again.

Usage: python -m scripts.calibrate_service_search [--holdout 0.2] [--seed 7] [--grid-only]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from actions.choices import candidate_services
from bot.catalogue.search import Hit, ServiceIndex
from bot.config import PROJECT_ROOT
from bot.nlu.service_decision import FALLBACK, OUT_OF_SCOPE, Kind, Thresholds, decide, service_id_of

RESULTS = PROJECT_ROOT / "results" / "calibration"
PARSES = RESULTS / "parses.json"
SEARCH_STAGE = "bot.nlu.service_search.ServiceSearch"
COVERAGES = (0.05, 0.1, 0.2, 0.35, 0.5, 1.01)  # 1.01: coverage ignored
SURE = (0.0, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3)  # 0.3 and up: every fallback
#: Services may lose at most this share against no veto for a setting to be chosen.
MAX_SERVICE_LOSS = 0.005


def split(holdout: float, seed: int) -> tuple[Any, list[tuple[str, str]]]:
    """(training data without the held-out share, [(text, intent)] held out)."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    rng = random.Random(seed)
    by_intent: dict[str, list[Any]] = defaultdict(list)
    for example in data.intent_examples:
        by_intent[example.get("intent")].append(example)
    kept, held = [], []
    for intent, examples in sorted(by_intent.items()):
        if service_id_of(intent) is None and intent != OUT_OF_SCOPE:
            kept += examples
            continue
        examples = sorted(examples, key=lambda e: e.get("text"))
        rng.shuffle(examples)
        n = max(1, round(len(examples) * holdout))
        held += [(e.get("text"), intent) for e in examples[:n]]
        kept += examples[n:]
    others = [m for m in data.training_examples if m.get("intent") is None]
    return TrainingData(kept + others, data.entity_synonyms, data.regex_features, data.lookup_tables,
                        data.responses), held


def train_and_parse(holdout: float, seed: int) -> list[dict[str, Any]]:
    from rasa.model_training import train_nlu

    from scripts.evaluate_nlu import load_agent

    training, held = split(holdout, seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "nlu.yml").write_text(training.nlu_as_yaml(), encoding="utf-8")
        config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
        config["pipeline"] = [c for c in config["pipeline"] if c["name"] != SEARCH_STAGE]
        (folder / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        model = train_nlu(str(folder / "config.yml"), str(folder / "nlu.yml"), str(folder / "models"),
                          domain=str(PROJECT_ROOT / "domain.yml"))
        agent = load_agent(model)

        async def parse_all() -> list[dict[str, Any]]:
            return [{"text": text, "expected": intent, "parse": await agent.parse_message(text)}
                    for text, intent in held]

        return asyncio.run(parse_all())


def catalogue_index() -> ServiceIndex:
    from bot.catalogue.loader import load_catalogue
    from bot.catalogue.repository import CatalogueRepository
    from bot.db import session_factory

    with tempfile.TemporaryDirectory() as tmp:
        sessions = session_factory(f"sqlite:///{Path(tmp) / 'app.db'}")
        load_catalogue(sessions, PROJECT_ROOT / "data" / "catalogue")
        return ServiceIndex(CatalogueRepository(sessions).service_texts())


def judged(row: dict[str, Any], hits: list[Hit], trained: frozenset[str], thresholds: Thresholds) -> bool:
    """Whether the reply after ``decide`` is what the example's intent asks for."""
    parse = row["parse"]
    intent = parse["intent"]["name"]
    ranking = parse.get("intent_ranking") or []
    decision = decide(intent, ranking, hits, trained, thresholds)
    if row["expected"] == OUT_OF_SCOPE:
        if decision.kind is Kind.OUT_OF_SCOPE:
            return True
        if decision.kind is Kind.SERVICE:
            return False
        return intent == OUT_OF_SCOPE or (intent == FALLBACK and not candidate_services(ranking))
    expected = service_id_of(row["expected"])
    if decision.kind is not Kind.KEEP:
        return decision.kind is Kind.SERVICE and decision.service_id == expected
    return intent == row["expected"] or (intent == FALLBACK and expected in candidate_services(ranking))


def grid(rows: list[dict[str, Any]]) -> None:
    index = catalogue_index()
    trained = frozenset(filter(None, (service_id_of(r["expected"]) for r in rows)))
    hits = [index.search(r["text"]) for r in rows]
    oos = [i for i, r in enumerate(rows) if r["expected"] == OUT_OF_SCOPE]
    svc = [i for i, r in enumerate(rows) if r["expected"] != OUT_OF_SCOPE]

    def rates(thresholds: Thresholds) -> tuple[float, float]:
        right = [judged(r, h, trained, thresholds) for r, h in zip(rows, hits, strict=True)]
        return (sum(right[i] for i in oos) / len(oos), sum(right[i] for i in svc) / len(svc))

    base_oos, base_svc = rates(Thresholds(max_oos_coverage=0.0, oos_runner_up=False))
    print(f"held out: {len(oos)} out-of-scope, {len(svc)} service examples")
    print(f"no veto:            out of scope {base_oos:6.1%}   services {base_svc:6.1%}")
    best: tuple[float, float, Thresholds] | None = None
    print("max_oos_coverage  min_sure_service  oos_runner_up  out_of_scope  services")
    for runner_up in (False, True):
        for c in COVERAGES:
            for s in SURE:
                t = Thresholds(max_oos_coverage=c, min_sure_service=s, oos_runner_up=runner_up)
                o, v = rates(t)
                print(f"{c:16.2f}  {s:16.2f}  {runner_up!s:>13}  {o:12.1%}  {v:8.1%}")
                if v >= base_svc - MAX_SERVICE_LOSS and (best is None or (o, v) > best[:2]):
                    best = (o, v, t)
    now = Thresholds()
    default_oos, default_svc = rates(now)
    print(f"current defaults ({now.max_oos_coverage}, {now.min_sure_service}, {now.oos_runner_up}): "
          f"out of scope {default_oos:.1%}, services {default_svc:.1%}")
    if best:
        print(f"best within {MAX_SERVICE_LOSS:.1%} of no veto: max_oos_coverage={best[2].max_oos_coverage} "
              f"min_sure_service={best[2].min_sure_service} oos_runner_up={best[2].oos_runner_up}: "
              f"out of scope {best[0]:.1%}, services {best[1]:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holdout", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--grid-only", action="store_true", help="reuse results/calibration/parses.json")
    args = parser.parse_args()
    if args.grid_only:
        rows = json.loads(PARSES.read_text(encoding="utf-8"))
    else:
        rows = train_and_parse(args.holdout, args.seed)
        RESULTS.mkdir(parents=True, exist_ok=True)
        PARSES.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    grid(rows)


if __name__ == "__main__":
    main()
