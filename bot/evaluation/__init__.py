"""好差评: residents rate a service, poor ratings are followed up, results are published.

levels.py (the national five levels and how residents say them), invitations.py (when the
assistant may ask), models.py (tables), ratings.py (recording a rating and its reason),
followups.py (the follow-up of a poor rating: states, working-day deadlines, 回访),
appeals.py (申诉: setting a mistaken or malicious rating aside), workdays.py (deadlines).
"""
