"""A node whose PostgreSQL or Redis is down at start stops loudly; it never serves on memory alone."""
from __future__ import annotations

import secrets
import subprocess

import pytest

from bot.config import PROJECT_ROOT
from bot.service_checks import EXIT_SERVICE_DOWN
from bot.stack import free_port
from bot.stack_cluster import Services, cluster_env, rasa_command
from tests.support.backing_services import delete_queue, fresh_database, rabbitmq_settings, require
from tests.support.servers import trained_model

pytestmark = pytest.mark.e2e

PASSWORD = "pw-" + secrets.token_hex(4)


def start_node(tmp_path, services: Services) -> tuple[int, str]:
    """Start one Rasa node of the cluster profile; its exit status and log once it ends (≤ 120 s)."""
    env = {**cluster_env(services, tmp_path), "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}/webhook"}
    log = tmp_path / "node.log"
    with log.open("w") as out:
        node = subprocess.Popen(rasa_command(trained_model(), free_port()), cwd=PROJECT_ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
        try:
            status = node.wait(timeout=120)
        except subprocess.TimeoutExpired:
            node.kill()
            pytest.fail(f"the node kept running without its service:\n{log.read_text()[-2000:]}")
    return status, log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture()
def queue():
    require("rabbitmq")  # the event broker is set up first; it must be there to reach the store
    name = f"gov_test_{secrets.token_hex(4)}"
    yield name
    delete_queue(name)


def test_postgresql_down_at_start_stops_the_node_with_a_critical_line(tmp_path, queue):
    down = f"postgresql+psycopg2://root:{PASSWORD}@127.0.0.1:{free_port()}/gov"
    status, log = start_node(tmp_path, Services(down, rabbitmq_queue=queue, **rabbitmq_settings()))
    assert status == EXIT_SERVICE_DOWN
    critical = [line for line in log.splitlines() if "CRITICAL" in line]
    assert len(critical) == 1 and "tracker store database is unreachable at" in critical[0]
    assert "postgresql+psycopg2://root:***@127.0.0.1:" in critical[0]
    assert PASSWORD not in log and "Rasa server is up and running" not in log


def test_redis_down_at_start_stops_the_node_with_a_critical_line(tmp_path, queue):
    """The channels' shared state (channels/shared_state.py) meets Redis first, before the lock store
    (bot/lock_store.py); either stops the node with one CRITICAL line naming Redis."""
    require("postgresql")
    with fresh_database() as url:
        down = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"
        status, log = start_node(tmp_path, Services(url, redis_url=down, rabbitmq_queue=queue,
                                                    **rabbitmq_settings()))
    assert status != 0
    critical = [line for line in log.splitlines() if "CRITICAL" in line]
    assert len(critical) == 1 and "Redis" in critical[0] and "redis://:***@127.0.0.1:" in critical[0]
    assert PASSWORD not in log and "Rasa server is up and running" not in log
