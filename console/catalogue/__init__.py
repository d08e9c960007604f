"""Staff manage catalogue services (服务事项): the form's text, and the audited actions the
pages call. The edits themselves (validation, transactions, what a later load keeps) are
bot/catalogue/editing.py's.
"""
