"""How the dashboard and its CSV write figures: rates, response times, periods, rating levels."""
from __future__ import annotations

from datetime import date, timedelta

from bot.evaluation.levels import LABELS, OFFERED, Level

NONE = "—"
#: Rating levels as columns: 非常满意 … 非常不满意.
LEVEL_COLUMNS: tuple[tuple[int, str], ...] = tuple((int(level), LABELS[level]) for level in OFFERED)


def rate(value: float | None) -> str:
    """66.7% (one decimal); — when there was nothing to divide."""
    return NONE if value is None else f"{value * 100:.1f}%"


def response_time(ms: float | None) -> str:
    if ms is None:
        return NONE
    return f"{ms:.0f} 毫秒" if ms < 1000 else f"{ms / 1000:.2f} 秒"


def period(first: date, grain: str) -> str:
    """2026-12-01 · 2026-11-30 至 12-06 · 2026年12月."""
    if grain == "month":
        return f"{first.year}年{first.month}月"
    if grain == "week":
        return f"{first.isoformat()} 至 {(first + timedelta(days=6)).strftime('%m-%d')}"
    return first.isoformat()


def axis_label(first: date, grain: str) -> str:
    return first.strftime("%Y-%m") if grain == "month" else first.strftime("%m-%d")


def satisfaction(levels: dict[int, int]) -> float | None:
    """(非常满意 + 满意 + 基本满意) / all ratings, as 好差评 publishes it."""
    total = sum(levels.values())
    good = sum(n for level, n in levels.items() if not Level(level).is_poor)
    return good / total if total else None


def poor(levels: dict[int, int]) -> int:
    return sum(n for level, n in levels.items() if Level(level).is_poor)
