"""Parameter sweeps: every grid point × control design × replication, on a process pool or a dask cluster.

A sweep asks "how do exposure and latency move as we change the approver pool, the token TTL, the step-up
level…?". Each grid point is the scenario with some values replaced, validated by the scenario's own models
(so `"5m"` is a duration and a bad value names its parameter); each design runs on the same replication seeds
at every grid point (common random numbers), so differences between points and designs are paired.

Results do not depend on how the work is spread: replication `r` always runs on child `r` of
`SeedSequence(seed).spawn(replications)`, whichever worker, chunk or order it runs in, and the rows are sorted
before they are returned. Spawned seeds are prefix-stable, so adding replications leaves the earlier rows
unchanged.

Work ships in chunks (one grid point, one design, a block of replications) so per-task overhead stays small.
The scenario goes to each worker once, as a plain dict: through the process pool's initializer, or scattered
to every dask worker. Clusters a sweep starts itself run without dask's statistical profiler; on clusters
you start, setting `distributed.worker.profile.enabled: false` saves the same 5-10%.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import math
import multiprocessing
import os
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from workbench.analysis.frames import ID_COLUMNS
from workbench.analysis.result import HEADLINE_METRICS
from workbench.errors import WorkbenchError
from workbench.model import Scenario, kinds_with_parameter
from workbench.model.references import check_files, check_references
from workbench.model.yaml_safe import format_path
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

POINT_COLUMN = "point"
"""Column holding the grid point id: 0, 1, … in the order of `itertools.product` over the grid's values."""


def _listed(kinds: tuple[str, ...]) -> str:
    """'a, b and c'."""
    return " and ".join(filter(None, (", ".join(kinds[:-1]), kinds[-1])))


SHORTHANDS: dict[str, str] = {
    "approvers": "size of every approver pool (services.approver_pools.<id>.size)",
    "token_ttl": f"token_ttl of every {_listed(kinds_with_parameter('token_ttl'))} design (controls.<label>.token_ttl)",
    "step_up_at": f"step_up_at of every {_listed(kinds_with_parameter('step_up_at'))} design "
    "(controls.<label>.step_up_at)",
}
"""Grid keys that stand for several scenario paths at once, with what each sets."""

_IDENTITY_FIELDS = frozenset({"id", "name", "kind"})
DataPath = tuple[str | int, ...]
"""A path into the scenario's data: keys of mappings, indexes of lists."""

_FIXED_PATHS: dict[DataPath, str] = {
    ("schema_version",): "the scenario language version is not a parameter",
    ("simulation", "replications"): "pass replications= (CLI: --replications) instead",
    ("simulation", "seed"): "pass seed= (CLI: --seed) instead",
}
_RETRIES = 1
"""Times a failed chunk is run again before the sweep gives up: enough for a lost worker, not for a bug."""
_QUIET_WORKERS = {"distributed.worker.profile.enabled": False}
"""Dask config for the clusters a sweep starts: the statistical profiler walks the deep generator stacks of
SimPy processes every few milliseconds, which costs 5-10% of a pure-Python simulation."""
_CONNECT_TIMEOUT = "20s"
"""How long to try reaching a dask scheduler before saying it cannot be reached."""


class SweepError(WorkbenchError):
    """A sweep could not be set up or run."""


class SweepParameterError(SweepError, ValueError):
    """The grid names an unknown path or gives a value the scenario does not accept; lists every problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)  # args = (problems,): rebuilt whole by `type(e)(*e.args)`

    def __str__(self) -> str:
        return "\n".join(self.problems)


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


# -- the grid ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Payload:
    """What every worker needs, shipped once: the scenario as plain data and each point's overrides."""

    data: dict[str, Any]
    base_dir: str | None
    points: tuple[tuple[tuple[DataPath, Any], ...], ...]
    seed: int

    def scenario(self, point: int) -> Scenario:
        """The scenario of grid point `point`, validated and able to find its policy files."""
        data = _with_overrides(self.data, self.points[point])
        scenario = Scenario.model_validate(data)
        if self.base_dir is not None:
            scenario._base_dir = Path(self.base_dir)  # Cedar policy files resolve against it
        return scenario


@dataclass(frozen=True)
class _Chunk:
    """One task: replications [start, stop) of one design at one grid point."""

    point: int
    control: str
    start: int
    stop: int

    @property
    def runs(self) -> int:
        return self.stop - self.start


def _with_overrides(data: dict[str, Any], overrides: Sequence[tuple[DataPath, Any]]) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    for path, value in overrides:
        node: Any = changed
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = copy.deepcopy(value)
    return changed


