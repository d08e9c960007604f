"""Run the staff console: ``python -m console.web.server``.

Environment:
  CONSOLE_SECRET   required (>= 16 characters; signs CSRF tokens), unless CONSOLE_DEV=1,
                   which generates a throw-away one (sessions' forms break on restart)
  CONSOLE_HOST     default 127.0.0.1 (put a TLS reverse proxy in front for other hosts)
  CONSOLE_PORT     default 5002
  CONSOLE_SECURE_COOKIES  "1"/"0"; default 1, or 0 with CONSOLE_DEV=1 (plain http)
  TRACKER_DB       Rasa's tracker store: an SQLite file path (as in endpoints.yml) or a URL;
                   default var/tracker.db
  GOV_DATABASE_URL accounts, sessions, audit (via bot.config)
  GOV_TIMEZONE     the zone pages show times in (default Asia/Shanghai; stored times stay UTC)
  RASA_URL, RASA_TOKEN  the Rasa server's admin API for activating models (default
                   http://localhost:5005; the token defaults to var/rasa_token, which
                   scripts/run.sh writes); without a token models can be trained, not activated
"""
from __future__ import annotations

import logging
import os
import secrets
import sys

from bot.config import PROJECT_ROOT, get_settings
from bot.logging_setup import install_log_masking
from console import timefmt
from console.database import open_database
from console.teaching.inbox import WINDOW_DAYS
from console.training.pipeline import project_pipeline
from console.web.app import create_app

logger = logging.getLogger(__name__)


def tracker_url(value: str) -> str:
    return value if "://" in value else f"sqlite:///{os.path.abspath(value)}"


def main() -> int:
    logging.basicConfig(level=logging.INFO)
    dev = os.environ.get("CONSOLE_DEV") == "1"
    secret = os.environ.get("CONSOLE_SECRET", "")
    if not secret:
        if not dev:
            print("CONSOLE_SECRET is not set (or set CONSOLE_DEV=1 for local development).",
                  file=sys.stderr)
            return 2
        secret = secrets.token_urlsafe(32)
        logger.warning("CONSOLE_DEV=1: using a generated CONSOLE_SECRET; do not use this in production")
    if len(secret) < 16:
        print("CONSOLE_SECRET must be at least 16 characters.", file=sys.stderr)
        return 2
    try:
        timefmt.local_zone()
    except timefmt.InvalidTimezone as error:
        print(str(error), file=sys.stderr)
        return 2
    secure = os.environ.get("CONSOLE_SECURE_COOKIES", "0" if dev else "1") == "1"
    host = os.environ.get("CONSOLE_HOST", "127.0.0.1")
    port = int(os.environ.get("CONSOLE_PORT", "5002"))
    tracker = tracker_url(os.environ.get("TRACKER_DB") or str(PROJECT_ROOT / "var" / "tracker.db"))
    inbox_days = int(os.environ.get("CONSOLE_INBOX_DAYS", str(WINDOW_DAYS)))
    database_url = get_settings().database_url
    app = create_app(database_url, tracker, PROJECT_ROOT / "data" / "nlu",
                     PROJECT_ROOT / "domain.yml", secret, secure_cookies=secure,
                     pipeline=project_pipeline(open_database(database_url)), inbox_days=inbox_days)
    install_log_masking()  # after the app set up Sanic's loggers, before any request
    app.run(host=host, port=port, access_log=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
