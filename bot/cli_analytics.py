"""`python -m bot analytics`: the analytics worker (bot/analytics/worker.py), until stopped."""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from bot.config import get_settings
from bot.db import session_factory


def _run(args: argparse.Namespace) -> int:
    from bot.analytics import worker
    from bot.analytics.sources import RabbitSource

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    sessions = session_factory(get_settings().database_url)

    async def main() -> None:
        source: Any = worker.source_from_env()
        if isinstance(source, RabbitSource):
            await source.open()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        progress = await worker.run(sessions, source, stop=stop)
        if isinstance(source, RabbitSource):
            await source.close()
        logging.info("analytics worker stopped after %d events in %d batches", progress.events, progress.batches)

    asyncio.run(main())
    return 0


def register(sub: Any) -> None:
    parser = sub.add_parser("analytics", help="consume conversation events into the analytics tables (until stopped)")
    parser.set_defaults(func=_run)
