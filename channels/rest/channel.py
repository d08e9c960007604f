"""The Rasa input channel: serves RestEndpoint at /webhooks/rest/webhook.

Replaces Rasa's built-in ``rest:`` channel (same URL and body, {"sender", "message"}),
which trusts the body's sender from anyone and accepts any "/payload" as a command.
credentials.yml: ``channels.rest.RestInput:`` with optional ``token`` / ``token_file``
(else the environment's REST_TOKEN / REST_TOKEN_FILE).

During a 转人工 the webhook answers nothing (channels/handoff_gate.py); a staff member's
replies arrive later, as bot events of the conversation "rest:<sender>" with metadata
``{"handoff": {"message_id": …, "agent": "工作人员"}}``. Integrators poll Rasa's
``GET /conversations/rest:<sender>/tracker`` (HTTP API on, with its token) for them
(channels/handoff_delivery.py).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import handoff_delivery
from channels.client_address import TrustedProxies
from channels.conversations import AppCapturingBlueprint, Conversations
from channels.handoff_delivery import TrackerOnly
from channels.handoff_gate import HandoffGate
from channels.limits import LimitSettings
from channels.rest.endpoint import RestEndpoint, load_token
from channels.shared_state import shared_state


class RestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(token=load_token(configured=credentials.get("token"), token_file=credentials.get("token_file")))

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.conversations = Conversations()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = HandoffGate(on_new_message, self.conversations)  # 转人工: channels/handoff_gate.py

        async def assistant(conversation: str, text: str) -> list[dict[str, Any]]:
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(text, collector, conversation, input_channel=self.name()))
            return list(collector.messages)

        endpoint = RestEndpoint(token=self.token, proxies=TrustedProxies.from_env(),
                                limits=shared_state().message_limits(LimitSettings.from_env(), self.name()),
                                events=self.conversations.events, assistant=assistant)
        hook = AppCapturingBlueprint(self.conversations, "rest_webhook", __name__)
        # Staff replies of a 转人工 go into the tracker, where integrators read them.
        handoff_delivery.install(hook, self.name(), lambda: TrackerOnly(self.conversations))

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except InvalidUsage:
                body = None
            reply = await endpoint.handle(
                peer=request.ip, forwarded_for=",".join(request.headers.getall("x-forwarded-for", [])),
                authorization=request.headers.get("authorization"), body=body)
            return response.json(reply.body, status=reply.status, headers=reply.headers)

        return hook

