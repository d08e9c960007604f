"""A small sample of `make fuzz` on every resident channel: no crash, no 5xx, no hang.

The full run (10,000 generated inputs per channel, figures in the README) is
``make fuzz``; this sample keeps a regression from landing unnoticed.
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

SAMPLE_INPUTS = 60


def test_every_channel_survives_generated_input() -> None:
    from bench.fuzz_channels import run_channels
    from tests.support.servers import trained_model

    trained_model()  # fails with the reason when no model is trained
    results = run_channels(SAMPLE_INPUTS, hang_s=20.0)
    assert [name for name, _, _ in results] == [
        "REST", "web chat (socket.io)", "WeChat safe mode (AES)", "WeChat plaintext"]
    for name, tally, alive in results:
        assert tally.counts["inputs"] == SAMPLE_INPUTS, name
        assert tally.failures == 0, (name, dict(tally.counts), tally.examples)
        assert alive, f"{name}: the server stopped answering a normal question"
