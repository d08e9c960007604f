"""Internals closed: the admin token is not in the process list; the action server listens
on this machine only (bot/serve.py, bot/stack.py and scripts/run.sh start them so)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from tests.security.guarded import ADMIN_TOKEN

pytestmark = pytest.mark.e2e


def command_lines() -> list:
    lines = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(path.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            continue  # the process ended meanwhile
    return lines


def listening(port: int) -> set:
    """Local addresses (hex, as in /proc/net/tcp) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_the_admin_token_is_nowhere_in_the_process_list(guarded_stack):
    assert any("bot.serve" in line for line in command_lines())
    assert not [line for line in command_lines() if ADMIN_TOKEN in line]
    status = requests.get(f"{guarded_stack.rasa_url}/status", params={"token": ADMIN_TOKEN}, timeout=30)
    assert status.status_code == 200  # and yet Rasa has it
    assert requests.get(f"{guarded_stack.rasa_url}/status", timeout=30).status_code == 401


def test_the_action_server_listens_on_loopback_only(guarded_stack):
    endpoints = (Path(guarded_stack.tracker_db).parent / "endpoints.yml").read_text()
    port = int(re.search(r"action_endpoint:\s*\n\s*url: http://127\.0\.0\.1:(\d+)/", endpoints).group(1))
    assert listening(port) == {"0100007F"}  # 127.0.0.1, not 0.0.0.0 or ::
