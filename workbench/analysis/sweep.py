"""Parameter sweeps: every grid point × control design × replication, on any back-end of `executors`.

A sweep asks "how do exposure and latency move as we change the approver pool, the token TTL, the step-up
level…?". The grid expands into validated points (`workbench.analysis.grid`); each design runs on the same
replication seeds at every grid point (common random numbers), so differences between points and designs are
paired. Reading the result: `workbench.analysis.pareto`.

Results do not depend on how the work is spread: replication `r` always runs on child `r` of
`SeedSequence(seed).spawn(replications)`, whichever worker, chunk or order it runs in, and the rows are sorted
before they are returned. Spawned seeds are prefix-stable, so adding replications leaves the earlier rows
unchanged.

Work ships in chunks (one grid point, one design, a block of replications) so per-task overhead stays small;
the scenario goes to each worker once, as a plain dict (`workbench.analysis.executors`).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.analysis.executors import open_executor, reason
from workbench.analysis.frames import ID_COLUMNS
from workbench.analysis.grid import (
    POINT_COLUMN,
    SHORTHANDS,
    DataPath,
    Grid,
    SweepError,
    SweepParameterError,
    build_grid,
    with_overrides,
)
from workbench.analysis.pareto import pareto_frontier, sweep_summary
from workbench.model import Scenario
from workbench.sim.budget import enforce_budget, estimate_work
from workbench.sim.engine import design_for, run_replication
from workbench.sim.reach import ReachIndex
from workbench.sim.records import RUN_METRICS

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "POINT_COLUMN",
    "SHORTHANDS",
    "SweepError",
    "SweepParameterError",
    "SweepTaskError",
    "pareto_frontier",
    "sweep",
    "sweep_summary",
]


class SweepTaskError(SweepError):
    """A chunk of runs failed after its retry; names the grid point, design, replications and seed to rerun."""

    def __init__(
        self,
        message: str,
        point: int,
        parameters: Mapping[str, Any],
        control: str,
        replications: tuple[int, int],
        seed: int,
    ) -> None:
        self.point = point
        self.parameters = dict(parameters)
        self.control = control
        self.replications = replications
        self.seed = seed
        super().__init__(message, point, self.parameters, control, replications, seed)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class _Payload:
    """What every worker needs, shipped once: the scenario as plain data and each point's overrides."""

    data: dict[str, Any]
    base_dir: str | None
    points: tuple[tuple[tuple[DataPath, Any], ...], ...]
    seed: int

    def scenario(self, point: int) -> Scenario:
        """The scenario of grid point `point`, validated and able to find its policy files."""
        scenario = Scenario.model_validate(with_overrides(self.data, self.points[point]))
        if self.base_dir is not None:
            scenario._base_dir = Path(self.base_dir)  # Cedar policy files resolve against it
        return scenario


@dataclass(frozen=True)
class _Chunk:
    """One job: replications [start, stop) of one design at one grid point."""

    point: int
    control: str
    start: int
    stop: int

    @property
    def runs(self) -> int:
        return self.stop - self.start


def _run_chunk(payload: _Payload, chunk: _Chunk) -> list[tuple[Any, ...]]:
    """Run one chunk; a top-level function of picklable arguments, so process and dask pools can ship it."""
    scenario = payload.scenario(chunk.point)
    reach = ReachIndex(scenario)
    design = design_for(scenario, chunk.control, reach)
    seeds = np.random.SeedSequence(payload.seed).spawn(chunk.stop)
    rows = []
    for replication in range(chunk.start, chunk.stop):
        out = run_replication(
            scenario,
            chunk.control,
            replication,
            seeds[replication],
            keep_records=False,
            design=design,
            seed=payload.seed,
            reach=reach,
        )
        metrics = tuple(out.summary[m] for m in RUN_METRICS)
        rows.append((chunk.point, out.scenario, out.control, replication, out.seed, out.kind, *metrics))
    return rows


def _plan(points: int, controls: Sequence[str], replications: int, chunk_size: int) -> list[_Chunk]:
    return [
        _Chunk(point, control, start, min(start + chunk_size, replications))
        for point in range(points)
        for control in controls
        for start in range(0, replications, chunk_size)
    ]


def _auto_chunk_size(units: int, replications: int, workers: int) -> int:
    """About eight jobs per worker, for balance, without splitting below what the grid already gives."""
    blocks = max(1, math.ceil(8 * workers / max(units, 1)))
    return max(1, math.ceil(replications / blocks))


Tally = Callable[[int], None]


def _show_progress() -> bool:
    """A live bar only for a person at a terminal; CI logs get nothing."""
    ci = os.environ.get("CI", "").strip().lower()
    return sys.stderr.isatty() and ci in ("", "0", "false", "no")


