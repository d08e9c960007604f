"""Wuhu government-service assistant: the code the actions, channels and staff share.

Catalogue, text normalisation and NLU components, guided flows, applications, appointments,
personal data and its protection, storage and the command line. Rasa is imported only where
Rasa loads this code or is started: nlu/, tracker_store.py, serve.py (and the staff console's
evaluate.py, which loads a model to score it).
"""
