"""`simulate`: every chosen design on the same replication seeds, collected into one result.

Replications are independent, so they can run on any back-end of `workbench.analysis.executors` (a process
pool, a dask cluster); replication `r` always runs on child `r` of `SeedSequence(seed).spawn(replications)`,
so the result is the same whichever back-end, worker count or chunking ran it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from workbench.analysis.executors import open_executor
from workbench.analysis.result import SimulationResult
from workbench.errors import WorkbenchError
from workbench.model import BASELINE_KIND, Scenario
from workbench.policy.base import ControlDesign
from workbench.sim.budget import check_work
from workbench.sim.engine import ReplicationOutput, design_for, run_replication
from workbench.sim.reach import ReachIndex

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["SimulationParameterError", "check_run_options", "replication_seeds", "simulate"]


class SimulationParameterError(WorkbenchError, ValueError):
    """Run options the scenario cannot honour (an unknown design, no replications…); lists every problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)  # args = (problems,): rebuilt whole by `type(e)(*e.args)`

    def __str__(self) -> str:
        return "\n".join(self.problems)


def check_run_options(
    scenario: Scenario,
    controls: Sequence[str] | None,
    replications: int | None,
    seed: int | None,
    *,
    known: Sequence[str] | None = None,
) -> tuple[list[str], int, int]:
    """(design labels, replications, root seed) of a run, defaults from the scenario; every problem at once.

    `known` are the labels that can run (default: the scenario's designs). Raises `SimulationParameterError`.
    """
    known = list(scenario.control_labels if known is None else known)
    n = scenario.simulation.replications if replications is None else replications
    root = scenario.simulation.seed if seed is None else seed
    problems = []
    if isinstance(controls, str):  # "jit" would run the designs "j", "i" and "t"
        problems.append(f"controls: give a list of design labels, not the string {controls!r}")
        controls = [controls]
    labels = list(known if controls is None else controls)
    unknown = [label for label in labels if label not in known]
    if unknown or not labels:
        what = f"unknown design {', '.join(map(repr, unknown))}" if unknown else "no design to run"
        problems.append(f"controls: {what} (scenario has: {', '.join(known) or 'none'})")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        problems.append(f"replications: need a whole number of at least 1, got {n!r}")
    if not isinstance(root, int) or isinstance(root, bool) or root < 0:
        problems.append(f"seed: need a non-negative whole number, got {root!r}")
    if problems:
        raise SimulationParameterError(problems)
    return labels, n, root


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """One independent seed sequence per replication, the same for every design (paired comparisons)."""
    return np.random.SeedSequence(seed).spawn(replications)


@dataclass(frozen=True)
class _Shared:
    """What every worker needs, shipped once."""

    scenario: Scenario
    reach: ReachIndex
    seed: int
    keep_records: bool
    designs: Mapping[str, ControlDesign] | None


@dataclass(frozen=True)
class _Block:
    """One job: replications [start, stop) of one design."""

    control: str
    start: int
    stop: int


def _run_block(shared: _Shared, block: _Block) -> list[ReplicationOutput]:
    """Run one block; a top-level function of picklable arguments, so process and dask pools can ship it."""
    scenario, reach, given = shared.scenario, shared.reach, shared.designs
    if given is not None and block.control in given:
        design = given[block.control]
    else:
        design = design_for(scenario, block.control, reach)
    seeds = replication_seeds(shared.seed, block.stop)
    return [
        run_replication(
            scenario,
            block.control,
            replication,
            seeds[replication],
            keep_records=shared.keep_records,
            design=design,
            seed=shared.seed,
            reach=reach,
        )
        for replication in range(block.start, block.stop)
    ]


def _blocks(labels: Sequence[str], replications: int, workers: int, *, per_run: bool = False) -> list[_Block]:
    """One block per design in this process (one per run when someone watches progress); about four per
    worker otherwise, for balance."""
    if workers == 1:
        per = 1 if per_run else replications
    else:
        per = max(1, math.ceil(replications * len(labels) / (4 * workers)))
    return [
        _Block(label, start, min(start + per, replications))
        for label in labels
        for start in range(0, replications, per)
    ]


def simulate(
    scenario: Scenario,
    controls: Sequence[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    *,
    keep_records: bool = True,
    designs: Mapping[str, ControlDesign] | None = None,
    max_events: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    on_done: Callable[[int], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Simulate `controls` (labels; default all of the scenario's) over `replications` from `seed`.

    Defaults come from the scenario's `simulation:` block. `designs` supplies design objects by label
    (tests pass null designs; otherwise they are built from the scenario's `controls:`). With
    `keep_records=False` only compromises, services, privileges and run summaries are kept: memory stays
    flat however many tasks run.

    Where it runs (`workbench.analysis.executors.open_executor`): in this process by default; on `workers`
    spawned processes; on a dask `client` or the scheduler at `scheduler` (or `DASK_SCHEDULER_ADDRESS` when
    `workers` is not given). The result is the same on every back-end. `on_done` is called, in this process,
    with the number of replications of each block of work as it finishes; `progress(done, total)` with the
    runs (design × replication) done so far (in this process, a block is one run, so it hears every run).

    Raises `SimulationParameterError` for an unknown design, fewer than one replication or a negative seed.
    Before anything runs, the expected work is checked against the budget (`max_events`, else the
    scenario's `simulation.max_events`, else `workbench.sim.budget.DEFAULT_MAX_EVENTS`): a run that would
    not fit raises `ScenarioError` naming the fields that drive it.
    """
    known = list(dict.fromkeys([*scenario.control_labels, *(designs or {})]))
    requested = list(designs) if controls is None and designs is not None else controls
    labels, n, root = check_run_options(scenario, requested, replications, seed, known=known)
    reach = ReachIndex(scenario)
    check_work(scenario, replications=n, designs=len(labels), max_events=max_events, reach=reach)
    shared = _Shared(scenario, reach, root, keep_records, designs)
    with open_executor(workers=workers, scheduler=scheduler, client=client) as executor:
        jobs = _blocks(labels, n, executor.size, per_run=progress is not None)
        total, finished = len(labels) * n, [0]

        def done(block: _Block) -> None:
            finished[0] += block.stop - block.start
            if on_done is not None:
                on_done(block.stop - block.start)
            if progress is not None:
                progress(finished[0], total)

        results = executor.run(_run_block, shared, jobs, on_done=done)
    runs = [out for outs in results for out in outs]
    static = [out.control for out in runs if out.kind == BASELINE_KIND]
    baseline = static[0] if static else labels[0]
    return SimulationResult(scenario, runs, labels, n, root, keep_records, baseline)
