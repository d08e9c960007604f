"""Start the cluster profile for tests and benchmarks: N Rasa nodes behind HAProxy.

The counterpart of bot/stack.py (one node, SQLite) and of scripts/run-cluster.sh (the same
parts for people): each node is a Rasa server with its own action server, all on one
PostgreSQL database (application tables and Rasa's `events`), one Redis (lock store, the
channels' shared state) and one RabbitMQ queue, configured by deploy/cluster/endpoints.yml
and credentials.yml; HAProxy (deploy/cluster/haproxy.cfg) balances them on one port.
The caller provides the services (:class:`Services`) and a database with the catalogue
loaded; this module migrates it once before any node starts.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.cluster_config import haproxy_config
from bot.config import PROJECT_ROOT
from bot.stack import (
    ACTION_SERVER_ENV,
    BIN,
    HTTP_LIMITS_ENV,
    QUIET_ENV,
    free_port,
    say_rest,
    stop_processes,
    wait_http,
)

CLUSTER_DIR = PROJECT_ROOT / "deploy" / "cluster"
HEALTH_PATH = "/webhooks/health/"
#: Connections per node to PostgreSQL for Rasa's tracker store (its default, 50 + 100, would
#: exceed PostgreSQL's default max_connections of 100 with two nodes).
POOL_ENV = {"SQL_POOL_SIZE": "5", "SQL_MAX_OVERFLOW": "10"}


@dataclass(frozen=True)
class Services:
    """Where the cluster's services are. ``database_url`` holds the application tables and the tracker store."""

    database_url: str
    redis_url: str = "redis://127.0.0.1:6379/0"
    rabbitmq_host: str = "127.0.0.1"
    rabbitmq_port: int = 5672
    rabbitmq_username: str = "guest"
    rabbitmq_password: str = "guest"
    rabbitmq_queue: str = "gov_events"

    @property
    def amqp_url(self) -> str:
        return (f"amqp://{self.rabbitmq_username}:{self.rabbitmq_password}@{self.rabbitmq_host}:"
                f"{self.rabbitmq_port}/")

    def env(self) -> dict[str, str]:
        """The variables deploy/cluster/endpoints.yml and the channels read."""
        return {"GOV_DATABASE_URL": self.database_url, "TRACKER_DB": self.database_url,
                "GOV_REDIS_URL": self.redis_url, "RABBITMQ_HOST": self.rabbitmq_host,
                "RABBITMQ_PORT": str(self.rabbitmq_port), "RABBITMQ_USERNAME": self.rabbitmq_username,
                "RABBITMQ_PASSWORD": self.rabbitmq_password, "RABBITMQ_QUEUE": self.rabbitmq_queue}


def cluster_env(services: Services, workdir: Path, extra: dict | None = None) -> dict[str, str]:
    """One environment for every node: shared secrets (web chat tokens, data keys) and services."""
    env = {**os.environ, **QUIET_ENV, **POOL_ENV, "WECHAT_TOKEN": "", "WECHAT_APPID": "", "WECHAT_APPSECRET": "",
           "WECHAT_AES_KEY": "", "WECHAT_API_BASE": "https://api.weixin.qq.com",
           "GOV_VAR_DIR": str(workdir / "var"), "GOV_DATA_KEY_FILE": str(workdir / "var" / "data.key"),
           "GOV_DIGEST_KEY_FILE": str(workdir / "var" / "digest.key"),
           "WEBCHAT_SECRET": secrets.token_urlsafe(32), "TRUSTED_PROXIES": "127.0.0.1",
           **services.env(), **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    return env


def rasa_command(model: Path, port: int, endpoints: Path = CLUSTER_DIR / "endpoints.yml",
                 credentials: Path = CLUSTER_DIR / "credentials.yml") -> list[str]:
    return [sys.executable, "-m", "bot.serve", "--model", str(model), "--port", str(port),
            "--endpoints", str(endpoints), "--credentials", str(credentials)]


@dataclass
class Node:
    """One Rasa server and its action server."""

    name: str
    url: str
    rasa: subprocess.Popen
    actions: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """kill -9 the Rasa server (as a crash would end it); its action server stays."""
        self.rasa.send_signal(signal.SIGKILL)
        self.rasa.wait(timeout=30)


@dataclass
class Cluster:
    """A running cluster; :meth:`say` goes through the balancer, or to one node with ``node=``."""

    url: str
    nodes: list[Node]
    services: Services
    webchat_secret: str
    logs: dict[str, Path] = field(default_factory=dict)

    def say(self, sender: str, text: str, node: int | None = None, timeout: float = 60) -> list:
        return say_rest(self.url if node is None else self.nodes[node].url, sender, text, timeout)

    def text(self, sender: str, message: str, node: int | None = None) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message, node))

    def log_text(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in self.logs.values() if p.exists())


