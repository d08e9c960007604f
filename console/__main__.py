"""`python -m bot.console ...`: see bot/console/cli.py."""
import sys

from console.cli.main import main

sys.exit(main())
