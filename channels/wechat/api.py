"""WeChat's server API (access token, customer-service messages, menu) through wechatpy.

wechatpy's client does the request shapes and caches the access token until it expires.
This wrapper adds what a deployment needs on top: a configurable API base (a test server
or a proxy), timeouts on every call including the token fetch, retries on connection
errors, one token refresh (not an endless loop) on WeChat's token-expiry codes, and a
lock so concurrent senders fetch one token.

WeChat keeps one valid token per AppID: each fetch invalidates the previous token a few
minutes later, and fetches are limited per day. One process keeps the token in memory, as
wechatpy does. Several processes (a cluster) must not each fetch their own, or they knock
out each other's token (40001 → fetch → quota): they are given a :class:`SharedAccessToken`
(redis_token.py), which every call asks for the token and which lets one node fetch at a
time; a refused token is given back to it, to drop only if it is still the stored one.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from channels.wechat import redaction
from channels.wechat.settings import WeChatSettings

logger = logging.getLogger(__name__)

#: invalid credential, invalid access_token, access_token expired.
TOKEN_EXPIRED_CODES = frozenset({40001, 40014, 42001})


class WeChatApiError(RuntimeError):
    """A call failed after retries; ``errcode`` is WeChat's code when it sent one."""

    def __init__(self, message: str, errcode: Any = None) -> None:
        super().__init__(message)
        self.errcode = errcode


#: Fetches a new token from WeChat: (access_token, expires_in seconds).
TokenFetch = Callable[[], tuple[str, int]]


class SharedAccessToken(Protocol):
    """The token every process of a cluster uses (redis_token.RedisAccessToken)."""

    def get(self, fetch: TokenFetch) -> str:
        """The stored token, or one fetched (by this node or another) when there is none."""

    def refused(self, token: str, fetch: TokenFetch) -> str:
        """WeChat refused ``token``: drop it unless another node replaced it already; the
        token to use now (never ``token`` again)."""


class _Client(WeChatClient):
    """wechatpy's client pointed at ``api_base``, with timeouts on the token fetch too;
    the token in memory, or from ``shared`` when given."""

    expires_at: int | None  # wechatpy's, set by its __init__ and the memory path's fetches

    def __init__(self, settings: WeChatSettings, shared: SharedAccessToken | None = None) -> None:
        super().__init__(settings.appid, settings.appsecret, timeout=settings.http_timeout_s,
                         auto_retry=False)
        self.API_BASE_URL = f"{settings.api_base}/cgi-bin/"
        self._token_url = f"{settings.api_base}/cgi-bin/token"
        retry = Retry(total=settings.http_retries, connect=settings.http_retries,
                      read=0, status=settings.http_retries, backoff_factor=0.2,
                      status_forcelist=(500, 502, 503, 504), allowed_methods=None,
                      raise_on_status=False)
        adapter = HTTPAdapter(max_retries=retry)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)
        self._token_lock = threading.Lock()
        self._shared = shared
        self._used = threading.local()  # the token this thread's last call carried

    @property
    def access_token(self) -> str:
        """The token for the call being made (wechatpy reads it for every request)."""
        token: str = super().access_token if self._shared is None else self._shared.get(self._fetch_new)
        self._used.token = token
        return token

    def renew(self) -> None:
        """WeChat refused the token this thread's call carried: get another."""
        if self._shared is None:
            self.fetch_access_token(force=True)
            return
        refused = getattr(self._used, "token", None)
        if refused is None:  # no call carried one: nothing to give back
            self._shared.get(self._fetch_new)
        else:
            self._shared.refused(refused, self._fetch_new)

    def fetch_access_token(self, force: bool = False) -> dict[str, Any]:
        if self._shared is not None:  # nothing of wechatpy's calls this then; kept coherent anyway
            return {"access_token": self._shared.get(self._fetch_new)}
        with self._token_lock:
            fresh = self.expires_at and self.expires_at - time.time() > 60
            if fresh and not force and self.session.get(self.access_token_key):
                return {"access_token": self.session.get(self.access_token_key)}  # another thread got it
            result = self._request_token()
            expires_in = int(result.get("expires_in", 7200))
            self.session.set(self.access_token_key, result["access_token"], expires_in)
            self.expires_at = int(time.time()) + expires_in
            return result

    def _fetch_new(self) -> tuple[str, int]:
        result = self._request_token()
        return str(result["access_token"]), int(result.get("expires_in", 7200))

    def _request_token(self) -> dict[str, Any]:
        res = self._http.get(self._token_url, timeout=self.timeout, params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        res.raise_for_status()
        result: dict[str, Any] = res.json()
        if result.get("errcode"):
            raise WeChatApiError(f"token API refused: {result.get('errmsg')}", result["errcode"])
        redaction.add_secrets([result["access_token"]])  # before anything can log it
        return result


class WeChatApi:
    """Blocking calls; the channel runs them in a worker thread. ``shared_token`` (a
    cluster's, from SharedState.wechat_access_token) replaces the token kept in memory."""

    def __init__(self, settings: WeChatSettings, shared_token: SharedAccessToken | None = None) -> None:
        redaction.install([settings.appsecret])  # URLs with the secret and token get logged
        self._client = _Client(settings, shared_token)

    def _call(self, operation) -> dict[str, Any]:
        # The forced refresh and the second attempt sit inside the same try, so that an
        # HTTP failure of the refresh is a WeChatApiError too (not a raw requests error).
        try:
            try:
                return operation()
            except WeChatClientException as exc:
                if exc.errcode not in TOKEN_EXPIRED_CODES:
                    raise
                logger.info("WeChat access token rejected (%s); fetching a new one", exc.errcode)
            self._client.renew()
            return operation()  # once only: a token refused again is an error, not a loop
        except WeChatClientException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", "?")
            detail = exc.errmsg if exc.errmsg is not None else f"HTTP {status}"
            raise WeChatApiError(f"WeChat API error: {detail}", exc.errcode) from exc
        except requests.RequestException as exc:
            raise WeChatApiError(f"WeChat API unreachable: {type(exc).__name__}") from exc

    def send_text(self, openid: str, content: str) -> dict[str, Any]:
        """One customer-service text message (the resident must have written in 48 h)."""
        return self._call(lambda: self._client.message.send_text(openid, content))

    def create_menu(self, menu_json: dict[str, Any]) -> dict[str, Any]:
        return self._call(lambda: self._client.menu.create(menu_json))
