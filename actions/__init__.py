"""Custom actions (rasa_sdk). They depend on `bot/` and rasa_sdk only."""