def _resolve(key: str, scenario: Scenario, data: dict[str, Any]) -> list[DataPath]:
    """The concrete data paths a grid key sets; raises ValueError with the reason if it names nothing."""
    if key == "approvers":
        pools = scenario.services.approver_pools
        if not pools:
            raise ValueError("the scenario has no approver pools")
        return [("services", "approver_pools", i, "size") for i in range(len(pools))]
    if key in ("token_ttl", "step_up_at"):
        kinds = kinds_with_parameter(key)
        found = [("controls", i, key) for i, c in enumerate(scenario.controls) if c.kind in kinds]
        if not found:
            raise ValueError(f"the scenario has no {' or '.join(kinds)} design")
        return found  # type: ignore[return-value]
    parts = key.split(".")
    if not all(parts):
        raise ValueError("empty path segment")
    path: list[str | int] = []
    node: Any = data
    for position, part in enumerate(parts):
        if isinstance(node, dict):
            if part not in node:
                raise ValueError(_unknown(part, [str(k) for k in node], ".".join(parts[:position]) or "the scenario"))
            path.append(part)
            node = node[part]
        elif isinstance(node, list):
            index = _list_index(parts[position - 1] if position else "", node, part)
            if index is None:
                names = [_item_name(parts[position - 1], item, i) for i, item in enumerate(node)]
                raise ValueError(_unknown(part, names, ".".join(parts[:position])))
            path.append(index)
            node = node[index]
        else:
            raise ValueError(f"'{'.'.join(parts[:position])}' is a value, it has no '{part}'")
    resolved = tuple(path)
    if resolved in _FIXED_PATHS:
        raise ValueError(_FIXED_PATHS[resolved])
    if resolved[-1] in _IDENTITY_FIELDS:
        raise ValueError(f"'{resolved[-1]}' identifies an entity; sweeping it would change what is compared")
    return [resolved]


def _list_index(section: str, items: list[Any], part: str) -> int | None:
    """Items of a list are named by id (by label for controls), or by position."""
    for index, item in enumerate(items):
        if _item_name(section, item, index) == part:
            return index
    if part.isdigit() and int(part) < len(items):
        return int(part)
    return None


def _item_name(section: str, item: Any, index: int) -> str:
    if not isinstance(item, dict):
        return str(index)
    if section == "controls":
        return str(item.get("name") or item.get("kind"))
    return str(item.get("id", index))


def _unknown(part: str, known: Sequence[str], where: str) -> str:
    close = difflib.get_close_matches(part, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else f" (it has: {', '.join(known) or 'nothing'})"
    return f"no '{part}' in {where}{hint}"


def _values(raw: Any) -> list[Any]:
    """A grid entry's values; a lone string or number is one value."""
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence | np.ndarray):
        return [raw]
    return list(raw)


def _validation_messages(error: ValidationError) -> list[str]:
    messages = []
    for detail in error.errors(include_url=False):
        where = format_path(detail["loc"])
        messages.append(f"{where}: {str(detail['msg']).removeprefix('Value error, ')}")
    return messages


@dataclass(frozen=True)
class _Grid:
    parameters: list[str]
    points: list[tuple[Any, ...]]
    """Each point's value of every parameter, as the validated scenario reads it."""
    overrides: list[tuple[tuple[DataPath, Any], ...]]


def _build_grid(scenario: Scenario, data: dict[str, Any], grid: Mapping[str, Any]) -> _Grid:
    """Resolve and validate every grid key and value, reporting all problems together."""
    problems: list[str] = []
    targets: dict[str, list[DataPath]] = {}
    values: dict[str, list[Any]] = {}
    owner: dict[DataPath, str] = {}
    reserved = {POINT_COLUMN, *ID_COLUMNS, "kind", *RUN_METRICS}
    for key, raw in grid.items():
        if key in reserved:
            problems.append(f"{key}: clashes with a result column of the same name")
            continue
        try:
            paths = _resolve(key, scenario, data)
        except ValueError as error:
            problems.append(f"{key}: {error}")
            continue
        for path in paths:
            if path in owner:
                problems.append(f"{key}: sets {format_path(path)}, which {owner[path]} already sets")
            owner.setdefault(path, key)
        targets[key] = paths
        values[key] = _values(raw)
        if not values[key]:
            problems.append(f"{key}: no values given")
    # Each value alone first, so that an error names the parameter and value that caused it.
    for key, paths in targets.items():
        for value in values[key]:
            _validated(data, [(path, value) for path in paths], f"{key}={value!r}", problems, scenario.base_dir)
    if problems:
        raise SweepParameterError(problems)
    parameters = list(targets)
    points: list[tuple[Any, ...]] = []
    overrides: list[tuple[tuple[DataPath, Any], ...]] = []
    for combination in itertools.product(*(values[key] for key in parameters)):
        chosen = list(zip(parameters, combination, strict=True))
        changes = tuple((path, value) for key, value in chosen for path in targets[key])
        label = "grid point (" + ", ".join(f"{key}={value!r}" for key, value in chosen) + ")"
        point = _validated(data, changes, label, problems, scenario.base_dir)
        if point is None:
            continue
        plain = point.model_dump()
        points.append(tuple(_read_back(plain, targets[key][0], value) for key, value in chosen))
        overrides.append(changes)
    if problems:
        raise SweepParameterError(problems)
    return _Grid(parameters, points, overrides)


