"""Start several threads at one barrier: how limits and unique keys behave under a race."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def race(n: int, attempt: Callable[[int], Any],
         refusal: type[Exception]) -> tuple[list[Any], list[int], list[str]]:
    """Run ``attempt(i)`` in ``n`` threads at once; (results, refused indexes, other errors)."""
    barrier = threading.Barrier(n)
    made: list[Any] = []
    refused: list[int] = []
    errors: list[str] = []

    def worker(i: int) -> None:
        barrier.wait()
        try:
            made.append(attempt(i))
        except refusal:
            refused.append(i)
        except Exception as exc:  # any other error fails the caller's assertion
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return made, refused, errors
