"""Comparing control designs: per-metric means with t confidence intervals, paired against a baseline.

Every design runs on the same replication seeds (common random numbers), so the difference to the baseline
is taken replication by replication; its interval is much tighter than the difference of two intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from workbench.sim.records import RUN_METRICS

__all__ = ["COMPARE_COLUMNS", "compare", "mean_ci"]

COMPARE_COLUMNS: tuple[str, ...] = (
    "control",
    "metric",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "baseline",
    "diff_mean",
    "diff_ci_low",
    "diff_ci_high",
    "ratio",
)
"""Columns of `compare`'s long frame: one row per design and metric."""


def mean_ci(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t-distribution confidence interval; NaN bounds with fewer than two values.

    >>> mean_ci([1.0, 2.0, 3.0])[0]
    2.0
    """
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    if data.size == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(data.mean())
    if data.size < 2:
        return (mean, math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + confidence / 2, data.size - 1) * data.std(ddof=1) / math.sqrt(data.size))
    return (mean, mean - half, mean + half)


def compare(
    runs: pd.DataFrame,
    *,
    baseline: str | None = "static_rbac",
    metrics: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Each design's metrics (mean and CI) and paired difference and ratio against `baseline`.

    `runs` is a run-level frame (`SimulationResult.summary()`). If `baseline` is not one of its designs, the
    first design is the baseline. The ratio is mean(design) / mean(baseline) (NaN if the baseline's is 0).
    """
    metrics = list(metrics or RUN_METRICS)
    controls = list(dict.fromkeys(runs["control"]))
    if not controls:
        return pd.DataFrame(columns=list(COMPARE_COLUMNS))
    base = baseline if baseline in controls else controls[0]
    base_rows = runs[runs["control"] == base].set_index("replication").sort_index()
    rows = []
    for control in controls:
        mine = runs[runs["control"] == control].set_index("replication").sort_index()
        paired = mine.index.intersection(base_rows.index)
        for metric in metrics:
            mean, low, high = mean_ci(mine[metric].to_numpy(), confidence)
            diff = mine.loc[paired, metric].to_numpy(dtype=float) - base_rows.loc[paired, metric].to_numpy(dtype=float)
            diff_mean, diff_low, diff_high = mean_ci(diff, confidence)
            base_mean = float(np.nanmean(base_rows[metric])) if base_rows[metric].notna().any() else math.nan
            ratio = mean / base_mean if base_mean and not math.isnan(base_mean) else math.nan
            rows.append(
                (
                    control,
                    metric,
                    int(mine[metric].notna().sum()),
                    mean,
                    low,
                    high,
                    base,
                    diff_mean,
                    diff_low,
                    diff_high,
                    ratio,
                )
            )
    return pd.DataFrame.from_records(rows, columns=list(COMPARE_COLUMNS))
