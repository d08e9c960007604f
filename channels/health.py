"""GET /webhooks/health/: can this Rasa node serve a turn right now? For the load balancer.

200 {"status": "ok"} when the model is loaded and the tracker database, the lock store's
Redis and the node's action server all answer; else 503 {"status": "unavailable",
"down": [...]} naming the parts, never an address. HAProxy (deploy/cluster/haproxy.cfg)
sends no resident to a node that answers 503, including one still loading its model.

Listed as ``channels.health.HealthInput:`` in the cluster's credentials; it reads no
message and sends none. Each probe runs off the event loop with a time limit, so a
database that hangs makes the check fail rather than the node stall.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

#: Seconds each part may take to answer. A node under full load answers slowly, not never: 2 s
#: made HAProxy take both nodes out at 100 concurrent conversations (bench/load.py, 246 of
#: 1,000 turns refused), so slowness is tolerated longer than a dead part would be.
PROBE_TIMEOUT_S = 5.0


def primary_tracker_store(store: Any) -> Any:
    """The configured store inside Rasa's wrappers (FailSafeTrackerStore, AwaitableTrackerStore)."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def _sql_ping(engine: Any) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


async def _off_loop(work: Callable[[], Any]) -> None:
    await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, work), PROBE_TIMEOUT_S)


async def _action_server(url: str) -> None:
    health = url.rsplit("/webhook", 1)[0] + "/health"
    timeout = aiohttp.ClientTimeout(total=PROBE_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(health) as answer:
        answer.raise_for_status()


async def down_parts(agent: Any) -> list[str]:
    """The names of the parts that do not answer (empty when the node can serve)."""
    if agent is None or not agent.is_ready():
        return ["model"]
    probes: dict[str, Awaitable[None]] = {}
    store = primary_tracker_store(agent.tracker_store)
    if getattr(store, "engine", None) is not None:
        probes["tracker store"] = _off_loop(lambda: _sql_ping(store.engine))
    red = getattr(agent.lock_store, "red", None)
    if red is not None:
        probes["lock store"] = _off_loop(red.ping)
    if agent.action_endpoint is not None and agent.action_endpoint.url:
        probes["action server"] = _action_server(agent.action_endpoint.url)
    results = await asyncio.gather(*probes.values(), return_exceptions=True)
    return [name for name, result in zip(probes, results, strict=True) if isinstance(result, BaseException)]


class HealthInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "health"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        health = Blueprint("gov_health", __name__)

        @health.route("/", methods=["GET"])
        async def check(request: Request) -> HTTPResponse:
            down = await down_parts(getattr(request.app.ctx, "agent", None))
            if down:
                return response.json({"status": "unavailable", "down": down}, status=503)
            return response.json({"status": "ok"})

        return health
