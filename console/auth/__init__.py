"""Who may do what: staff accounts, passwords, login sessions and CSRF, roles, the audit log.

Framework-free on purpose, so the rules are tested without a web server; the web app
(console/web) only wires them to requests, and the CLI manages the accounts.
"""
