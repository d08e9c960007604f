"""Security core of the staff console: accounts, roles, sessions, CSRF and the audit log.

Framework-free on purpose, so the rules are tested without a web server and the later
sanic app only wires them to requests. Accounts are managed with `python -m bot.console`.
"""