def _start_node(name: str, workdir: Path, model: Path, env: dict[str, str], logs: dict[str, Path],
                procs: list) -> Node:
    actions_port, port = free_port(), free_port()
    logs[f"{name}-actions"] = workdir / f"{name}-actions.log"
    with logs[f"{name}-actions"].open("w") as out:
        actions = subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions_port)],
            cwd=PROJECT_ROOT, env={**env, **ACTION_SERVER_ENV}, stdout=out, stderr=subprocess.STDOUT)
    procs.append(actions)
    logs[name] = workdir / f"{name}.log"
    node_env = {**HTTP_LIMITS_ENV, **env, "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook"}
    with logs[name].open("w") as out:
        rasa = subprocess.Popen(rasa_command(model, port), cwd=PROJECT_ROOT, env=node_env,
                                stdout=out, stderr=subprocess.STDOUT)
    procs.append(rasa)
    return Node(name, f"http://127.0.0.1:{port}", rasa, actions, logs[name])


@contextmanager
def running_cluster(workdir: Path, model: Path, services: Services, nodes: int = 2,
                    extra_env: dict | None = None, node_env: Sequence[dict] = (), warmup: str = "你好",
                    haproxy: str = "haproxy", start_seconds: float = 300) -> Iterator[Cluster]:
    """Migrate once, start `nodes` nodes (models load in parallel), then HAProxy; stop all at the end.

    ``node_env[i]`` adds variables for node i only (a test routes one node's database through
    a proxy it can cut). Waits until every node's health route says ok (model loaded,
    database, Redis and its action server answering) and each has answered `warmup`, so a
    test's first turn is not a cold one.
    """
    from bot.db import session_factory

    workdir.mkdir(parents=True, exist_ok=True)
    env = cluster_env(services, workdir, extra_env)
    session_factory(services.database_url)  # migrations, once, before the nodes race for them
    logs: dict[str, Path] = {}
    procs: list = []
    try:
        started = [_start_node(f"node{i + 1}", workdir, model,
                               {**env, **(node_env[i] if i < len(node_env) else {})}, logs, procs)
                   for i in range(nodes)]
        for node in started:
            wait_http(node.url + HEALTH_PATH, node.rasa, node.log, seconds=start_seconds)
            say_rest(node.url, "warmup", warmup)
        port = free_port()
        config = workdir / "haproxy.cfg"
        config.write_text(haproxy_config(port, [n.url for n in started]), encoding="utf-8")
        logs["haproxy"] = workdir / "haproxy.log"
        with logs["haproxy"].open("w") as out:
            procs.append(subprocess.Popen([haproxy, "-db", "-f", str(config)], stdout=out, stderr=subprocess.STDOUT))
        cluster = Cluster(f"http://127.0.0.1:{port}", started, services, env["WEBCHAT_SECRET"], logs)
        wait_http(cluster.url + "/", procs[-1], logs["haproxy"], seconds=30)
        yield cluster
    finally:
        stop_processes(procs)