@contextmanager
def _progress(enabled: bool, total: int, description: str) -> Iterator[Tally]:
    if not enabled:
        yield lambda runs: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda runs: bar.advance(task, runs)


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Any] | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    client: Client | None = None,
    controls: Sequence[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    local_cluster: int | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    max_events: int | None = None,
) -> pd.DataFrame:
    """Simulate every combination of `grid` values × design × replication; one long row per run.

    `grid` maps a dotted scenario path (`controls.jit.token_ttl`, `services.approver_pools.leads.size`,
    `simulation.horizon`, `thresholds.exposure`; list items are named by id, designs by label) or a shorthand
    of `SHORTHANDS` to the values to try. Values go through the scenario's own validation, so `"5m"` works.
    `replications` and `seed` default to the scenario's `simulation:` block; `controls` (labels) to every
    design.

    Where it runs: on `client` (a `distributed.Client`), on the dask scheduler at `scheduler`, on a
    `LocalCluster` of `local_cluster` workers; otherwise, when none of these nor `workers` is given and
    `DASK_SCHEDULER_ADDRESS` is set, on that scheduler; otherwise on a pool of `workers` spawned processes
    (default: one per CPU; `workers=1` runs in this process). `chunk_size` is the number of replications
    per task (default: about eight tasks per worker). The result is the same wherever and however it runs.
    Workers read Cedar policy files from the scenario's folder, so remote workers need it at the same path.
    `progress` shows a bar on stderr; by default only at a terminal and never when `CI` is set.
    `max_events` is the work budget of the whole sweep (`workbench.sim.budget`), checked before anything runs.

    Columns: `point`, one per grid key (values as validated: durations in seconds), `scenario`, `control`,
    `replication`, `seed` (the root seed, as in `simulate`), `kind`, then every metric of `RUN_METRICS`.
    Raises `SweepParameterError` for an unknown path or bad value (all of them at once) and
    `SweepTaskError` for a chunk that failed even when retried.
    """
    grid = dict(grid or {})
    n = scenario.simulation.replications if replications is None else replications
    root = scenario.simulation.seed if seed is None else seed
    if n < 1:
        raise SweepParameterError([f"replications: need at least 1, got {n}"])
    if root < 0:
        raise SweepParameterError([f"seed: must be non-negative, got {root}"])
    labels = list(scenario.control_labels if controls is None else controls)
    unknown = [label for label in labels if label not in scenario.control_labels]
    if unknown or not labels:
        known = ", ".join(scenario.control_labels) or "none"
        what = f"unknown design {', '.join(unknown)}" if unknown else "no design to run"
        raise SweepParameterError([f"controls: {what} (scenario has: {known})"])

    for name, value in (("workers", workers), ("local_cluster", local_cluster), ("chunk_size", chunk_size)):
        if value is not None and value < 1:
            raise SweepParameterError([f"{name}: need at least 1, got {value}"])

    data = scenario.model_dump()  # durations as the exact seconds they were validated to
    built = build_grid(scenario, data, grid)
    base_dir = str(scenario.base_dir) if scenario.base_dir is not None else None
    payload = _Payload(data, base_dir, tuple(built.overrides), root)
    # Build each design once here: a broken policy file fails now, with its own error, not in a worker.
    first = payload.scenario(0)
    first_reach = ReachIndex(first)
    for label in labels:
        design_for(first, label, first_reach)
    # The whole grid's expected work must fit the budget before the first replication starts.
    work = estimate_work(first, replications=n, designs=len(labels), reach=first_reach)
    for point in range(1, len(built.points)):
        work = work + estimate_work(payload.scenario(point), replications=n, designs=len(labels))
    enforce_budget(scenario, work, max_events)

    units = len(built.points) * len(labels)

    def plan(workers: int) -> list[_Chunk]:
        size = chunk_size if chunk_size is not None else _auto_chunk_size(units, n, workers)
        return _plan(len(built.points), labels, n, size)

    def fail(chunk: _Chunk, error: BaseException) -> SweepTaskError:
        params = dict(zip(built.parameters, built.points[chunk.point], strict=True))
        shown = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "no parameters"
        return SweepTaskError(
            f"grid point {chunk.point} ({shown}), design '{chunk.control}', replications "
            f"{chunk.start}–{chunk.stop - 1} of seed {root} failed: {reason(error)}",
            point=chunk.point,
            parameters=params,
            control=chunk.control,
            replications=(chunk.start, chunk.stop),
            seed=root,
        )

    total = units * n
    show = _show_progress() if progress is None else progress
    title = f"Sweeping {scenario.name}: {len(built.points)} points × {len(labels)} designs × {n}"
    with (
        _progress(show, total, title) as tally,
        open_executor(
            workers=workers,
            scheduler=scheduler,
            client=client,
            local_cluster=local_cluster,
            default_workers=os.cpu_count() or 1,
        ) as executor,
    ):
        results = executor.run(_run_chunk, payload, plan(executor.size), on_done=lambda c: tally(c.runs), fail=fail)
    return _frame(built, labels, [row for rows in results for row in rows])


def _frame(grid: Grid, labels: Sequence[str], rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    order = {label: i for i, label in enumerate(labels)}
    rows.sort(key=lambda row: (row[0], order[row[2]], row[3]))
    columns = [POINT_COLUMN, *ID_COLUMNS, "kind", *RUN_METRICS]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    values = [grid.points[point] for point in frame[POINT_COLUMN]]
    for position, parameter in enumerate(grid.parameters):
        frame.insert(1 + position, parameter, [value[position] for value in values])
    frame = frame.astype({POINT_COLUMN: "int64", "replication": "int64", "seed": "int64"})
    frame.attrs["parameters"] = list(grid.parameters)
    return frame
