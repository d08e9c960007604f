"""The Rasa input channel: serves WeChatEndpoint at /webhooks/wechat/webhook."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import handoff_delivery
from channels.conversations import AppCapturingBlueprint, Conversations
from channels.handoff_gate import HandoffGate
from channels.shared_state import shared_state
from channels.wechat import redaction
from channels.wechat.api import WeChatApi
from channels.wechat.endpoint import HttpReply, WeChatEndpoint
from channels.wechat.handoff import WeChatDeliverer
from channels.wechat.locate import CatalogueLocator
from channels.wechat.menu import load_menu
from channels.wechat.settings import WeChatSettings

logger = logging.getLogger(__name__)


class WeChatInput(InputChannel):
    """WeChat Official Account (公众号) messages, in plaintext, compatible or safe mode."""

    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(WeChatSettings.from_credentials(credentials))

    def __init__(self, settings: WeChatSettings) -> None:
        self.settings = settings
        self.endpoint: WeChatEndpoint | None = None
        self.conversations = Conversations()
        self.deliverer: WeChatDeliverer | None = None  # staff messages of a 转人工 (handoff.py)

    def _build_endpoint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> WeChatEndpoint:
        # Rasa configured logging before building channels; no credential may reach a log.
        redaction.install([self.settings.appsecret, self.settings.token, self.settings.aes_key])

        on_new_message = HandoffGate(on_new_message, self.conversations)  # 转人工: channels/handoff_gate.py

        async def assistant(sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                             metadata=metadata))
            return collector.messages

        menu = load_menu(self.settings.menu_path).payloads() if self.settings.enabled else {}
        state = shared_state()  # Redis for a cluster: a retry, a replay or the next message may reach another node
        api = (WeChatApi(self.settings, state.wechat_access_token(self.settings))
               if self.settings.can_call_api else None)
        if self.settings.enabled:
            logger.info("WeChat channel on (%s mode, customer-service API %s)",
                        "safe/compatible" if self.settings.can_decrypt else "plaintext",
                        "on" if api else "off: set WECHAT_APPID and WECHAT_APPSECRET")
        missed = state.wechat_missed()
        self.deliverer = WeChatDeliverer(self.conversations, api.send_text if api else None, missed,
                                         handoff_delivery.default_sessions)
        return WeChatEndpoint(self.settings, assistant, menu, locator=CatalogueLocator(),
                              send_text=api.send_text if api else None, nonces=state.nonce_store(),
                              shared_turns=state.wechat_turns(self.settings.dedupe_window_s),
                              choices=state.wechat_choices(), missed=missed)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        endpoint = self.endpoint = self._build_endpoint(on_new_message)
        hook = AppCapturingBlueprint(self.conversations, "wechat_webhook", __name__)
        deliverer = self.deliverer
        if deliverer is not None:
            handoff_delivery.install(hook, self.name(), lambda: deliverer)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "enabled": self.settings.enabled})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return _http(endpoint.handle_get(_query(request)))

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return _http(await endpoint.handle_post(_query(request), request.body or b""))

        return hook


def _query(request: Request) -> dict[str, str]:
    return {key: request.args.get(key) for key in request.args}


def _http(reply: HttpReply) -> HTTPResponse:
    return response.text(reply.body, status=reply.status, content_type=reply.content_type)
