"""The console's command line (`python -m console`); main.py builds it, one module per group."""
