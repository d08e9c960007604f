"""Swapping the model on the running Rasa server (PUT /model with the token) while
residents keep talking: no failed, dropped or wrong replies, and the token is enforced.

Two copies of the trained model under different names stand in for "old" and "new": the
swap mechanics are what is tested here; tests/web/test_console_loop.py shows a retrained
model changing answers.
"""
from __future__ import annotations

import shutil
import threading
import time
import uuid

import pytest
import requests

from bot.stack import running_stack
from console.training.rasa_admin import RasaServer, RasaUnavailable
from tests.support.servers import trained_model

pytestmark = pytest.mark.e2e
TOKEN = "test-rasa-token-" + uuid.uuid4().hex
QUESTION, EXPECTED = "社保卡丢了怎么补办", "社会保障卡"


@pytest.fixture(scope="module")
def swap_stack(tmp_path_factory, catalogue_db_url):
    models = tmp_path_factory.mktemp("swap_models")
    old, new = models / "old-model.tar.gz", models / "new-model.tar.gz"
    shutil.copy(trained_model(), old)
    shutil.copy(trained_model(), new)
    with running_stack(tmp_path_factory.mktemp("swap_stack"), old, catalogue_db_url,
                       api_token=TOKEN) as stack:
        yield stack, old, new


def test_admin_api_refuses_a_missing_or_wrong_token(swap_stack):
    stack, old, new = swap_stack
    for params in ({}, {"token": "wrong"}):
        response = requests.put(f"{stack.rasa_url}/model", params=params,
                                json={"model_file": str(new)}, timeout=10)
        assert response.status_code == 401
        assert requests.get(f"{stack.rasa_url}/status", params=params, timeout=10).status_code == 401
    with pytest.raises(RasaUnavailable):
        RasaServer(stack.rasa_url, "wrong").live_model()
    assert RasaServer(stack.rasa_url, TOKEN).live_model() == old.name
    # The residents' channel needs no token.
    assert EXPECTED in stack.text(f"t-{uuid.uuid4().hex[:8]}", QUESTION)


def test_conversations_during_two_swaps_see_no_errors(swap_stack):
    stack, old, new = swap_stack
    rasa = RasaServer(stack.rasa_url, TOKEN)
    stop = threading.Event()
    results: list[tuple[float, float, str]] = []  # (sent at, seconds, outcome)
    lock = threading.Lock()

    def talk(worker: int) -> None:
        turn = 0
        while not stop.is_set():
            sender = f"swap-{worker}-{turn // 2}"
            text = QUESTION if turn % 2 == 0 else "谢谢"
            started = time.monotonic()
            try:
                reply = stack.text(sender, text)
                ok = bool(reply.strip()) and (EXPECTED in reply if turn % 2 == 0 else True)
                outcome = "ok" if ok else f"wrong: {reply[:80]}"
            except requests.RequestException as error:
                outcome = f"error: {error}"
            with lock:
                results.append((started, time.monotonic() - started, outcome))
            turn += 1

    workers = [threading.Thread(target=talk, args=(i,), daemon=True) for i in range(4)]
    for worker in workers:
        worker.start()
    time.sleep(2)
    swaps = []
    for model in (new, old):
        began = time.monotonic()
        rasa.load(model)
        swaps.append((began, time.monotonic()))
        assert rasa.live_model() == model.name
        time.sleep(2)
    stop.set()
    for worker in workers:
        worker.join(60)

    failures = [r for r in results if r[2] != "ok"]
    assert not failures, failures[:5]
    during = [r for r in results if any(b <= r[0] + r[1] and r[0] <= e for b, e in swaps)]
    assert len(during) >= 4, "no conversation overlapped a swap; the test proved nothing"
    assert len(results) >= 20
