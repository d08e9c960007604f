"""The running Rasa server's admin API, as the console uses it: which model is live, load one.

Rasa serves its HTTP API only with ``--enable-api``; ``--auth-token`` makes every API route
ask for ``?token=`` (scripts/run.sh always sets one, kept in var/rasa_token). The residents'
channels (/webhooks/..., the chat page) are not part of the API and need no token.

``PUT /model`` builds a new agent and swaps it in: a message already being handled finishes
on the old agent and later ones go to the new one; the conversation lock store is carried
over. Loading blocks Rasa's event loop for a few seconds, so messages arriving meanwhile
wait instead of failing (measured by tests/e2e/test_model_activation.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import requests

from bot.config import PROJECT_ROOT


class RasaUnavailable(RuntimeError):
    """The Rasa server could not be reached or refused the call (message in Chinese)."""


@dataclass(frozen=True)
class RasaServer:
    url: str
    token: str
    timeout: float = 10
    load_timeout: float = 300

    def _call(self, method: str, path: str, timeout: float, **kwargs) -> requests.Response:
        try:
            response = requests.request(method, f"{self.url.rstrip('/')}{path}",
                                        params={"token": self.token}, timeout=timeout, **kwargs)
        except requests.RequestException as error:
            raise RasaUnavailable(f"连接对话服务失败：{type(error).__name__}") from None
        if response.status_code in (401, 403):
            raise RasaUnavailable("对话服务拒绝了管理令牌（RASA_TOKEN 不一致？）")
        return response

    def live_model(self) -> str | None:
        """File name of the model Rasa is serving; None when it has none loaded."""
        response = self._call("GET", "/status", self.timeout)
        if response.status_code == 409:
            return None
        if not response.ok:
            raise RasaUnavailable(f"查询对话服务状态失败（HTTP {response.status_code}）")
        name = response.json().get("model_file")
        return Path(name).name if name else None

    def load(self, model_path: Path) -> None:
        """Make Rasa serve `model_path` (absolute path on the Rasa machine)."""
        response = self._call("PUT", "/model", self.load_timeout,
                              json={"model_file": str(Path(model_path).resolve())})
        if response.status_code != 204:
            raise RasaUnavailable(f"对话服务加载模型失败（HTTP {response.status_code}）："
                                  f"{response.text[:200]}")
        live = self.live_model()
        if live != Path(model_path).name:
            raise RasaUnavailable(f"加载后对话服务报告的模型是 {live}，不是 {Path(model_path).name}")


def server_from_env(var_dir: Path | None = None) -> RasaServer | None:
    """RASA_URL (default http://localhost:5005) and RASA_TOKEN, or the token file run.sh keeps.

    None when no token is known: the console then shows models but cannot activate them.
    """
    token = os.environ.get("RASA_TOKEN", "")
    if not token:
        folder = var_dir or Path(os.environ.get("GOV_VAR_DIR") or PROJECT_ROOT / "var")
        token_file = folder / "rasa_token"
        if token_file.is_file():
            token = token_file.read_text(encoding="utf-8").strip()
    if not token:
        return None
    return RasaServer(os.environ.get("RASA_URL", "http://localhost:5005"), token)
