"""How DIET's reading and the catalogue search combine (bot/nlu/service_decision.py)."""
from __future__ import annotations

from bot.catalogue.search import Hit
from bot.nlu.service_decision import (
    ASK_SERVICE,
    SEARCH_KEY,
    Kind,
    Thresholds,
    decide,
    judged_out_of_scope,
    search_result,
    service_of,
)

TRAINED = frozenset({"sbk-apply", "sbk-replace"})
T = Thresholds(max_oos_coverage=0.35, min_sure_service=0.8)


def rank(*pairs: tuple[str, float]) -> list[dict]:
    return [{"name": n, "confidence": c} for n, c in pairs]


def hit(sid: str, score: float = 5.0, coverage: float = 0.9, exact: bool = False) -> Hit:
    return Hit(sid, score, (), coverage, exact)


def test_dialogue_intents_are_never_revisited():
    for intent in ("greet", "choose_number", "faq", "ask_family_certificate", "check_progress"):
        decision = decide(intent, rank((intent, 0.4)), [hit("new-dog", exact=True)], TRAINED, T)
        assert decision.kind is Kind.KEEP and not decision.candidates


def test_naming_a_service_added_after_training_answers_it_whatever_diet_thought():
    for intent in ("svc_sbk_apply", "nlu_fallback", "out_of_scope"):
        decision = decide(intent, rank(("svc_sbk_apply", 0.9)), [hit("new-dog", exact=True)], TRAINED, T)
        assert (decision.kind, decision.service_id) == (Kind.SERVICE, "new-dog")


def test_naming_a_trained_service_leaves_diet_to_choose_among_its_siblings():
    decision = decide("svc_sbk_replace", rank(("svc_sbk_replace", 0.6)), [hit("sbk-apply", exact=True)], TRAINED, T)
    assert decision.kind is Kind.KEEP


def test_a_clear_search_hit_on_a_new_service_wins_only_when_diet_is_unsure():
    hits = [hit("new-dog", score=9.0, coverage=0.8), hit("sbk-apply", score=2.0)]
    unsure = decide("nlu_fallback", rank(("nlu_fallback", 0.3), ("svc_sbk_apply", 0.25)), hits, TRAINED, T)
    assert (unsure.kind, unsure.service_id) == (Kind.SERVICE, "new-dog")
    sure = decide("svc_sbk_apply", rank(("svc_sbk_apply", 0.95)), hits, TRAINED, T)
    assert sure.kind is Kind.KEEP


def test_a_close_second_hit_is_not_a_clear_lead():
    hits = [hit("new-dog", score=5.0, coverage=0.8), hit("new-cat", score=4.5, coverage=0.8)]
    decision = decide("nlu_fallback", rank(("nlu_fallback", 0.3)), hits, TRAINED, T)
    assert decision.kind is Kind.KEEP
    assert decision.candidates == ("new-dog", "new-cat")  # both join "did you mean"


def test_words_the_catalogue_does_not_know_are_out_of_scope_unless_diet_is_sure():
    hits = [hit("sbk-apply", score=0.5, coverage=0.1)]
    for intent, confidence in (("svc_sbk_apply", 0.5), ("nlu_fallback", 0.25)):
        decision = decide(intent, rank((intent, confidence), ("svc_sbk_apply", confidence)), hits, TRAINED, T)
        assert decision.kind is Kind.OUT_OF_SCOPE, intent
    assert decide("nlu_fallback", rank(("nlu_fallback", 0.3)), [], TRAINED, T).kind is Kind.OUT_OF_SCOPE
    sure = decide("svc_sbk_apply", rank(("svc_sbk_apply", 0.85)), hits, TRAINED, T)
    assert sure.kind is Kind.KEEP


def test_a_message_the_catalogue_knows_keeps_diets_reading():
    hits = [hit("sbk-apply", coverage=0.7)]
    decision = decide("svc_sbk_apply", rank(("svc_sbk_apply", 0.4)), hits, TRAINED, T)
    assert decision.kind is Kind.KEEP and decision.candidates == ()


def test_parse_helpers_read_what_the_stage_wrote():
    parse = {"intent": {"name": ASK_SERVICE, "confidence": 1.0},
             SEARCH_KEY: {"service": "new-dog", "out_of_scope": False, "candidates": []}}
    assert service_of(parse) == "new-dog" and not judged_out_of_scope(parse)
    assert service_of({"intent": {"name": "svc_sbk_apply"}}) == "sbk-apply"
    assert service_of({"intent": {"name": ASK_SERVICE}}) is None  # nothing recorded: no service
    oos = {"intent": {"name": "nlu_fallback"}, SEARCH_KEY: {"out_of_scope": True}}
    assert judged_out_of_scope(oos) and service_of(oos) is None
    assert search_result({SEARCH_KEY: "garbage"}) == {}


def test_a_service_question_about_another_city_is_out_of_scope_whatever_diet_thought():
    for intent in ("svc_sbk_replace", "nlu_fallback", "ask_family_hf_withdraw", "out_of_scope"):
        decision = decide(intent, rank((intent, 0.97)), [hit("sbk-replace", exact=True)], TRAINED, T, "南京")
        assert (decision.kind, decision.elsewhere) == (Kind.OUT_OF_SCOPE, "南京"), intent
    greeting = decide("greet", rank(("greet", 0.9)), [], TRAINED, T, "南京")
    assert greeting.kind is Kind.KEEP


def test_a_service_whose_point_is_another_place_keeps_the_other_city():
    decision = decide("svc_medins_remote", rank(("svc_medins_remote", 0.9)), [hit("medins-remote")], TRAINED, T, "杭州")
    assert decision.kind is Kind.KEEP
    fallback = decide("nlu_fallback", rank(("nlu_fallback", 0.3), ("svc_hukou_move", 0.25)), [hit("hukou-move")],
                      TRAINED, T, "南京")
    assert fallback.kind is not Kind.OUT_OF_SCOPE
