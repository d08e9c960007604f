"""The evaluation gate before a model goes live (console.training.evaluate)."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from console.training.evaluate import (
    IS_LIVE,
    NO_LIVE_MODEL,
    Report,
    compare,
    evaluate_in_subprocess,
    evaluate_model,
    score,
    understood_intent,
)
from tests.support.training import trained_tiny_model

HELDOUT = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello there
    - hi
    - hey friend
- intent: goodbye
  examples: |
    - bye now
    - see you
- intent: thanks
  examples: |
    - thank you so much
"""


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return trained_tiny_model(tmp_path_factory)


def test_evaluate_model_on_held_out_examples(tiny_model, tmp_path):
    (tmp_path / "heldout").mkdir()
    (tmp_path / "heldout" / "small.yml").write_text(HELDOUT, encoding="utf-8")
    report = asyncio.run(evaluate_model(tiny_model, tmp_path / "heldout"))
    assert 0.0 <= report.accuracy <= 1.0
    assert report.total == 6
    assert {intent: s[3] for intent, s in report.per_intent.items()} == {
        "greet": 3, "goodbye": 2, "thanks": 1}
    for precision, recall, f1, _ in report.per_intent.values():
        assert 0.0 <= min(precision, recall, f1) and max(precision, recall, f1) <= 1.0
    assert report.understood == {}


def test_the_subprocess_also_parses_the_taught_phrasings(tiny_model, tmp_path):
    (tmp_path / "heldout").mkdir()
    (tmp_path / "heldout" / "small.yml").write_text(HELDOUT, encoding="utf-8")
    phrasings = ["goodbye", "thank you very much", "hello friend"]  # training examples of the tiny model
    [report] = asyncio.run(evaluate_in_subprocess([tiny_model], tmp_path / "heldout", phrasings=phrasings))
    assert report.total == 6
    assert set(report.understood) == set(phrasings)
    # Five epochs make no promise about each phrasing; each is read as one of the model's intents.
    assert set(report.understood.values()) <= {"greet", "goodbye", "thanks", "nlu_fallback"}
    assert Report.from_dict(report.as_dict()) == report


def test_what_a_parse_understood_in_the_form_staff_teach():
    faq = {"intent": {"name": "faq"}, "response_selector": {
        "faq": {"response": {"intent_response_key": "faq/office_hours"}}}}
    assert understood_intent(faq) == "faq/office_hours"
    assert understood_intent({"intent": {"name": "faq"}, "response_selector": {}}) == "faq"
    searched = {"intent": {"name": "ask_service"}, "service_search": {"service": "dog-license"}}
    assert understood_intent(searched) == "svc_dog_license"
    assert understood_intent({"intent": {"name": "ask_service"}}) == "ask_service"
    assert understood_intent({"intent": {"name": "svc_sbk_apply"}}) == "svc_sbk_apply"
    assert understood_intent({"intent": None}) == ""


def test_reports_of_older_versions_have_no_parsed_phrasings():
    assert Report.from_dict({"accuracy": 0.5, "total": 2, "per_intent": {}}).understood == {}


def test_score_by_hand():
    report = score([("a", "a"), ("a", "a"), ("a", "b"), ("b", "b"), ("b", "nlu_fallback")])
    assert report.accuracy == pytest.approx(0.6)
    assert report.per_intent["a"] == pytest.approx((1.0, 2 / 3, 0.8, 3))
    assert report.per_intent["b"] == pytest.approx((0.5, 0.5, 0.5, 2))
    assert set(report.per_intent) == {"a", "b"}


def report(accuracy: float, **f1s: tuple[float, int]) -> Report:
    return Report(accuracy, {name: (f1, f1, f1, support) for name, (f1, support) in f1s.items()})


def test_blocked_on_accuracy_drop():
    live = report(0.90, greet=(0.9, 10))
    result = compare(report(0.85, greet=(0.9, 10)), live)
    assert not result.allowed
    assert result.reasons == ["整体准确率从0.90降到0.85（允许的下降不超过0.01）"]


def test_blocked_on_intent_f1_drop():
    live = report(0.90, greet=(0.95, 8), thanks=(0.9, 6))
    result = compare(report(0.90, greet=(0.75, 8), thanks=(0.85, 6)), live)
    assert not result.allowed
    assert result.reasons == ["greet的F1从0.95降到0.75"]
    assert result.rows[0][0] == "greet" and result.rows[0][3] == pytest.approx(-0.2)


def test_two_phrasings_of_ten_are_noise_not_harm():
    live = report(0.93, svc_elderly_card=(1.0, 10))
    assert compare(report(0.925, svc_elderly_card=(0.89, 10)), live).allowed


def test_small_intents_do_not_block():
    live = report(0.90, rare=(1.0, 4))
    assert compare(report(0.90, rare=(0.0, 4)), live).allowed


def test_allowed_within_margin():
    live = report(0.90, greet=(0.95, 8))
    result = compare(report(0.89, greet=(0.80, 8)), live)  # exactly at both limits
    assert result.allowed, result.reasons
    assert compare(report(0.95, greet=(0.99, 8)), live).allowed
    assert not compare(report(0.89, greet=(0.85, 8)), live, margin=0.005).allowed


def test_the_live_model_is_the_yardstick_not_a_model_without_a_live_one():
    own = compare(report(0.9, greet=(0.9, 10)), None, candidate_is_live=True)
    assert own.allowed and own.reasons == [IS_LIVE]
    mine = compare(report(0.9, greet=(0.9, 10)), report(0.9, greet=(0.9, 10)), candidate_is_live=True)
    assert mine.reasons == [IS_LIVE] and all(row[1] is None for row in mine.rows)  # no self-comparison
    assert compare(report(0.9), None).reasons == [NO_LIVE_MODEL]


def test_reasons_name_intents_in_chinese():
    result = compare(report(0.9, svc_x=(0.5, 10)), report(0.9, svc_x=(0.9, 10)), label={"svc_x": "养犬登记"}.get)
    assert result.reasons == ["养犬登记的F1从0.90降到0.50"]


def test_allowed_without_live_model():
    result = compare(report(0.2, greet=(0.1, 9)), None)
    assert result.allowed
    assert result.rows == [("greet", None, 0.1, None)]
