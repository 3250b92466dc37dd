"""Cascades: compromises that spread from one another, summed per first compromise (docs/concepts.md).

A compromise that spread (through a delegated sub-task, a poisoned dataset or a readable secret) names its
parent and the root of its cascade; the exposure of a cascade is the sum over its members.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["CASCADE_COLUMNS", "cascades", "worst_cascade"]

CASCADE_COLUMNS: tuple[str, ...] = (
    "control",
    "replication",
    "root_compromise",
    "threat",
    "root_target",
    "members",
    "spread",
    "exposure_score_h",
    "held_exposure_score_h",
    "realised_damage",
)
"""One row per cascade: its design and replication, its root, how many compromises it had, how many of them
spread from another, and its totals."""

_TOTALS = ("exposure_score_h", "held_exposure_score_h", "realised_damage")


def cascades(compromises: pd.DataFrame) -> pd.DataFrame:
    """One row per cascade (a threat's own compromise and everything that spread from it), ordered by
    design, replication and root."""
    if compromises.empty:
        return pd.DataFrame(columns=list(CASCADE_COLUMNS))
    keys = ["control", "replication", "root_compromise"]
    frame = compromises.assign(spread_member=compromises["parent_compromise"] >= 0)
    grouped = frame.groupby(keys, sort=False)
    totals = grouped[list(_TOTALS)].sum()
    roots = frame[~frame["spread_member"]].set_index(keys)[["threat", "target"]]
    out = totals.join(roots.rename(columns={"target": "root_target"}))
    out["members"] = grouped.size()
    out["spread"] = grouped["spread_member"].sum().astype(int)
    out = out.reset_index()
    order = {c: i for i, c in enumerate(dict.fromkeys(compromises["control"]))}
    out = out.sort_values(keys, key=lambda s: s.map(order) if s.name == "control" else s, kind="stable")
    return out[list(CASCADE_COLUMNS)].reset_index(drop=True)


def worst_cascade(compromises: pd.DataFrame, control: str | None = None) -> pd.DataFrame:
    """The members of the cascade with the most exposure (of `control`, or of any design), in start order.

    Cascades that spread are preferred to single compromises. Ties go to the earliest design, replication and
    root, so the choice is the same on every run.
    """
    table = cascades(compromises if control is None else compromises[compromises["control"] == control])
    if (table["spread"] > 0).any():
        table = table[table["spread"] > 0]
    if table.empty:
        return compromises.iloc[0:0]
    best = table.sort_values("exposure_score_h", ascending=False, kind="stable").iloc[0]
    mask = (
        (compromises["control"] == best["control"])
        & (compromises["replication"] == best["replication"])
        & (compromises["root_compromise"] == best["root_compromise"])
    )
    return compromises[mask].sort_values(["compromised_s", "compromise_id"], kind="stable").reset_index(drop=True)
