"""The public 好差评 results page at /evaluation/ (no login, no personal data).

credentials.yml key: ``channels.public_results.PublicResultsInput`` (imported on first use).
"""
from typing import Any

__all__ = ["PublicResultsInput"]


def __getattr__(name: str) -> Any:
    if name == "PublicResultsInput":
        from channels.public_results.channel import PublicResultsInput

        return PublicResultsInput
    raise AttributeError(name)
