"""Wuhu government-service assistant: the application package (catalogue, text, CLI)."""
