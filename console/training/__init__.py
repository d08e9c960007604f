"""Models: plan the next training (plan.py), run it (job.py), score it against the live
model (evaluate.py), record it (registry.py) and put it live through Rasa's API
(rasa_admin.py). pipeline.py joins them into the one path the pages and the CLI use.
"""
