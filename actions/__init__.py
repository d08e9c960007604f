"""Custom actions (rasa_sdk). They depend on `bot/`, rasa_sdk and SQLAlchemy's errors, never on Rasa.

rasa_sdk imports this package once, at start, after it has configured logging: the one
moment the action server offers to mask personal data in its logs (no I/O here, only a
log-record factory and handler filters; see bot/logging_setup.py).
"""
from bot.logging_setup import install_log_masking

install_log_masking()
