"""Custom Rasa NLU components, named in config.yml (one of the few places that import Rasa, see bot/__init__.py)."""
