"""What would change the verdict: a small one-at-a-time sensitivity run on the threat and detection assumptions.

Each assumption below is halved and doubled on its own, the rest of the scenario unchanged, and only the
verdict's leader and runner-up are simulated again, on the first `SENSITIVITY_REPLICATIONS` replication
seeds of the main run (so the unchanged gap is read off the main run's own first replications, and every
comparison is paired). The horizon is the scenario's: shortening it would change how many compromises
happen, which is the very thing being varied. This costs 8 × 2 designs × 2 replications per scenario, about
half the main run of a scenario with five designs and twelve replications.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.result import SimulationResult
from workbench.analysis.simulate import simulate
from workbench.analysis.verdict import SensitivityRow, Verdict
from workbench.model import Scenario

__all__ = ["FACTORS", "PERTURBATIONS", "SENSITIVITY_REPLICATIONS", "Perturbation", "perturbed", "sensitivity"]

SENSITIVITY_REPLICATIONS = 2
"""Replications per changed scenario: enough to see which way a gap moves (on paired seeds), cheap enough for
`make report` (the fewest that still average over more than one draw of the compromises)."""

FACTORS: tuple[float, ...] = (0.5, 2.0)
"""Each assumption is halved and doubled."""

_DISTRIBUTION_TIMES = ("value", "mean", "median", "low", "high")
"""The fields of a duration distribution that scale with it (`sigma` is a shape, not a time)."""


@dataclass(frozen=True)
class Perturbation:
    """An assumption of the threat model and how to scale it in a scenario's data (`Scenario.model_dump()`)."""

    parameter: str
    """What a reader sees: 'compromise rate', 'detection delay', ..."""
    applies: Callable[[dict[str, Any]], bool]
    scale: Callable[[dict[str, Any], float], None]


def _scale_distribution(dist: dict[str, Any], factor: float) -> None:
    for key in _DISTRIBUTION_TIMES:
        if key in dist:
            dist[key] = float(dist[key]) * factor


def _rated(data: dict[str, Any]) -> bool:
    return any(t.get("rate") for t in data.get("threats", []))


def _scale_rate(data: dict[str, Any], factor: float) -> None:
    for threat in data.get("threats", []):
        if threat.get("rate"):
            threat["rate"] = float(threat["rate"]) * factor


def _scale_detection(data: dict[str, Any], factor: float) -> None:
    for threat in data.get("threats", []):
        _scale_distribution(threat["detection_delay"], factor)


def _scale_action_interval(data: dict[str, Any], factor: float) -> None:
    data["attacker"]["action_interval"] = float(data["attacker"]["action_interval"]) * factor


def _pools(data: dict[str, Any]) -> bool:
    return bool(data.get("services", {}).get("approver_pools"))


def _scale_deception(data: dict[str, Any], factor: float) -> None:
    for pool in data["services"]["approver_pools"]:
        fooled = min(1.0, (1.0 - float(pool["rejects_malicious"])) * factor)
        pool["rejects_malicious"] = 1.0 - fooled


PERTURBATIONS: tuple[Perturbation, ...] = (
    Perturbation("compromise rate", _rated, _scale_rate),
    Perturbation("detection delay", lambda data: bool(data.get("threats")), _scale_detection),
    Perturbation("attacker action interval", lambda data: bool(data.get("threats")), _scale_action_interval),
    Perturbation("approvers fooled (1 − rejects_malicious)", _pools, _scale_deception),
)
"""The threat and detection assumptions varied, in the order a report lists them."""


def perturbed(scenario: Scenario) -> Iterator[tuple[str, float, Scenario]]:
    """Each (parameter, factor, changed scenario) that applies to `scenario`, in `PERTURBATIONS` × `FACTORS`
    order. The changed scenario is validated again and finds its policy files where the original does."""
    data = scenario.model_dump()  # durations and rates as the exact numbers they were validated to
    for change in PERTURBATIONS:
        if not change.applies(data):
            continue
        for factor in FACTORS:
            changed = copy.deepcopy(data)
            change.scale(changed, factor)
            variant = Scenario.model_validate(changed)
            variant._base_dir = scenario.base_dir  # Cedar policy files resolve against it
            yield change.parameter, factor, variant


def sensitivity(
    result: SimulationResult,
    verdict: Verdict,
    *,
    replications: int = SENSITIVITY_REPLICATIONS,
    max_events: int | None = None,
) -> Verdict:
    """`verdict` with its sensitivity rows: the leader's and runner-up's objective under each change.

    Nothing is run when the verdict has no runner-up (one eligible design, or none). Runs keep no task
    records or event log (`keep_records=False`), so memory stays flat.
    """
    leader, runner_up = verdict.design, verdict.runner_up
    if not leader or not runner_up:
        return verdict
    n = min(replications, result.replications)
    base = result.summary()
    base = base[base["replication"] < n]
    base_gap = _gap(base, verdict.objective, leader, runner_up)
    rows = []
    for parameter, factor, variant in perturbed(result.scenario):
        runs = simulate(
            variant, [leader, runner_up], n, result.seed, keep_records=False, max_events=max_events
        ).summary()
        rows.append(
            SensitivityRow(
                parameter,
                factor,
                _mean(runs, verdict.objective, leader),
                _mean(runs, verdict.objective, runner_up),
                _gap(runs, verdict.objective, leader, runner_up),
                base_gap,
            )
        )
    return verdict.with_sensitivity(rows, n)


def _mean(runs: pd.DataFrame, metric: str, design: str) -> float:
    values = runs.loc[runs["control"] == design, metric].to_numpy(dtype=float)
    return float(np.nanmean(values)) if values.size and not np.isnan(values).all() else float("nan")


def _gap(runs: pd.DataFrame, metric: str, leader: str, runner_up: str) -> float:
    return _mean(runs, metric, runner_up) - _mean(runs, metric, leader)
