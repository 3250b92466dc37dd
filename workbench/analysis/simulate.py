"""`simulate`: every chosen design on the same replication seeds, collected into one result."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from workbench.analysis.result import SimulationResult
from workbench.model import BASELINE_KIND, Scenario
from workbench.policy.base import ControlDesign
from workbench.sim.budget import check_work
from workbench.sim.engine import ReplicationOutput, design_for, run_replication
from workbench.sim.reach import ReachIndex

__all__ = ["replication_seeds", "simulate"]


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """One independent seed sequence per replication, the same for every design (paired comparisons)."""
    return np.random.SeedSequence(seed).spawn(replications)


def simulate(
    scenario: Scenario,
    controls: Sequence[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    *,
    keep_records: bool = True,
    designs: Mapping[str, ControlDesign] | None = None,
    max_events: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Simulate `controls` (labels; default all of the scenario's) over `replications` from `seed`.

    Defaults come from the scenario's `simulation:` block. `designs` supplies design objects by label
    (tests pass null designs; otherwise they are built from the scenario's `controls:`). With
    `keep_records=False` only compromises, services, privileges and run summaries are kept: memory stays
    flat however many tasks run.

    Before anything runs, the expected work is checked against the budget (`max_events`, else the
    scenario's `simulation.max_events`, else `workbench.sim.budget.DEFAULT_MAX_EVENTS`): a run that would
    not fit raises `ScenarioError` naming the fields that drive it. `progress(done, total)` is called after
    each run (design × replication), for a progress bar.
    """
    n = scenario.simulation.replications if replications is None else replications
    root = scenario.simulation.seed if seed is None else seed
    default = list(designs) if designs is not None else scenario.control_labels
    labels = default if controls is None else list(controls)
    reach = ReachIndex(scenario)
    check_work(scenario, replications=n, designs=len(labels), max_events=max_events, reach=reach)
    seeds = replication_seeds(root, n)
    runs: list[ReplicationOutput] = []
    for label in labels:
        design = designs[label] if designs is not None and label in designs else design_for(scenario, label, reach)
        for replication, seed_seq in enumerate(seeds):
            runs.append(
                run_replication(
                    scenario,
                    label,
                    replication,
                    seed_seq,
                    keep_records=keep_records,
                    design=design,
                    seed=root,
                    reach=reach,
                )
            )
            if progress is not None:
                progress(len(runs), len(labels) * n)
    static = [out.control for out in runs if out.kind == BASELINE_KIND]
    baseline = static[0] if static else (labels[0] if labels else BASELINE_KIND)
    return SimulationResult(scenario, runs, labels, n, root, keep_records, baseline)
