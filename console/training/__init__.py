"""Models: plan the next training (plan.py), run it (job.py), score it against the live
model (evaluate.py), record it (registry.py) and put it live through Rasa's API
(rasa_admin.py). pipeline.py joins them into the one path the pages and the CLI use.

Around them: taught.py reads what staff taught when (the audit log), names.py turns it into
readable model names, phrasing_checks.py sets the taught phrasings against what a candidate
understood, take_back.py takes a rolled-back model's examples out of the data again, and
components.py names Rasa's components in Chinese.
"""