def _validated(
    data: dict[str, Any],
    changes: Sequence[tuple[DataPath, Any]],
    label: str,
    problems: list[str],
    base_dir: Path | None,
) -> Scenario | None:
    """The changed scenario if it validates, its references resolve and the files it names are safe to read
    (inside the scenario's folder, regular: the same checks as for a scenario file); otherwise None."""
    try:
        scenario = Scenario.model_validate(_with_overrides(data, changes))
    except ValidationError as error:
        problems.extend(f"{label}: {message}" for message in _validation_messages(error))
        return None
    checks = [*check_references(scenario), *check_files(scenario, base_dir)]
    found = [f"{label}: {format_path(p.path)}: {p.message}" for p in checks]
    problems.extend(found)
    return None if found else scenario


def _read_back(data: dict[str, Any], path: DataPath, given: Any) -> Any:
    """The value as validated (seconds for "5m"), or the given one where the field holds a structure."""
    node: Any = data
    for part in path:
        node = node[part]
    return node if isinstance(node, int | float | str | bool) else given


# -- running ----------------------------------------------------------------------------------------------


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


# The process pool's initializer leaves the payload here, once per worker process, so tasks carry only their
# small `_Chunk`. The parent process never reads or writes it.
_worker_payload: list[_Payload] = []


def _install_payload(payload: _Payload) -> None:
    _worker_payload[:] = [payload]


def _run_chunk_in_worker(chunk: _Chunk) -> list[tuple[Any, ...]]:
    return _run_chunk(_worker_payload[0], chunk)


def _plan(points: int, controls: Sequence[str], replications: int, chunk_size: int) -> list[_Chunk]:
    return [
        _Chunk(point, control, start, min(start + chunk_size, replications))
        for point in range(points)
        for control in controls
        for start in range(0, replications, chunk_size)
    ]


def _auto_chunk_size(units: int, replications: int, workers: int) -> int:
    """About eight tasks per worker, for balance, without splitting below what the grid already gives."""
    blocks = max(1, math.ceil(8 * workers / max(units, 1)))
    return max(1, math.ceil(replications / blocks))


Tally = Callable[[int], None]
Failure = Callable[[_Chunk, str], SweepTaskError]


def _run_serial(payload: _Payload, chunks: Sequence[_Chunk], tally: Tally, fail: Failure) -> list[list[Any]]:
    results = []
    for chunk in chunks:
        for attempt in range(_RETRIES + 1):
            try:
                results.append(_run_chunk(payload, chunk))
                break
            except Exception as error:
                if attempt == _RETRIES:
                    raise fail(chunk, f"{type(error).__name__}: {error}") from error
        tally(chunk.runs)
    return results


def _run_pool(
    payload: _Payload, chunks: Sequence[_Chunk], workers: int, tally: Tally, fail: Failure
) -> list[list[Any]]:
    """Spawned worker processes; a failed chunk is resubmitted once, a dead pool is restarted once."""
    results: dict[int, list[Any]] = {}
    failures: Counter[int] = Counter()
    restarts = 0
    context = multiprocessing.get_context("spawn")  # safe whatever threads the parent runs (dask, notebooks)
    while len(results) < len(chunks):
        remaining = [i for i in range(len(chunks)) if i not in results]
        broken = False
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(remaining)),
            mp_context=context,
            initializer=_install_payload,
            initargs=(payload,),
        )
        try:
            running: dict[Future[list[Any]], int] = {pool.submit(_run_chunk_in_worker, chunks[i]): i for i in remaining}
            while running and not broken:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    index = running.pop(future)
                    try:
                        results[index] = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    except Exception as error:
                        failures[index] += 1
                        if failures[index] > _RETRIES:
                            raise fail(chunks[index], f"{type(error).__name__}: {error}") from error
                        running[pool.submit(_run_chunk_in_worker, chunks[index])] = index
                        continue
                    tally(chunks[index].runs)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if broken:
            restarts += 1
            if restarts > _RETRIES:
                lost = next(chunks[i] for i in range(len(chunks)) if i not in results)
                raise fail(lost, "a worker process died twice; this chunk was among those unfinished")
    return [results[i] for i in range(len(chunks))]


