"""Start the Rasa server without its admin token on the command line: ``python -m bot.serve``.

``rasa run --auth-token T`` shows T to everyone who can list processes (ps, /proc). This
entry point takes the same arguments as ``rasa run`` except ``--auth-token``; the token
comes from RASA_TOKEN, else from the file RASA_TOKEN_FILE names (mode 0600, as
scripts/run.sh writes it), and is handed to Rasa's own command line parser in memory.
``--enable-api`` without a token is refused: the admin API would be open to anyone.

It installs :mod:`bot.speedups` (work Rasa repeats every turn, done once) and sets the
channels' HTTP limits unless the environment already has them: request bodies
(SANIC_REQUEST_MAX_SIZE) and websocket frames (SANIC_WEBSOCKET_MAX_SIZE), 64 KB.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

MAX_BODY_BYTES = 64 * 1024
HTTP_LIMITS = {"SANIC_REQUEST_MAX_SIZE": str(MAX_BODY_BYTES), "SANIC_WEBSOCKET_MAX_SIZE": str(MAX_BODY_BYTES)}


class ServeError(Exception):
    """The command line or the token setup is wrong; the message says how."""


def read_token(env: Mapping[str, str]) -> str | None:
    token = env.get("RASA_TOKEN", "").strip()
    if not token and env.get("RASA_TOKEN_FILE"):
        token = Path(env["RASA_TOKEN_FILE"]).read_text(encoding="utf-8").strip()
    return token or None


def rasa_argv(args: list[str], env: Mapping[str, str]) -> list[str]:
    """The argument vector for ``rasa run`` with the token added (never shown outside)."""
    if any(a == "--auth-token" or a.startswith("--auth-token=") for a in args):
        raise ServeError("pass the admin token through RASA_TOKEN or RASA_TOKEN_FILE, not --auth-token")
    token = read_token(env)
    if "--enable-api" in args and not token:
        raise ServeError("--enable-api needs a token: set RASA_TOKEN or RASA_TOKEN_FILE")
    # "--auth-token=T", not "--auth-token T": a urlsafe token may begin with "-", which
    # argparse would take for an option and refuse the start (1 token in 64).
    return ["rasa", "run", *args, *([f"--auth-token={token}"] if token else [])]


def main(args: list[str] | None = None) -> None:
    try:
        argv = rasa_argv(sys.argv[1:] if args is None else args, os.environ)
    except (ServeError, OSError) as exc:
        print(f"bot.serve: {exc}", file=sys.stderr)
        sys.exit(2)
    for name, value in HTTP_LIMITS.items():
        os.environ.setdefault(name, value)
    from rasa.__main__ import main as rasa_main

    from bot import speedups

    speedups.install()
    sys.argv = argv  # read by Rasa's parser; the process's visible command line is unchanged
    rasa_main()


if __name__ == "__main__":
    main()
