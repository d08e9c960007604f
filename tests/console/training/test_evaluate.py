"""The evaluation gate before a model goes live (console.training.evaluate)."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from console.training.evaluate import Report, compare, evaluate_model, score
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
    result = compare(report(0.90, greet=(0.80, 8), thanks=(0.85, 6)), live)
    assert not result.allowed
    assert result.reasons == ["greet的F1从0.95降到0.80"]
    assert result.rows[0][0] == "greet" and result.rows[0][3] == pytest.approx(-0.15)


def test_small_intents_do_not_block():
    live = report(0.90, rare=(1.0, 4))
    assert compare(report(0.90, rare=(0.0, 4)), live).allowed


def test_allowed_within_margin():
    live = report(0.90, greet=(0.95, 8))
    result = compare(report(0.89, greet=(0.85, 8)), live)  # exactly at both limits
    assert result.allowed, result.reasons
    assert compare(report(0.95, greet=(0.99, 8)), live).allowed
    assert not compare(report(0.89, greet=(0.85, 8)), live, margin=0.005).allowed


def test_allowed_without_live_model():
    result = compare(report(0.2, greet=(0.1, 9)), None)
    assert result.allowed
    assert result.rows == [("greet", None, 0.1, None)]
