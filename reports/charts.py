"""SVG geometry for the report charts, computed here so templates only draw (no JavaScript).

Every chart is also shown as a table; these shapes carry titles for screen readers.
"""

from __future__ import annotations

from typing import Any

WIDTH, HEIGHT, PAD = 640, 200, 32


def bars(values: list[tuple[str, int]]) -> dict[str, Any]:
    """A vertical bar chart of labelled counts."""
    top = max((v for _, v in values), default=0) or 1
    slot = (WIDTH - 2 * PAD) / max(len(values), 1)
    shapes = []
    for i, (label, value) in enumerate(values):
        h = (HEIGHT - 2 * PAD) * value / top
        shapes.append(
            {
                "label": label,
                "value": value,
                "x": round(PAD + i * slot + slot * 0.15, 1),
                "y": round(HEIGHT - PAD - h, 1),
                "w": round(slot * 0.7, 1),
                "h": round(h, 1),
                "cx": round(PAD + i * slot + slot / 2, 1),
            }
        )
    return {"width": WIDTH, "height": HEIGHT, "base": HEIGHT - PAD, "bars": shapes}


def line(points: list[tuple[str, float | None]]) -> dict[str, Any]:
    """A line chart of rates between 0 and 1 (gaps where a point has no value)."""
    n = len(points)
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)
    dots, path = [], []
    for i, (label, value) in enumerate(points):
        if value is None:
            continue
        x = round(PAD + i * step, 1)
        y = round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * value, 1)
        dots.append({"label": label, "value": value, "x": x, "y": y})
        path.append(f"{x},{y}")
    ticks = [{"y": round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * t, 1), "label": f"{round(t * 100)}%"} for t in (0, 0.5, 1)]
    return {"width": WIDTH, "height": HEIGHT, "points": " ".join(path), "dots": dots, "ticks": ticks, "pad": PAD}


def heat(grid: list[list[int]], weekdays: list[str]) -> dict[str, Any]:
    """A weekday x hour grid; darker means more conversations."""
    top = max((v for row in grid for v in row), default=0) or 1
    cell, left, head = 22, 40, 20
    rows = []
    for d, row in enumerate(grid):
        cells = [
            {
                "x": left + h * cell,
                "y": head + d * cell,
                "n": n,
                "hour": h,
                "weekday": d + 1,
                "alpha": round(0.08 + 0.92 * n / top, 3) if n else 0,
            }
            for h, n in enumerate(row)
        ]
        rows.append({"y": head + d * cell, "text_y": head + d * cell + 14, "cells": cells, "label": weekdays[d]})
    hours = [{"x": left + h * cell + cell / 2, "label": h} for h in range(0, 24, 3)]
    return {
        "width": left + 24 * cell + 4,
        "height": head + 7 * cell + 4,
        "rows": rows,
        "cell": cell - 2,
        "hours": hours,
    }
