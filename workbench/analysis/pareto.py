"""Reading a sweep: per-group means and the Pareto frontier of two minimised metrics."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.analysis.frames import ID_COLUMNS
from workbench.analysis.grid import POINT_COLUMN
from workbench.analysis.result import HEADLINE_METRICS
from workbench.sim.records import RUN_METRICS

__all__ = ["pareto_frontier", "sweep_summary"]


def _default_by(frame: pd.DataFrame) -> list[str]:
    """Grid point, its parameters and the design: every column that is neither run identity nor metric."""
    known = {POINT_COLUMN, *ID_COLUMNS, "kind", *RUN_METRICS}
    parameters = [c for c in frame.columns if c not in known]
    lead = [POINT_COLUMN] if POINT_COLUMN in frame.columns else []
    return [*lead, *parameters, "control"]


def _non_dominated(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mask of points no other point beats on both x and y (minimised); ties on both are all kept."""
    keep = np.zeros(len(x), dtype=bool)
    finite = np.isfinite(x) & np.isfinite(y)
    order = [i for i in np.lexsort((y, x)) if finite[i]]
    best_before = math.inf
    for _value, group in itertools.groupby(order, key=lambda i: x[i]):
        members = list(group)
        lowest = min(y[i] for i in members)
        if lowest < best_before:
            for i in members:
                keep[i] = y[i] == lowest
        best_before = min(best_before, lowest)
    return keep


def sweep_summary(
    frame: pd.DataFrame,
    *,
    metrics: Sequence[str] = HEADLINE_METRICS,
    by: Sequence[str] | None = None,
    x: str = "latency_p95_s",
    y: str = "exposure_score_h",
) -> pd.DataFrame:
    """One row per grid point and design: `runs`, `mean_<metric>` of each metric, and `pareto`.

    `pareto` is true for the groups on the frontier of mean `x` against mean `y` (both minimised). `by`
    defaults to the point, its parameters and the design.
    """
    keys = list(by) if by is not None else _default_by(frame)
    wanted = list(dict.fromkeys([*metrics, x, y]))
    grouped = frame.groupby(keys, sort=False, dropna=False)
    means = grouped[wanted].mean().add_prefix("mean_")
    summary = pd.concat([grouped.size().rename("runs"), means], axis=1).reset_index()
    mask = _non_dominated(summary[f"mean_{x}"].to_numpy(float), summary[f"mean_{y}"].to_numpy(float))
    summary["pareto"] = mask
    return summary[[*keys, "runs", *(f"mean_{m}" for m in wanted), "pareto"]]


def pareto_frontier(
    frame: pd.DataFrame,
    *,
    x: str = "latency_p95_s",
    y: str = "exposure_score_h",
    by: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The design/grid points not dominated on mean `x` and mean `y` (both minimised), by ascending `x`.

    Groups rows by `by` (default: the grid point, its parameters and the design) and returns those groups
    whose `mean_<x>` and `mean_<y>` no other group beats on both, with `runs` per group. Groups whose mean
    is NaN (a design that completed no task has no p95 latency) cannot be compared and are left out.

    >>> runs = pd.DataFrame({"control": ["a", "b", "c"], "latency_p95_s": [1.0, 2.0, 3.0],
    ...                      "exposure_score_h": [5.0, 1.0, 2.0]})
    >>> list(pareto_frontier(runs, by=["control"])["control"])
    ['a', 'b']
    """
    keys = list(by) if by is not None else _default_by(frame)
    summary = sweep_summary(frame, metrics=(), by=keys, x=x, y=y)
    front = summary[summary["pareto"]].drop(columns="pareto")
    return front.sort_values([f"mean_{x}", f"mean_{y}"], kind="mergesort").reset_index(drop=True)
