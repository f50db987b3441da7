"""A distribution as a board reports it: how many, the median and quartiles, the shortest and longest, the
mean. Quartiles are the "inclusive" method (the same as a spreadsheet's QUARTILE.INC), so a business unit can
check them by hand."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Distribution:
    n: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    mean: float


def distribution(values: Sequence[float]) -> Distribution | None:
    """None for no values; one value is its own median and quartiles."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        q1 = median = q3 = float(ordered[0])
    else:
        q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return Distribution(
        n=len(ordered),
        minimum=float(ordered[0]),
        q1=float(q1),
        median=float(median),
        q3=float(q3),
        maximum=float(ordered[-1]),
        mean=statistics.fmean(ordered),
    )


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None
