"""Rasa's Redis lock store with tickets issued and returned atomically, for several Rasa nodes.

Rasa serialises the turns of one conversation with a ticket lock (rasa/core/lock.py): a
turn takes the next ticket and waits until it is the one served. Rasa 3.6's
RedisLockStore keeps the lock as one JSON value and changes it by read, change in Python,
write (GET then SET in ``issue_ticket``, ``finish_serving``, ``update_lock``; ``cleanup``
checks "anyone waiting?" and DELetes in two more steps). Two nodes taking a ticket for the
same conversation at once both read "no tickets", both write ticket 0, and both process
their turn at the same time on the same tracker: RasaHQ/rasa issue 9213. The upstream
fix (PR 11256, a "concurrent" Redis lock store) did not go into Rasa Open Source 3.6;
tests/cluster/test_lock_store.py shows the race with 3.6's own class.

Here each change of a lock is one optimistic Redis transaction (WATCH the key, read,
MULTI, write, EXEC; if another node wrote the key meanwhile EXEC fails and the change is
re-run on the new value). The value's format is Rasa's own, so waiting (``get_lock``,
read-only) and Rasa's ticket logic are unchanged, and nodes of mixed versions could even
share the keys. ``cleanup`` returns the ticket and deletes the lock only if no ticket is
left, in the same transaction, so it never deletes a lock another node just took a
ticket on.

endpoints.yml::

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: ${GOV_REDIS_URL}        # redis://[:password@]host:6379/0
      key_prefix: gov              # optional, letters and digits

An unreachable Redis at start ends the process (bot/service_checks.py).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX,
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    LockError,
    RedisLockStore,
)

from bot.service_checks import probe_redis, require

logger = logging.getLogger(__name__)
T = TypeVar("T")


def redis_url(url: str, port: Any = None, db: Any = None, password: str | None = None) -> str:
    """A redis:// URL from endpoint settings: a full URL as is, else host with port, db, password."""
    if "://" in url:
        return url
    auth = f":{password}@" if password else ""
    return f"redis://{auth}{url}:{int(port or 6379)}/{int(db or 0)}"


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose every change of a lock is one Redis transaction."""

    def __init__(self, endpoint_config: Any = None, *, url: str | None = None, key_prefix: str | None = None,
                 socket_timeout: float = DEFAULT_SOCKET_TIMEOUT_IN_SECONDS, **settings: Any) -> None:
        """From Rasa (``endpoint_config``, as it builds custom lock stores) or a URL (tests)."""
        if endpoint_config is not None:
            settings = {**endpoint_config.kwargs, **settings}
            url = url or endpoint_config.url
            key_prefix = key_prefix or settings.pop("key_prefix", None)
            socket_timeout = float(settings.pop("socket_timeout", socket_timeout))
        full = redis_url(url or "localhost", settings.get("port"), settings.get("db"), settings.get("password"))
        require("Redis (lock store)", full, probe_redis)
        # RedisLockStore.__init__ would build its client from host and port; ours takes the URL.
        self.red = redis.Redis.from_url(full, socket_timeout=socket_timeout)
        self.key_prefix = DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX
        if key_prefix:
            self._set_key_prefix(key_prefix)

    def _change(self, conversation_id: str,
                change: Callable[[TicketLock | None], tuple[TicketLock | None, bool, T]]) -> T:
        """Run ``change(current lock)`` → (lock, delete?, result) as one transaction, retried on conflict.

        ``lock`` None and delete False: write nothing.
        """
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    current = TicketLock.from_dict(json.loads(raw)) if raw else None
                    lock, delete, result = change(current)
                    pipe.multi()
                    if delete:
                        pipe.delete(key)
                    elif lock is not None:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    logger.debug("lock of %s changed by another node meanwhile; trying again", conversation_id)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: TicketLock | None) -> tuple[TicketLock, bool, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, False, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, take)
        except Exception as exc:  # as Rasa's LockStore.issue_ticket: the caller expects LockError
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> tuple[TicketLock | None, bool, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, False, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def give_back(lock: TicketLock | None) -> tuple[TicketLock | None, bool, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, False, None

        self._change(conversation_id, give_back)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def give_back_and_delete_if_unused(lock: TicketLock | None) -> tuple[TicketLock | None, bool, None]:
            if lock is None:
                return None, False, None
            lock.remove_ticket_for(ticket_number)
            return lock, not lock.is_someone_waiting(), None

        self._change(conversation_id, give_back_and_delete_if_unused)
