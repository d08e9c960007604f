"""差评回访 in the staff console: whose follow-ups a member of staff sees (scope.py), the
departments to choose from (departments.py), the audited moves and appeals (actions.py)
and what staff are told when one is refused (texts.py). The rules themselves are
bot/evaluation's; the pages are console/web/{routes,pages}/followups*.py and appeals.py.
"""
