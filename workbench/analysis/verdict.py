"""The verdict: which control design the numbers favour under the scenario's budget, and how sure that is.

A design is *eligible* when its mean over the replications keeps every limit of `Scenario.budget` (p95
latency, approver utilisation, denied rate). Among the eligible designs the *leader* has the lowest mean
exposure (`exposure_score_h`, the headline; docs/concepts.md). It is the *winner* when, against every other
eligible design, the 95% bootstrap interval of the paired difference (other − leader, replication by
replication on the same seeds) lies above zero. Otherwise there is no clear winner at that many
replications, and the verdict names the designs it cannot tell apart. A design alone within budget wins by
default.

`decide` is a pure function of the run frame (`SimulationResult.summary()`) and the budget; the sensitivity
rows (`workbench.analysis.sensitivity`) are attached to it afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from workbench.analysis.compare import mean_ci
from workbench.model import Budget
from workbench.sim.metrics import APPROVER_UTILISATION, DENIED_RATE, EXPOSURE, LATENCY_P95

__all__ = [
    "BUDGET_METRICS",
    "Breach",
    "Contrast",
    "SensitivityRow",
    "Verdict",
    "VerdictStatus",
    "decide",
]

VerdictStatus = Literal["winner", "no_clear_winner", "none_eligible", "not_simulated"]
"""`winner`: one design is clearly best within budget; `no_clear_winner`: the intervals overlap;
`none_eligible`: every design breaks the budget; `not_simulated`: there were no runs to judge."""

BUDGET_METRICS: tuple[tuple[str, str], ...] = (
    ("latency_p95", LATENCY_P95),
    ("approver_utilisation", APPROVER_UTILISATION),
    ("denied_rate", DENIED_RATE),
)
"""Each `Budget` field and the run metric whose mean it limits."""


@dataclass(frozen=True)
class Breach:
    """A design's mean `metric` above the budget's `limit` (field `limit_field` of `Budget`)."""

    design: str
    metric: str
    limit_field: str
    limit: float
    mean: float


@dataclass(frozen=True)
class Contrast:
    """The leader against another eligible design on the objective: paired difference other − leader."""

    design: str
    mean: float
    diff: float
    diff_ci_low: float
    diff_ci_high: float

    @property
    def separated(self) -> bool:
        """True when the whole interval lies above zero: the leader is better on these seeds."""
        return math.isfinite(self.diff_ci_low) and self.diff_ci_low > 0


@dataclass(frozen=True)
class SensitivityRow:
    """One one-at-a-time change of an assumption: the leader's and runner-up's objective under it.

    `gap` is runner-up − leader (means over the sensitivity run's replications); `base_gap` the same on the
    unchanged scenario and the same replications. A negative gap means the runner-up would be favoured.
    """

    parameter: str
    factor: float
    leader_mean: float
    runner_up_mean: float
    gap: float
    base_gap: float

    @property
    def shift(self) -> float:
        """How far the change moves the gap: negative towards the runner-up."""
        return self.gap - self.base_gap

    @property
    def flips(self) -> bool:
        """True when, on these seeds, the leader is ahead unchanged and the runner-up ahead after the change."""
        return self.gap < 0 <= self.base_gap


@dataclass(frozen=True)
class Verdict:
    """What the numbers favour, why, how sure, and (once attached) what would change it."""

    status: VerdictStatus
    objective: str
    replications: int
    design: str = ""
    """The winner, or the leader when there is no clear winner (empty when nothing is eligible)."""
    leader_mean: float = math.nan
    leader_ci_low: float = math.nan
    leader_ci_high: float = math.nan
    eligible: tuple[str, ...] = ()
    breaches: tuple[Breach, ...] = ()
    contrasts: tuple[Contrast, ...] = ()
    """The leader against every other eligible design, runner-up (next lowest mean) first."""
    sensitivity: tuple[SensitivityRow, ...] = ()
    sensitivity_replications: int = 0

    @property
    def tied(self) -> tuple[str, ...]:
        """The designs the leader cannot be told apart from (its own name first), when there is no winner."""
        if self.status != "no_clear_winner":
            return ()
        return (self.design, *(c.design for c in self.contrasts if not c.separated))

    @property
    def runner_up(self) -> str:
        """The eligible design with the next lowest mean objective ('' when the leader is alone)."""
        return self.contrasts[0].design if self.contrasts else ""

    @property
    def most_sensitive(self) -> SensitivityRow | None:
        """The change that moves the gap furthest towards the runner-up (first on ties): flipping the verdict
        if any change does, since every row shares the same unchanged gap."""
        if not self.sensitivity:
            return None
        return min(self.sensitivity, key=lambda row: row.shift)

    def breaches_of(self, design: str) -> tuple[Breach, ...]:
        """The limits `design` breaks."""
        return tuple(b for b in self.breaches if b.design == design)

    def with_sensitivity(self, rows: Sequence[SensitivityRow], replications: int) -> Verdict:
        """This verdict with the sensitivity run's rows attached."""
        return replace(self, sensitivity=tuple(rows), sensitivity_replications=replications)


def decide(
    runs: pd.DataFrame,
    budget: Budget,
    *,
    designs: Sequence[str] | None = None,
    objective: str = EXPOSURE,
    confidence: float = 0.95,
) -> Verdict:
    """The verdict over a run frame (one row per design × replication, as `SimulationResult.summary()`).

    `designs` fixes the order ties are broken in (default: first appearance in `runs`). Means that are NaN
    (a design that completed no task has no p95 latency) break no limit.

    >>> runs = pd.DataFrame({"control": ["a", "a", "b", "b"], "replication": [0, 1, 0, 1],
    ...                      "exposure_score_h": [10.0, 12.0, 1.0, 2.0], "latency_p95_s": [5.0, 5.0, 9.0, 9.0],
    ...                      "approver_utilisation": 0.0, "denied_rate": 0.0})
    >>> decide(runs, Budget()).design, decide(runs, Budget(latency_p95=8.0)).design
    ('b', 'a')
    """
    order = list(designs) if designs is not None else list(dict.fromkeys(runs["control"]))
    n = int(runs["replication"].nunique()) if len(runs) else 0
    if not order or not len(runs):
        return Verdict("not_simulated", objective, n)
    by_design = {d: runs[runs["control"] == d].set_index("replication").sort_index() for d in order}
    breaches = tuple(_breaches(by_design, order, budget))
    broken = {b.design for b in breaches}
    eligible = [d for d in order if d not in broken]
    if not eligible:
        return Verdict("none_eligible", objective, n, breaches=breaches)
    means = {d: float(by_design[d][objective].mean()) for d in eligible}
    ranked = sorted(eligible, key=lambda d: (_sortable(means[d]), order.index(d)))
    leader = ranked[0]
    leader_mean, low, high = mean_ci(by_design[leader][objective].to_numpy(dtype=float), confidence)
    contrasts = []
    for other in ranked[1:]:
        paired = by_design[other].index.intersection(by_design[leader].index)
        diff = by_design[other].loc[paired, objective].to_numpy(dtype=float) - by_design[leader].loc[
            paired, objective
        ].to_numpy(dtype=float)
        diff_mean, diff_low, diff_high = mean_ci(diff, confidence)
        contrasts.append(Contrast(other, means[other], diff_mean, diff_low, diff_high))
    clear = all(c.separated for c in contrasts)
    return Verdict(
        "winner" if clear else "no_clear_winner",
        objective,
        n,
        design=leader,
        leader_mean=leader_mean,
        leader_ci_low=low,
        leader_ci_high=high,
        eligible=tuple(eligible),
        breaches=breaches,
        contrasts=tuple(contrasts),
    )


def _breaches(by_design: dict[str, pd.DataFrame], order: Sequence[str], budget: Budget) -> list[Breach]:
    found = []
    for design in order:
        for field, metric in BUDGET_METRICS:
            limit = getattr(budget, field)
            values = by_design[design][metric].to_numpy(dtype=float)
            values = values[~np.isnan(values)]
            if limit is not None and values.size and float(values.mean()) > limit:
                found.append(Breach(design, metric, field, float(limit), float(values.mean())))
    return found


def _sortable(value: float) -> float:
    return value if math.isfinite(value) else math.inf
