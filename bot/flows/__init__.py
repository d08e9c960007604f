"""Guided, one-question-at-a-time flows (applications, appointments), without Rasa imports."""
