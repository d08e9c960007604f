"""REST channel for trusted integrations (local tools, tests, an authenticated server).

credentials.yml key: ``channels.rest.RestInput`` (imported on first use).
"""
from typing import Any

__all__ = ["RestInput"]


def __getattr__(name: str) -> Any:
    if name == "RestInput":
        from channels.rest.channel import RestInput

        return RestInput
    raise AttributeError(name)
