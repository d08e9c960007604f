"""Test doubles for the two sides of the WeChat protocol.

- :class:`WeChatServer` plays WeChat's servers calling our webhook: it builds and signs
  messages, and encrypts them in safe mode, with wechatpy (as WeChat's own SDK samples do).
- :class:`FakeWeChatApi` is a local HTTP server speaking WeChat's token, customer-service
  message and menu APIs, recording what it receives (every token it issued, in order);
  failures can be scripted, and requests to one path held (:class:`Gate`) so a test can
  order what several nodes do without sleeping.
"""
from __future__ import annotations

import json
import random
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

TOKEN = "wuhutesttoken"
APPID = "wx1234567890abcdef"
APPSECRET = "test-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_wuhu_gov"


def _sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


@dataclass
class WeChatServer:
    token: str = TOKEN
    aes_key: str = AES_KEY
    appid: str = APPID
    _msg_id: int = field(default_factory=lambda: random.randint(10**18, 2 * 10**18))

    def next_msg_id(self) -> int:
        self._msg_id += 1
        return self._msg_id

    def query(self, timestamp: int | None = None, **extra: str) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        # secrets, not random: hypothesis reseeds `random` per example, which made every
        # generated request reuse one nonce (refused as a replay within the same second).
        nonce = "".join(secrets.choice(string.digits) for _ in range(9))
        return {"signature": _sign(self.token, ts, nonce), "timestamp": ts, "nonce": nonce,
                "openid": "x", **extra}

    # -- messages, as WeChat's XML ------------------------------------------------------
    @staticmethod
    def _xml(fields: dict[str, object]) -> str:
        body = "".join(f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}><![CDATA[{v}]]></{k}>"
                       for k, v in fields.items())
        return f"<xml>{body}</xml>"

    def message(self, openid: str, msg_type: str, msg_id: int | None = None, **fields) -> str:
        return self._xml({"ToUserName": ACCOUNT, "FromUserName": openid,
                          "CreateTime": int(time.time()), "MsgType": msg_type, **fields,
                          "MsgId": msg_id or self.next_msg_id()})

    def text(self, openid: str, content: str, msg_id: int | None = None) -> str:
        return self.message(openid, "text", msg_id, Content=content)

    def event(self, openid: str, event: str, create_time: int | None = None, **fields) -> str:
        return self._xml({"ToUserName": ACCOUNT, "FromUserName": openid,
                          "CreateTime": create_time or int(time.time()), "MsgType": "event",
                          "Event": event, **fields})

    # -- safe mode ----------------------------------------------------------------------
    def encrypt(self, xml: str, query: dict[str, str]) -> tuple:
        """(body, query) as WeChat sends a safe-mode message: ciphertext + msg_signature."""
        crypto = WeChatCrypto(self.token, self.aes_key, self.appid)
        envelope = xmltodict.parse(crypto.encrypt_message(xml, query["nonce"], query["timestamp"]))["xml"]
        body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
        return body, {**query, "encrypt_type": "aes", "msg_signature": envelope["MsgSignature"]}

    def decrypt_reply(self, body: str) -> str:
        """Check our reply's signature and decrypt it, as WeChat does."""
        envelope = xmltodict.parse(body)["xml"]
        crypto = WeChatCrypto(self.token, self.aes_key, self.appid)
        return crypto.decrypt_message(body, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])


def reply_content(xml: str) -> str:
    """The text of a passive reply (or '' for "success")."""
    if not xml.strip().startswith("<xml"):
        return ""
    return xmltodict.parse(xml)["xml"]["Content"]


def settled_texts(api: FakeWeChatApi, openid: str, quiet_s: float = 1.2, timeout_s: float = 15.0) -> list[str]:
    """Customer-service texts to ``openid`` once none has arrived for ``quiet_s``.

    The rest of a long answer follows the passive reply after the channel's short delay.
    """
    deadline = time.monotonic() + timeout_s
    seen, quiet_since = api.texts_to(openid), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < quiet_s:
        time.sleep(0.1)
        now = api.texts_to(openid)
        if len(now) != len(seen):
            seen, quiet_since = now, time.monotonic()
    return seen


