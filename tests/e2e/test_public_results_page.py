"""The public 好差评 page on the residents' server itself: Rasa serves it beside /chat/ (credentials)."""
from __future__ import annotations

import requests


def test_the_results_page_is_served_by_the_assistants_server(stack):
    response = requests.get(f"{stack.rasa_url}/evaluation/", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'sha256-")
    assert "好差评结果公开" in response.text and "<script" not in response.text
    year = requests.get(f"{stack.rasa_url}/evaluation/?p=year", timeout=10)
    assert year.status_code == 200 and 'aria-current=page>本年度' in year.text
