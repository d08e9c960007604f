"""Trend charts drawn on the server as inline SVG: no script, no style attribute, no file.

The console's CSP (console/web/app.py) allows no scripts and no style but its one sheet, so
a chart is plain ``<svg>`` markup whose look comes from presentation attributes (fill,
stroke, font-size), which the policy does not govern. Each chart has a ``<title>`` and
the page puts its numbers in a table beside it, for screen readers and for reading exact
values. Missing values (a rate with nothing to divide) leave a gap, never a false zero.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from console.web.pages.layout import esc

WIDTH, HEIGHT = 560, 230
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 12, 46
MAX_X_LABELS = 8
AXIS, GRID, TEXT = "#86909c", "#e5e6eb", "#4e5969"
#: Distinguishable colours for up to five series (also in grey print).
NICE_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8, 10)
COLOURS = ("#1f4e8c", "#00a870", "#f77234", "#c9a25c", "#a1151e")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    colour: str


def _nice_max(value: float, whole: bool) -> float:
    """The top of the axis: four equal, round steps at or above `value` (whole numbers for counts)."""
    if value <= 0:
        return 4.0 if whole else 1.0
    raw = value / 4
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in NICE_STEPS if m * magnitude >= raw * (1 - 1e-9))
    if whole:
        step = max(1.0, math.ceil(step))
    return 4 * step


def _x(index: int, count: int, bars: bool) -> float:
    inner = WIDTH - LEFT - RIGHT
    if bars or count == 1:
        return LEFT + inner * (index + 0.5) / count
    return LEFT + inner * index / (count - 1)


def _y(value: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _axes(labels: Sequence[str], top: float, fmt: Callable[[float], str], bars: bool) -> list[str]:
    parts = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = _y(top * fraction, top)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{TEXT}">'
                     f'{esc(fmt(top * fraction))}</text>')
    every = max(1, -(-len(labels) // MAX_X_LABELS))
    for index, label in enumerate(labels):
        if index % every == 0:
            x = _x(index, len(labels), bars)
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="12" '
                         f'fill="{TEXT}">{esc(label)}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" '
                 f'stroke="{AXIS}"/>')
    return parts


def _legend(series: Sequence[Series]) -> str:
    step = (WIDTH - LEFT - RIGHT) / max(len(series), 1)
    items = [f'<rect x="{LEFT + i * step:.1f}" y="{HEIGHT - 13}" width="10" height="10" fill="{s.colour}"/>'
             f'<text x="{LEFT + i * step + 14:.1f}" y="{HEIGHT - 4}" font-size="12" fill="{TEXT}">{esc(s.name)}</text>'
             for i, s in enumerate(series)] if len(series) > 1 else []
    return "".join(items)


def _svg(title: str, body: Sequence[str]) -> str:
    return (f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
            f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
            f'<title>{esc(title)}</title>{"".join(body)}</svg>')


def _empty(title: str) -> str:
    return _svg(title, [f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="14" '
                        f'fill="{TEXT}">所选时间内没有数据</text>'])


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], *,
               fmt: Callable[[float], str], top: float | None = None, whole: bool = False) -> str:
    """Lines over the periods; a point alone (gaps on both sides) is drawn as a dot."""
    values = [v for s in series for v in s.values if v is not None]
    if not labels or not values:
        return _empty(title)
    top = top or _nice_max(max(values), whole)
    parts = _axes(labels, top, fmt, bars=False)
    for s in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(s.values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((_x(index, len(labels), False), _y(value, top)))
        for run in filter(None, runs):
            if len(run) == 1:
                parts.append(f'<circle cx="{run[0][0]:.1f}" cy="{run[0][1]:.1f}" r="3" fill="{s.colour}"/>')
            else:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{points}" fill="none" stroke="{s.colour}" stroke-width="2"/>')
    parts.append(_legend(series))
    return _svg(title, parts)


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series], *,
              fmt: Callable[[float], str]) -> str:
    """Bars of counts over the periods, the series stacked bottom to top in the given order."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    if not labels or not any(totals):
        return _empty(title)
    top = _nice_max(max(totals), whole=True)
    parts = _axes(labels, top, fmt, bars=True)
    inner = WIDTH - LEFT - RIGHT
    width = max(1.0, inner / len(labels) * 0.7)
    for index in range(len(labels)):
        base = 0.0
        for s in series:
            value = s.values[index] or 0
            if value:
                y0, y1 = _y(base, top), _y(base + value, top)
                parts.append(f'<rect x="{_x(index, len(labels), True) - width / 2:.1f}" y="{y1:.1f}" '
                             f'width="{width:.1f}" height="{y0 - y1:.1f}" fill="{s.colour}"/>')
                base += value
    parts.append(_legend(series))
    return _svg(title, parts)