class Gate:
    """Holds the first ``count`` requests to one path until :meth:`open`; counts every arrival."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.arrived = 0
        self._open = False
        self._changed = threading.Condition()

    def pass_through(self, timeout_s: float = 30.0) -> None:
        with self._changed:
            self.arrived += 1
            self._changed.notify_all()
            if self.arrived <= self.count:
                self._changed.wait_for(lambda: self._open, timeout_s)

    def wait_arrived(self, n: int = 1, timeout_s: float = 10.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.arrived >= n, timeout_s)

    def open(self) -> None:
        with self._changed:
            self._open = True
            self._changed.notify_all()


class FakeWeChatApi:
    """WeChat's API on localhost. ``errors`` scripts errcodes for the next send calls.

    Tokens look like WeChat's (long, random: the log filter replaces values of 8 characters
    or more literally) and are listed in ``tokens`` in the order issued; ``expires_in`` is
    what the token API announces.
    """

    def __init__(self, send_delay_s: float = 0.0) -> None:
        self.tokens_issued = 0
        self.tokens: list[str] = []
        self.expires_in = 7200
        self.gates: dict[str, Gate] = {}
        self.sent: list[dict] = []
        self.menus: list[dict] = []
        self.errors: list[int] = []  # errcodes for the next customer-service sends
        self.http_failures = 0  # next N requests get HTTP 503
        self.send_delay_s = send_delay_s
        self.valid_tokens: set = set()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _fail_http(self) -> bool:
                with fake._lock:
                    if fake.http_failures > 0:
                        fake.http_failures -= 1
                        self._json(503, {"error": "unavailable"})
                        return True
                return False

            def _hold(self, path: str) -> None:
                gate = fake.gates.get(path)
                if gate is not None:
                    gate.pass_through()

            def do_GET(self) -> None:
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                self._hold(url.path)
                if self._fail_http():
                    return
                if url.path == "/cgi-bin/token":
                    if params.get("appid") != APPID or params.get("secret") != APPSECRET:
                        return self._json(200, {"errcode": 40125, "errmsg": "invalid appsecret"})
                    with fake._lock:
                        fake.tokens_issued += 1
                        token = f"at{fake.tokens_issued}-{secrets.token_urlsafe(24)}"
                        fake.tokens.append(token)
                        fake.valid_tokens.add(token)
                        expires_in = fake.expires_in
                    return self._json(200, {"access_token": token, "expires_in": expires_in})
                self._json(404, {"errcode": 404, "errmsg": "not found"})

            def do_POST(self) -> None:
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                self._hold(url.path)
                if self._fail_http():
                    return
                with fake._lock:
                    scripted = fake.errors.pop(0) if fake.errors else None
                    known = params.get("access_token") in fake.valid_tokens
                if scripted is not None:
                    if scripted in (40001, 42001):
                        fake.valid_tokens.discard(params.get("access_token"))
                    return self._json(200, {"errcode": scripted, "errmsg": "scripted"})
                if not known:
                    return self._json(200, {"errcode": 40014, "errmsg": "invalid access_token"})
                if url.path == "/cgi-bin/message/custom/send":
                    time.sleep(fake.send_delay_s)
                    with fake._arrived:
                        fake.sent.append(body)
                        fake._arrived.notify_all()
                    return self._json(200, {"errcode": 0, "errmsg": "ok"})
                if url.path == "/cgi-bin/menu/create":
                    with fake._lock:
                        fake.menus.append(body)
                    return self._json(200, {"errcode": 0, "errmsg": "ok"})
                self._json(404, {"errcode": 404, "errmsg": "not found"})

        self._handler = Handler
        self._server: ThreadingHTTPServer | None = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._serving = False

    def __enter__(self) -> FakeWeChatApi:
        self.go_online()
        return self

    def __exit__(self, *exc) -> None:
        self.go_offline()

    def go_online(self) -> None:
        """Serve (again) on the same port."""
        if self._server is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler)
        if not self._serving:
            self._serving = True
            threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def go_offline(self) -> None:
        """Close the port: connections are refused, as when WeChat's API is unreachable."""
        if self._server is not None:
            if self._serving:
                self._server.shutdown()
            self._server.server_close()
            self._server, self._serving = None, False

    def hold(self, path: str, count: int = 1) -> Gate:
        """Hold the next ``count`` requests to ``path`` ("/cgi-bin/token") until the gate opens."""
        gate = self.gates[path] = Gate(count)
        return gate

    def wait_for_messages(self, count: int, timeout: float = 30.0) -> list[dict]:
        """Block until ``count`` customer-service messages arrived (or the timeout)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.sent) < count and time.monotonic() < deadline:
                self._arrived.wait(deadline - time.monotonic())
            return list(self.sent)

    def texts_to(self, openid: str) -> list[str]:
        with self._lock:
            return [m["text"]["content"] for m in self.sent if m.get("touser") == openid]
