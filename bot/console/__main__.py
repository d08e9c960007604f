"""`python -m bot.console ...`: see bot/console/cli.py."""
import sys

from bot.console.cli import main

sys.exit(main())
