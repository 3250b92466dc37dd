"""The curves behind the report's figures, as long tidy frames a notebook can plot as well.

Each function reads the frames of a `SimulationResult` (`tasks`, `compromises`, `privileges`) and returns one
row per design and point, designs in the order given. The report turns these into its records; notebooks
call them through `SimulationResult.latency_curves()` and friends.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "EXPOSURE_CURVE_COLUMNS",
    "HELD_BLAST_COLUMNS",
    "LATENCY_CURVE_COLUMNS",
    "PERCENTILES",
    "TIME_POINTS",
    "exposure_curves",
    "held_blast_radius",
    "latency_curves",
]

PERCENTILES: tuple[float, ...] = tuple(float(p) for p in range(101))
"""Latency percentiles per design: enough for a smooth CDF, constant size whatever the task count."""

TIME_POINTS = 169
"""Points of an exposure-over-time curve (hourly over a week)."""

LATENCY_CURVE_COLUMNS = ("control", "percentile", "latency_s")
EXPOSURE_CURVE_COLUMNS = ("control", "time_h", "exposure_score_h")
HELD_BLAST_COLUMNS = ("identity", "control", "held_score")


def latency_curves(
    tasks: pd.DataFrame, controls: Sequence[str], *, percentiles: Sequence[float] = PERCENTILES
) -> pd.DataFrame:
    """Percentiles of root-task latency per design, pooled over replications (designs without tasks left out).

    A sub-task's time is inside its parent's, so only root tasks (`parent_id == -1`) count.
    """
    if tasks.empty:
        return pd.DataFrame(columns=list(LATENCY_CURVE_COLUMNS))
    roots = tasks[tasks["parent_id"] == -1]
    frames = []
    for design in controls:
        values = roots.loc[roots["control"] == design, "latency_s"].to_numpy(dtype=float)
        if values.size:
            points = np.percentile(np.sort(values), list(percentiles))
            frames.append(pd.DataFrame({"control": design, "percentile": list(percentiles), "latency_s": points}))
    if not frames:
        return pd.DataFrame(columns=list(LATENCY_CURVE_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def exposure_curves(
    compromises: pd.DataFrame,
    controls: Sequence[str],
    *,
    replications: int,
    horizon_s: float,
    points: int = TIME_POINTS,
) -> pd.DataFrame:
    """Mean cumulative exposure over the horizon per design; each compromise accrues its exposure evenly over
    its dwell (or at once, without dwell), and the sum is divided by the replications."""
    times_s = np.linspace(0.0, horizon_s, points)
    frames = []
    for design in controls:
        rows = compromises[compromises["control"] == design] if not compromises.empty else compromises
        total = np.zeros(points)
        for start, dwell, exposure in zip(
            rows.get("compromised_s", pd.Series(dtype=float)).to_numpy(dtype=float),
            rows.get("dwell_s", pd.Series(dtype=float)).to_numpy(dtype=float),
            rows.get("exposure_score_h", pd.Series(dtype=float)).to_numpy(dtype=float),
            strict=True,
        ):
            if not np.isfinite(exposure) or exposure == 0:
                continue
            if dwell > 0:
                total += exposure * np.clip((times_s - start) / dwell, 0.0, 1.0)
            else:
                total += exposure * (times_s >= start)
        frames.append(
            pd.DataFrame(
                {"control": design, "time_h": times_s / 3600.0, "exposure_score_h": total / max(replications, 1)}
            )
        )
    if not frames:
        return pd.DataFrame(columns=list(EXPOSURE_CURVE_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def held_blast_radius(
    privileges: pd.DataFrame,
    controls: Sequence[str],
    identities: Sequence[str],
    *,
    replications: int,
    horizon_s: float,
) -> pd.DataFrame:
    """Per identity and design, the time-averaged score of what it holds (standing plus token-borne), mean
    over replications: what a thief of its credentials gets. One row per identity × design, in that order."""
    if privileges.empty or horizon_s <= 0:
        return pd.DataFrame(columns=list(HELD_BLAST_COLUMNS))
    rows = privileges[privileges["identity"].isin(set(identities))]
    held = (rows["standing_privilege_score_s"] + rows["token_privilege_score_s"]) / horizon_s
    means = held.groupby([rows["identity"], rows["control"]]).sum() / max(replications, 1)
    lookup = means.to_dict()
    records = [
        (identity, design, float(lookup.get((identity, design), 0.0))) for identity in identities for design in controls
    ]
    return pd.DataFrame.from_records(records, columns=list(HELD_BLAST_COLUMNS))
