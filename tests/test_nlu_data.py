"""Training data is consistent with the domain, the catalogue and the normaliser."""
from __future__ import annotations

from collections import Counter

import yaml

from bot.catalogue.loader import read_catalogue
from bot.config import PROJECT_ROOT
from bot.text import normalize
from tests.support.training_data import DOMAIN, HELDOUT, HELDOUT_OOS, TRAIN

RULES = (PROJECT_ROOT / "data" / "rules" / "services.yml").read_text(encoding="utf-8")


def test_training_examples_are_already_normalised():
    bad = [(i, e) for i, exs in TRAIN.items() for e in exs if normalize(e) != e]
    assert not bad, bad[:10]


def test_no_duplicate_examples_and_no_heldout_leak():
    counts = Counter(e for exs in TRAIN.values() for e in exs)
    assert [e for e, n in counts.items() if n > 1] == []
    heldout = {e for exs in HELDOUT.values() for e in exs}
    assert heldout.isdisjoint(counts)


def test_out_of_scope_heldout_sets_never_trained_on():
    """tests/nlu_heldout_oos/ is written apart from the training data (issue 14): no copy
    of it, even one the normaliser makes equal, may enter data/nlu/."""
    trained = {normalize(e) for exs in TRAIN.values() for e in exs}
    leaked = [e for exs in HELDOUT_OOS.values() for e in exs if normalize(e) in trained]
    assert leaked == []
    assert set(HELDOUT_OOS) <= set(DOMAIN["intents"])


def test_every_service_has_intent_rule_and_enough_examples(services_tsv):
    for row in services_tsv:
        intent = "svc_" + row["id"].replace("-", "_")
        assert intent in DOMAIN["intents"], intent
        assert f"intent: {intent}\n" in RULES, intent
        assert len(TRAIN.get(intent, [])) >= 30, intent
        assert len(HELDOUT.get(intent, [])) >= 8, intent


def test_every_intent_with_examples_is_in_the_domain():
    # Retrieval intents ("faq/office_hours") are declared by their base name ("faq").
    assert {intent.split("/")[0] for intent in TRAIN} <= set(DOMAIN["intents"])
    assert set(HELDOUT) <= set(DOMAIN["intents"])


def test_district_lookup_covers_every_alias_in_the_catalogue():
    nlu = yaml.safe_load((PROJECT_ROOT / "data" / "nlu" / "districts.yml").read_text(encoding="utf-8"))
    lookup = next(i for i in nlu["nlu"] if i.get("lookup") == "district")["examples"]
    forms = {ln[2:].strip() for ln in lookup.splitlines() if ln.strip()}
    for district in read_catalogue(PROJECT_ROOT / "data" / "catalogue").districts:
        assert {district.name, *district.aliases} <= forms, district.name