def _run_dask(
    client: Client, payload: _Payload, chunks: Sequence[_Chunk], tally: Tally, fail: Failure
) -> list[list[Any]]:
    """Scatter the payload to every worker once, submit each chunk with `retries`, gather in any order."""
    from distributed import as_completed

    handle = client.scatter(payload, broadcast=True, hash=False)
    token = uuid.uuid4().hex[:8]
    futures = [
        client.submit(_run_chunk, handle, chunk, retries=_RETRIES, pure=False, key=f"workbench-sweep-{token}-{i}")
        for i, chunk in enumerate(chunks)
    ]
    index = {future.key: i for i, future in enumerate(futures)}
    results: dict[int, list[Any]] = {}
    try:
        for future in as_completed(futures):
            position = index[future.key]
            if future.status != "finished":
                error = future.exception()
                raise fail(chunks[position], f"{type(error).__name__}: {error}") from error
            results[position] = future.result()
            tally(chunks[position].runs)
    finally:
        client.cancel([*futures, handle])
    return [results[i] for i in range(len(chunks))]


@contextmanager
def _dask_client(client: Client | None, scheduler: str | None, local_cluster: int | None) -> Iterator[Client]:
    """The caller's client, or one connected to `scheduler`, or to a LocalCluster started (and stopped) here."""
    if client is not None:
        yield client
        return
    import logging

    import dask
    from distributed import Client, LocalCluster

    if local_cluster is not None:
        with (
            dask.config.set(_QUIET_WORKERS),  # read once, when the workers start
            LocalCluster(
                n_workers=local_cluster,
                threads_per_worker=1,  # the simulation is pure Python: processes, not threads, give parallelism
                processes=True,
                dashboard_address=":0",  # an HTTP server always starts; on a free port, it never clashes
                silence_logs=logging.ERROR,
                host="127.0.0.1",
            ) as cluster,
            Client(cluster) as started,
        ):
            yield started
        return
    try:
        connected = Client(scheduler, timeout=_CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise SweepError(f"cannot reach the dask scheduler at {scheduler}: {error}") from error
    with connected:
        yield connected


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
    replications: int | None = None,
    seed: int | None = None,
    client: Client | None = None,
    controls: Sequence[str] | None = None,
    *,
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

    data = scenario.model_dump()  # durations as the exact seconds they were validated to
    built = _build_grid(scenario, data, grid)
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

    if client is None and scheduler is None and local_cluster is None and workers is None:
        scheduler = os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    use_dask = client is not None or scheduler is not None or local_cluster is not None
    pool_size = workers if workers is not None else (local_cluster or os.cpu_count() or 1)
    if pool_size < 1:
        raise SweepParameterError([f"workers: need at least 1, got {pool_size}"])
    if chunk_size is not None and chunk_size < 1:
        raise SweepParameterError([f"chunk_size: need at least 1, got {chunk_size}"])
    units = len(built.points) * len(labels)

    def plan(workers: int) -> list[_Chunk]:
        size = chunk_size if chunk_size is not None else _auto_chunk_size(units, n, workers)
        return _plan(len(built.points), labels, n, size)

    def fail(chunk: _Chunk, reason: str) -> SweepTaskError:
        params = dict(zip(built.parameters, built.points[chunk.point], strict=True))
        shown = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "no parameters"
        return SweepTaskError(
            f"grid point {chunk.point} ({shown}), design '{chunk.control}', replications "
            f"{chunk.start}–{chunk.stop - 1} of seed {root} failed: {reason}",
            point=chunk.point,
            parameters=params,
            control=chunk.control,
            replications=(chunk.start, chunk.stop),
            seed=root,
        )

    total = units * n
    show = _show_progress() if progress is None else progress
    title = f"Sweeping {scenario.name}: {len(built.points)} points × {len(labels)} designs × {n}"
    with _progress(show, total, title) as tally:
        if use_dask:
            with _dask_client(client, scheduler, local_cluster) as active:
                threads = sum(active.nthreads().values()) or pool_size  # the cluster's size, once connected
                results = _run_dask(active, payload, plan(threads), tally, fail)
        else:
            chunks = plan(pool_size)
            if pool_size == 1 or len(chunks) == 1:
                results = _run_serial(payload, chunks, tally, fail)
            else:
                results = _run_pool(payload, chunks, pool_size, tally, fail)
    return _frame(built, labels, [row for rows in results for row in rows])


def _frame(grid: _Grid, labels: Sequence[str], rows: list[tuple[Any, ...]]) -> pd.DataFrame:
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


# -- reading a sweep --------------------------------------------------------------------------------------


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
