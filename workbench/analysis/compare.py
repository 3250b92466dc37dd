"""Comparing control designs: per-metric means with confidence intervals, paired against a baseline.

Every design runs on the same replication seeds (common random numbers), so the difference to the baseline
is taken replication by replication; its interval is much tighter than the difference of two intervals.

Intervals are bootstrap percentile intervals of the mean (`scipy.stats.bootstrap`, 9,999 resamples from a
fixed seed): they never leave the range of the replications' values, so a quantity that cannot be negative
(exposure, damage, a rate, a latency) never gets a negative bound, as a t interval of skewed replications
(most weeks no damage, one week a lot) does. The same data and seed give the same interval, byte for byte.
The t interval is still available (`method="t"`) where theory says the replication means are near normal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from workbench.model import BASELINE_KIND
from workbench.sim.records import RUN_METRICS

__all__ = ["BOOTSTRAP_RESAMPLES", "BOOTSTRAP_SEED", "COMPARE_COLUMNS", "CiMethod", "compare", "mean_ci"]

CiMethod = Literal["bootstrap", "t"]
"""How `mean_ci` computes an interval: bootstrap percentile (the default; stays in range) or Student t."""

BOOTSTRAP_RESAMPLES = 9999
"""Resamples of the bootstrap: scipy's default, enough that the 2.5% and 97.5% percentiles are stable."""

BOOTSTRAP_SEED = 0
"""Seed of the bootstrap's resampling: fixed, so a report's intervals do not change between regenerations."""

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


def mean_ci(
    values: Sequence[float] | np.ndarray,
    confidence: float = 0.95,
    *,
    method: CiMethod = "bootstrap",
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float, float]:
    """Mean and two-sided confidence interval of the mean; NaN bounds with fewer than two values.

    `method="bootstrap"` (default): percentile interval of `BOOTSTRAP_RESAMPLES` resamples drawn from `seed`,
    inside [min, max] of the values. `method="t"`: Student t interval (symmetric, may leave the range).

    >>> mean_ci([1.0, 2.0, 3.0])[0]
    2.0
    >>> mean, low, high = mean_ci([0.0, 0.0, 0.0, 0.0, 50.0])
    >>> low >= 0.0 and mean_ci([0.0, 0.0, 0.0, 0.0, 50.0], method="t")[1] < 0.0
    True
    """
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    if data.size == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(data.mean())
    if data.size < 2:
        return (mean, math.nan, math.nan)
    if method == "t":
        half = float(stats.t.ppf(0.5 + confidence / 2, data.size - 1) * data.std(ddof=1) / math.sqrt(data.size))
        return (mean, mean - half, mean + half)
    if np.all(data == data[0]):  # every resample is the same: the interval is the value itself
        return (mean, mean, mean)
    result = stats.bootstrap(
        (data,),
        np.mean,
        confidence_level=confidence,
        n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(seed),
    )
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    return (mean, low, high)


def compare(
    runs: pd.DataFrame,
    *,
    baseline: str | None = BASELINE_KIND,
    metrics: Sequence[str] | None = None,
    confidence: float = 0.95,
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """Each design's metrics (mean and bootstrap CI) and paired difference and ratio against `baseline`.

    Intervals are `mean_ci`'s bootstrap percentile intervals, resampled from `seed`; the difference's
    interval resamples the paired (same-seed) differences, so it may be negative where the design does better.

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
            mean, low, high = mean_ci(mine[metric].to_numpy(), confidence, seed=seed)
            diff = mine.loc[paired, metric].to_numpy(dtype=float) - base_rows.loc[paired, metric].to_numpy(dtype=float)
            diff_mean, diff_low, diff_high = mean_ci(diff, confidence, seed=seed)
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
