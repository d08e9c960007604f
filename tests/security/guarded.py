"""The guarded stack's settings (small limits, a REST token, a trusted local proxy) and a REST client.

Non-loopback clients are simulated through the trusted proxy: TRUSTED_PROXIES=127.0.0.1,
so a request from this machine carrying ``X-Forwarded-For: 203.0.113.7`` counts as coming
from 203.0.113.7 (a documentation address; no traffic goes there). Loopback itself is
127.0.0.0/8 and ::1 (channels/client_address.py). Every test takes its own client
address (:func:`client_address`), so limits spent by one test never touch another.
"""
from __future__ import annotations

import itertools
import secrets

import requests

REST_TOKEN = secrets.token_urlsafe(24)
ADMIN_TOKEN = secrets.token_urlsafe(24)  # Rasa's admin API, as scripts/run.sh runs it
LIMITS = {"LIMIT_CONVERSATION_BURST": "3", "LIMIT_CONVERSATION_PER_MIN": "0",
          "LIMIT_IP_BURST": "5", "LIMIT_IP_PER_MIN": "0",
          "LIMIT_SOCKETS_PER_IP": "2", "LIMIT_ROOMS_PER_SOCKET": "2"}
_addresses = (f"203.0.113.{n}" for n in itertools.count(1))


def client_address() -> str:
    return next(_addresses)


def rest(stack, sender, message, *, address=None, token=None, timeout=30) -> requests.Response:
    """POST to the REST webhook, as ``address`` behind the trusted proxy if given."""
    headers = {}
    if address:
        headers["X-Forwarded-For"] = address
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = {"message": message} if sender is None else {"sender": sender, "message": message}
    return requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, headers=headers, timeout=timeout)
