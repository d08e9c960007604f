"""Each family of services (bot/families.py) is a trained intent routed to action_clarify."""
from __future__ import annotations

import yaml

from bot.config import PROJECT_ROOT
from bot.families import FAMILIES, FAMILY_INTENT_PREFIX, family_for_intent
from tests.support.training_data import DOMAIN, HELDOUT, TRAIN

RULES = yaml.safe_load((PROJECT_ROOT / "data" / "rules" / "families.yml").read_text(encoding="utf-8"))


def _clarified_intents() -> set[str]:
    """Intents whose rule runs action_clarify."""
    out: set[str] = set()
    for rule in RULES["rules"]:
        steps = rule["steps"]
        if {"action": "action_clarify"} in steps:
            for step in steps:
                out |= {alt["intent"] for alt in step.get("or", [])} | ({step["intent"]} if "intent" in step else set())
    return out


def test_every_family_is_a_domain_intent_with_a_clarify_rule_and_examples():
    clarified = _clarified_intents()
    for family in FAMILIES:
        assert family.intent.startswith(FAMILY_INTENT_PREFIX), family.intent
        assert family.intent in DOMAIN["intents"], family.intent
        assert family.intent in clarified, family.intent
        assert len(TRAIN.get(family.intent, [])) >= 25, family.intent
        assert len(HELDOUT.get(family.intent, [])) >= 8, family.intent


def test_every_family_intent_in_the_data_has_a_family():
    intents = {i for i in [*TRAIN, *DOMAIN["intents"]] if i.startswith(FAMILY_INTENT_PREFIX)}
    assert intents == {f.intent for f in FAMILIES}


def test_family_services_are_official_and_few(services_tsv):
    official = {row["id"]: row["name"] for row in services_tsv}
    for family in FAMILIES:
        assert 2 <= len(family.services) <= 3, family.intent
        assert set(family.services) <= set(official), family.intent


def test_family_phrasings_name_no_single_service(services_tsv):
    """A phrasing that names one service belongs to that service's intent."""
    names = [row["name"] for row in services_tsv]
    for family in FAMILIES:
        for example in TRAIN[family.intent] + HELDOUT[family.intent]:
            assert not [n for n in names if n in example], example


def test_the_issue_phrasings_are_family_examples():
    assert "公积金怎么提取" in TRAIN["ask_family_hf_withdraw"]
    assert "我想把公积金取出来" in TRAIN["ask_family_hf_withdraw"]
    assert "办证" in TRAIN["ask_family_certificate"]
    assert "户口本丢了" in TRAIN["ask_family_hukou"]
    assert "我搬到无为了" in TRAIN["ask_family_moving"]
    assert family_for_intent("svc_hf_rent") is None and family_for_intent(None) is None
