"""The out-of-scope scoring of scripts/evaluate_out_of_scope.py, on hand-made parse results.

No model: each parse is what Rasa's pipeline would return, written out. The criterion is
"the reply names no service" as the actions decide it (actions/choices.py, bot/families.py).
"""
from __future__ import annotations

from typing import Any

import pytest

from actions.choices import MIN_CHOICE_CONFIDENCE
from scripts.evaluate_out_of_scope import (
    DEFAULT_FOLDER,
    MISS_ANSWERS_SERVICE,
    MISS_OFFERS_SERVICES,
    MISS_OTHER_REPLY,
    OUT_OF_SCOPE_FILE,
    SERVICES_FILE,
    Parsed,
    below_gate,
    miss_kind,
    names_no_service,
    offered_services,
    out_of_scope_files,
    out_of_scope_shares,
    read_examples,
    service_shares,
    strict_out_of_scope,
)
from tests.support.official_services import official_services


def parse(intent: str, confidence: float, *ranking: tuple[str, float]) -> dict[str, Any]:
    """A parse result as Agent.parse_message returns it (the ranking includes the top intent)."""
    ranked = [{"name": intent, "confidence": confidence}] + [{"name": n, "confidence": c} for n, c in ranking]
    return {"text": "…", "intent": {"name": intent, "confidence": confidence}, "intent_ranking": ranked}


def fallback(*ranking: tuple[str, float]) -> dict[str, Any]:
    """FallbackClassifier's result: nlu_fallback on top, DIET's ranking below it."""
    return parse("nlu_fallback", 0.3, *ranking)


def test_the_out_of_scope_intent_names_no_service_whatever_ranks_below():
    assert names_no_service(parse("out_of_scope", 0.41, ("svc_medins_remote", 0.40)))


def test_fallback_without_a_service_to_offer_names_none():
    only_dialogue = fallback(("out_of_scope", 0.25), ("greet", 0.2))
    assert names_no_service(only_dialogue)
    assert offered_services(only_dialogue) == []


def test_fallback_with_services_below_the_floor_names_none():
    """action_clarify offers nothing under MIN_CHOICE_CONFIDENCE: it says NOT_UNDERSTOOD."""
    low = MIN_CHOICE_CONFIDENCE / 2
    assert names_no_service(fallback(("out_of_scope", 0.28), ("svc_passport", low), ("svc_idcard", low)))


def test_fallback_that_offers_services_is_a_miss_and_says_which():
    """The issue's example: a flight search offered 异地就医备案 as a numbered choice."""
    offered = fallback(("svc_medins_remote", 0.25), ("out_of_scope", 0.22), ("svc_hk_macau", 0.2),
                       ("svc_passport", 0.05))
    assert not names_no_service(offered)
    assert offered_services(offered) == ["medins-remote", "hk-macau"]  # 0.05 < 0.4 × best
    assert miss_kind(offered) == MISS_OFFERS_SERVICES


def test_a_service_intent_is_a_miss_that_answers_that_service():
    answered = parse("svc_hf_loan", 0.7, ("out_of_scope", 0.2))
    assert not names_no_service(answered)
    assert offered_services(answered) == ["hf-loan"]
    assert miss_kind(answered) == MISS_ANSWERS_SERVICE


def test_a_family_intent_is_a_miss_that_offers_its_family():
    family = parse("ask_family_hf_withdraw", 0.77, ("out_of_scope", 0.1))
    assert not names_no_service(family)
    assert offered_services(family) == ["hf-rent", "hf-buy", "hf-retire"]
    assert miss_kind(family) == MISS_OFFERS_SERVICES


@pytest.mark.parametrize("intent", ["greet", "faq", "choose_number", "human_handoff", "unusable_input"])
def test_any_other_intent_is_a_miss_of_its_own_kind(intent):
    """It names no service, but the resident did not get the out-of-scope reply either."""
    other = parse(intent, 0.6, ("out_of_scope", 0.3))
    assert not names_no_service(other)
    assert offered_services(other) == []
    assert miss_kind(other) == MISS_OTHER_REPLY


def test_shares_per_topic_and_in_all():
    results = [
        Parsed("a", "out_of_scope", "train", parse("out_of_scope", 0.9)),
        Parsed("b", "out_of_scope", "train", fallback(("svc_medins_remote", 0.3))),
        Parsed("c", "out_of_scope", "weather", fallback(("greet", 0.2))),
        Parsed("d", "out_of_scope", "weather", parse("greet", 0.5)),
    ]
    shares = out_of_scope_shares(results)
    assert (shares["train"].right, shares["train"].total) == (1, 2)
    assert (shares["weather"].right, shares["weather"].total) == (1, 2)
    assert (shares[""].right, shares[""].total) == (2, 4)
    assert str(shares[""]) == "2/4 = 50.0%"
    strict = strict_out_of_scope(results)
    assert (strict.right, strict.total) == (1, 4)


def test_service_questions_count_direct_answers_and_offered_choices_apart():
    results = [
        Parsed("x", "svc_passport", "", parse("svc_passport", 0.9)),
        Parsed("y", "svc_passport", "", fallback(("svc_hk_macau", 0.3), ("svc_passport", 0.25))),
        Parsed("z", "svc_passport", "", parse("svc_idcard", 0.8)),
        Parsed("w", "svc_passport", "", parse("out_of_scope", 0.8)),
    ]
    direct, answered_or_offered = service_shares(results)
    assert (direct.right, direct.total) == (1, 4)
    assert (answered_or_offered.right, answered_or_offered.total) == (2, 4)


@pytest.mark.parametrize("name", [OUT_OF_SCOPE_FILE, "out_of_scope_2.yml"])
def test_the_heldout_sets_have_the_shape_the_report_assumes(name):
    """150 off-domain questions in topics of at least 10; every official service asked."""
    assert name in out_of_scope_files(DEFAULT_FOLDER)
    oos = read_examples(DEFAULT_FOLDER / name)
    assert len(oos) == 150
    assert {intent for _, intent, _ in oos} == {"out_of_scope"}
    topics = [topic for _, _, topic in oos]
    assert all(topic for topic in topics)
    assert min(topics.count(t) for t in set(topics)) >= 10 and len(set(topics)) >= 12

    services = read_examples(DEFAULT_FOLDER / SERVICES_FILE)
    assert len(services) == 60
    expected = {"svc_" + row["id"].replace("-", "_") for row in official_services()}
    assert {intent for _, intent, _ in services} == expected


def test_the_gate_fails_when_either_share_is_under_its_minimum():
    oos = [Parsed("a", "out_of_scope", "train", parse("out_of_scope", 0.9)),
           Parsed("b", "out_of_scope", "train", parse("svc_medins_remote", 0.9))]
    services = [Parsed("c", "svc_idcard", "", parse("svc_idcard", 0.9))]
    assert below_gate(oos, services, (0.5, 0.9)) is None
    assert "out of scope 1/2" in (below_gate(oos, services, (0.6, 0.9)) or "")
    wrong = [Parsed("c", "svc_idcard", "", parse("svc_passport", 0.9))]
    assert below_gate(oos, wrong, (0.5, 0.5)) is not None
