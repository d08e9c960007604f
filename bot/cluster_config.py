"""Setting up the cluster profile: HAProxy's configuration and the PostgreSQL database.

Used by scripts/run-cluster.sh (``python -m bot.cluster_config …``) and by
bot/stack_cluster.py (tests, benchmarks), so both run the same configuration:

- ``haproxy PORT NODE_URL…``: deploy/cluster/haproxy.cfg with its markers filled in, on stdout;
- ``ensure-database URL``: create the PostgreSQL database of URL if it is missing;
"""
from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlsplit

from bot.config import PROJECT_ROOT

HAPROXY_TEMPLATE = PROJECT_ROOT / "deploy" / "cluster" / "haproxy.cfg"


def haproxy_config(port: int, nodes: Sequence[str], *, bind: str = "127.0.0.1",
                   secure_cookie: bool = False, template: str | None = None) -> str:
    """The balancer's configuration for Rasa nodes at `nodes` (``http://host:port``), node1 first.

    ``secure_cookie`` marks the web chat's node cookie Secure: right behind TLS, wrong on the
    plain-http loopback of run-cluster.sh and the tests (the browser would not send it back).
    """
    text = template if template is not None else HAPROXY_TEMPLATE.read_text(encoding="utf-8")
    turns, webchat = [], []
    for number, url in enumerate(nodes, start=1):
        parts = urlsplit(url)
        address = f"{parts.hostname}:{parts.port}"
        turns.append(f"    server node{number} {address} check")
        webchat.append(f"    server node{number} {address} check cookie node{number}")
    if not secure_cookie:
        text = text.replace(" httponly secure ", " httponly ")
    return (text.replace("@BIND@", bind).replace("@PORT@", str(port))
            .replace("@SERVERS_TURNS@", "\n".join(turns)).replace("@SERVERS_WEBCHAT@", "\n".join(webchat)))


def ensure_database(url: str) -> bool:
    """Create the database `url` names on its server (from the `postgres` database); True if created."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s",
                                                (target.database,)).first()
            if exists:
                return False
            quoted = connection.dialect.identifier_preparer.quote(str(target.database))
            connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
            return True
    finally:
        admin.dispose()



@contextmanager
def temporary_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database with a random name, dropped afterwards (even in use).

    ``admin_url`` names a maintenance database its user may CREATE DATABASE from. For tests
    and benchmarks, which must never share a database with a deployment or each other.
    """
    import secrets

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def haproxy_binary() -> str | None:
    """Debian's haproxy (`make haproxy`): on PATH, or in the sbin folders a user's PATH may lack."""
    import os
    import shutil

    return shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.access(p, os.X_OK)), None)


def delete_queue(amqp_url: str, name: str) -> None:
    """Remove a RabbitMQ queue a test or benchmark made (the broker's fanout exchange would keep filling it)."""
    import asyncio

    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect(amqp_url)
        try:
            await (await connection.channel()).queue_delete(name)
        finally:
            await connection.close()

    asyncio.run(delete())

def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) >= 3 and args[0] == "haproxy":
        print(haproxy_config(int(args[1]), args[2:]), end="")
    elif len(args) == 2 and args[0] == "ensure-database":
        print("created" if ensure_database(args[1]) else "exists")
    else:
        print("usage: python -m bot.cluster_config haproxy PORT NODE_URL... | ensure-database URL",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
