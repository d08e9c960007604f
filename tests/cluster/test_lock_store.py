"""The Redis lock store of several Rasa nodes: two store objects (two nodes) racing for one conversation."""
from __future__ import annotations

import asyncio
import secrets
import threading

import pytest
import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import RedisLockStore

from bot.lock_store import AtomicRedisLockStore, redis_url
from tests.support.backing_services import REDIS_URL, require


@pytest.fixture()
def prefix():
    """A key prefix of this test's own; its keys are deleted afterwards."""
    require("redis")
    prefix = "test" + secrets.token_hex(4)
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def node(store_class: type, prefix: str) -> RedisLockStore:
    if store_class is AtomicRedisLockStore:
        return AtomicRedisLockStore(url=REDIS_URL, key_prefix=prefix)
    client = redis.Redis.from_url(REDIS_URL)
    options = client.connection_pool.connection_kwargs
    return RedisLockStore(host=options["host"], port=options["port"], db=options["db"], key_prefix=prefix)


def tickets_taken_at_once(store_class: type, prefix: str, monkeypatch) -> list[int]:
    """Two nodes take a ticket for one conversation; both read the lock before either writes.

    Each node's first ticket pauses between computing its number and writing it (a barrier
    both must reach), which is the window two real nodes race in. A node that re-reads
    after a conflict does not pause again.
    """
    both_read = threading.Barrier(2, timeout=10)
    first_try = threading.local()
    issue = TicketLock.issue_ticket

    def issue_then_pause(lock: TicketLock, lifetime: float) -> int:
        number = issue(lock, lifetime)
        if not getattr(first_try, "done", False):
            first_try.done = True
            both_read.wait()
        return number

    monkeypatch.setattr(TicketLock, "issue_ticket", issue_then_pause)
    nodes = [node(store_class, prefix) for _ in range(2)]
    taken: list[int] = []
    threads = [threading.Thread(target=lambda n=n: taken.append(n.issue_ticket("conv"))) for n in nodes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(taken)


def test_rasa_36s_redis_lock_store_gives_two_nodes_the_same_ticket(prefix, monkeypatch):
    """The race of RasaHQ/rasa#9213 is in the installed Rasa: both nodes would process at once."""
    assert tickets_taken_at_once(RedisLockStore, prefix, monkeypatch) == [0, 0]


def test_the_atomic_lock_store_gives_two_racing_nodes_two_tickets(prefix, monkeypatch):
    assert tickets_taken_at_once(AtomicRedisLockStore, prefix, monkeypatch) == [0, 1]


def test_turns_of_one_conversation_on_two_nodes_never_overlap(prefix):
    """Two nodes, 15 turns each, all for one conversation: never two inside the lock at once."""
    nodes = [AtomicRedisLockStore(url=REDIS_URL, key_prefix=prefix) for _ in range(2)]
    inside, most, errors = [0], [0], []
    guard = threading.Lock()

    async def turns(store: AtomicRedisLockStore) -> None:
        for _ in range(15):
            async with store.lock("conv", wait_time_in_seconds=0.005):
                with guard:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                await asyncio.sleep(0.002)  # a turn's work: lets the other node try meanwhile
                with guard:
                    inside[0] -= 1

    def run(store: AtomicRedisLockStore) -> None:
        try:
            asyncio.run(turns(store))
        except Exception as exc:  # any error fails the assertion below
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(n,)) for n in nodes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and most[0] == 1
    assert nodes[0].get_lock("conv") is None  # the last turn deleted the lock


def test_returning_a_ticket_keeps_the_lock_another_node_waits_on(prefix):
    first, second = (AtomicRedisLockStore(url=REDIS_URL, key_prefix=prefix) for _ in range(2))
    assert first.issue_ticket("conv") == 0 and second.issue_ticket("conv") == 1
    first.cleanup("conv", 0)
    lock = second.get_lock("conv")
    assert lock is not None and not lock.is_locked(1)
    second.cleanup("conv", 1)
    assert second.get_lock("conv") is None


def test_endpoint_settings_become_a_redis_url():
    assert redis_url("redis://:pw@host:6380/2") == "redis://:pw@host:6380/2"
    assert redis_url("cache.internal", port="6380", db=1, password="pw") == "redis://:pw@cache.internal:6380/1"
    assert redis_url("localhost") == "redis://localhost:6379/0"


def test_a_lock_store_without_redis_stops_the_process_naming_it(caplog):
    from bot.service_checks import EXIT_SERVICE_DOWN
    from bot.stack import free_port

    with pytest.raises(SystemExit) as stopped:
        AtomicRedisLockStore(url=f"redis://:secret-pw@127.0.0.1:{free_port()}/0")
    assert stopped.value.code == EXIT_SERVICE_DOWN
    (record,) = [r for r in caplog.records if r.levelname == "CRITICAL"]
    assert "Redis (lock store) is unreachable at redis://:***@127.0.0.1:" in record.getMessage()
    assert "secret-pw" not in caplog.text
