"""`python -m console ...`: the console's command line, see console/cli/main.py."""
import sys

from console.cli.main import main

sys.exit(main())
