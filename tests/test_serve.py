"""Rasa started without its admin token on the command line (bot/serve.py)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT
from bot.serve import ServeError, rasa_argv

TOKEN = "admin-token-0123456789"


def test_the_token_comes_from_the_environment_or_a_file(tmp_path):
    assert rasa_argv(["--enable-api", "--port", "5005"], {"RASA_TOKEN": TOKEN}) == [
        "rasa", "run", "--enable-api", "--port", "5005", f"--auth-token={TOKEN}"]
    path = tmp_path / "rasa_token"
    path.write_text(TOKEN + "\n")
    assert rasa_argv(["--enable-api"], {"RASA_TOKEN_FILE": str(path)})[-1] == f"--auth-token={TOKEN}"


def test_a_token_that_begins_with_a_dash_reaches_rasa_intact():
    """secrets.token_urlsafe gives such a token 1 time in 64; argparse must not take it for an option."""
    from rasa.__main__ import create_argument_parser

    argv = rasa_argv(["--enable-api"], {"RASA_TOKEN": "-aIx0123456789"})
    parsed = create_argument_parser().parse_args(argv[1:])
    assert parsed.auth_token == "-aIx0123456789"


@pytest.mark.parametrize("args", [["--auth-token", TOKEN], [f"--auth-token={TOKEN}"]])
def test_a_token_on_the_command_line_is_refused(args):
    with pytest.raises(ServeError, match="RASA_TOKEN"):
        rasa_argv(args, {})


def test_the_admin_api_without_a_token_is_refused():
    with pytest.raises(ServeError, match="needs a token"):
        rasa_argv(["--enable-api"], {})
    assert rasa_argv(["--port", "5005"], {}) == ["rasa", "run", "--port", "5005"]


def test_refusals_exit_before_rasa_starts():
    done = subprocess.run([sys.executable, "-m", "bot.serve", "--enable-api"], check=False, cwd=PROJECT_ROOT,
                          env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "needs a token" in done.stderr
