"""Reports for many scenario files at once, optionally one process per scenario.

Scenarios are independent, so they can be simulated and rendered in parallel; the result is the same bytes
whatever the number of processes. Every scenario is validated first, in this process, so that a typo in one
file is reported (with every other problem) before minutes of simulation start.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from workbench.errors import Problem, ScenarioError
from workbench.escaping import quote
from workbench.frameworks import load_catalog
from workbench.model import Scenario, load_scenario
from workbench.report.assemble import collect
from workbench.report.data import ReportData
from workbench.report.documents import render_report
from workbench.report.index import existing_reports, render_index, render_index_html
from workbench.sim.budget import check_work

__all__ = ["BatchProgress", "planned_runs", "report_scenarios"]


class BatchProgress(Protocol):
    """Hears how a batch of reports advances (the CLI draws it); nothing it does reaches a report."""

    def planned(self, names: Sequence[str], runs: Sequence[int]) -> None:
        """The scenarios, in order, and how many runs (design × replication) each will simulate."""

    def ran(self, scenario: int, done: int) -> None:
        """Scenario number `scenario` (from 0) has simulated `done` of its runs."""

    def finished(self, scenario: int) -> None:
        """Scenario number `scenario` is simulated, evaluated and rendered."""


def planned_runs(scenario: Scenario, replications: int | None = None, designs: int | None = None) -> int:
    """Runs (design × replication) simulating `scenario` takes, what a progress display counts up to:
    `designs` (default every design of the scenario) × `replications` (default the scenario's)."""
    per_design = scenario.simulation.replications if replications is None else replications
    return (len(scenario.controls) if designs is None else designs) * per_design


def _one(
    path: Path,
    replications: int | None,
    root: Path,
    atlas: Path | None = None,
    max_events: int | None = None,
    news: Any = None,
    number: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
) -> tuple[ReportData, dict[str, bytes]]:
    """Collect and render one scenario; the graph is dropped from the data so it crosses processes cheaply.

    `news` is a queue (a manager's proxy, so it crosses into worker processes, or `_Direct`) that hears
    `(number, done)` after each simulated run.
    """
    catalog = None if atlas is None else load_catalog(atlas)
    scenario = load_scenario(path)
    progress: Callable[[int, int], None] | None = None
    if news is not None:

        def progress(done: int, _total: int) -> None:
            news.put((number, done))

    data = collect(
        scenario,
        replications=replications,
        root=root,
        catalog=catalog,
        max_events=max_events,
        progress=progress,
        workers=workers,
        scheduler=scheduler,
    )
    return replace(data, graph=None), render_report(data)


class _Direct:
    """A queue's `put` for `_one` in this very process: the news goes straight to `progress.ran`."""

    def __init__(self, progress: BatchProgress) -> None:
        self._progress = progress

    def put(self, item: tuple[int, int]) -> None:
        self._progress.ran(*item)


class _Relay:
    """The queue workers report to (a manager's, so it crosses into spawned processes), and a thread that
    hands their news to `progress.ran` in this process; `close` stops both."""

    def __init__(self, progress: BatchProgress, context: Any) -> None:
        self._manager = context.Manager()
        self.queue = self._manager.Queue()
        self._progress = progress
        self._thread = threading.Thread(target=self._drain, name="report-progress", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while (item := self.queue.get()) is not None:
            self._progress.ran(*item)

    def close(self) -> None:
        self.queue.put(None)
        self._thread.join()
        self._manager.shutdown()


ROOT_FILES = frozenset({"index.md", "index.html"})
"""Files a report folder holds beside the scenarios' folders: no scenario may be named like one."""


def _name_problems(scenario: Scenario, path: Path, named: dict[str, Path]) -> list[Problem]:
    """A scenario whose folder would collide with another's (names equal but for case, which some file
    systems ignore) or with a file of the report folder; `named` collects the names seen so far."""
    key = scenario.name.casefold()
    file, line, column = scenario.locate(("name",))
    found: list[Problem] = []
    if key in ROOT_FILES:
        message = f"{quote(scenario.name)} is reserved: the report folder's own {key} would be overwritten"
        found.append(Problem(file, line, column, "name", message, "report-name"))
    elif key in named:
        message = (
            f"{quote(scenario.name)} is also the name of {quote(str(named[key]))}: "
            "their report folders would overwrite each other"
        )
        found.append(Problem(file, line, column, "name", message, "report-name"))
    else:
        named[key] = path
    return found


def report_scenarios(
    paths: Sequence[str | Path],
    *,
    replications: int | None = None,
    root: str | Path = ".",
    jobs: int = 1,
    atlas: str | Path | None = None,
    max_events: int | None = None,
    keep_index_of: str | Path | None = None,
    progress: BatchProgress | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> tuple[list[ReportData], dict[str, bytes]]:
    """Every file of a report folder for `paths` (each under `<name>/`, plus `index.md`), rendered in memory.

    `jobs` > 1 renders that many scenarios at a time in separate processes. `atlas` is a full MITRE
    ATLAS.yaml that enriches the catalog's ATLAS names and descriptions. `max_events` is the work budget of
    each scenario's simulation (`workbench.sim.budget`). `keep_index_of` is the folder the files will be
    written to: index.md keeps the rows of the other scenarios whose reports are there. Raises ScenarioError
    listing every problem of every file if any scenario is invalid, over its budget or named like another
    (or like index.md), CatalogError if the ATLAS file is; all before anything is simulated. `progress`
    hears the plan, each simulated run and each finished scenario (it changes no byte of the files).
    `workers` and `scheduler` say where each scenario's replications run (`workbench.analysis.simulate`;
    default: in the scenario's own process, or on `DASK_SCHEDULER_ADDRESS` when that is set).
    """
    atlas = None if atlas is None else Path(atlas)
    if atlas is not None:
        load_catalog(atlas)  # refuse a bad file before minutes of simulation
    files_in = [Path(p) for p in paths]
    problems: list[Problem] = []
    named: dict[str, Path] = {}
    names: list[str] = []
    runs: list[int] = []
    for path in files_in:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        problems.extend(_name_problems(scenario, path, named))
        names.append(scenario.name)
        runs.append(planned_runs(scenario, replications))
        if scenario.controls:
            try:
                check_work(scenario, replications=replications, max_events=max_events)
            except ScenarioError as error:
                problems.extend(error.problems)
    if problems:
        raise ScenarioError(problems)
    root = Path(root)
    if progress is not None:
        progress.planned(names, runs)
    if jobs > 1 and len(files_in) > 1:
        done = _in_processes(files_in, jobs, progress, replications, root, atlas, max_events, workers, scheduler)
    else:
        done = []
        direct = None if progress is None else _Direct(progress)
        for number, path in enumerate(files_in):
            done.append(_one(path, replications, root, atlas, max_events, direct, number, workers, scheduler))
            if progress is not None:
                progress.finished(number)
    reports = [data for data, _files in done]
    files: dict[str, bytes] = {}
    for data, rendered in done:
        files.update({f"{data.scenario.name}/{path}": content for path, content in rendered.items()})
    names = [data.scenario.name for data in reports]
    others = [] if keep_index_of is None else existing_reports(keep_index_of, besides=names)
    files["index.md"] = render_index(reports, others=others).encode("utf-8")
    files["index.html"] = render_index_html(reports, others=others).encode("utf-8")
    return reports, files


def _in_processes(
    files_in: Sequence[Path],
    jobs: int,
    progress: BatchProgress | None,
    replications: int | None,
    root: Path,
    atlas: Path | None,
    max_events: int | None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> list[tuple[ReportData, dict[str, bytes]]]:
    """`_one` for every file, `jobs` processes at a time; results in the order of `files_in`."""
    context = multiprocessing.get_context("spawn")  # no state inherited from a forked parent
    relay = None if progress is None else _Relay(progress, context)
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(files_in)), mp_context=context) as pool:
            news = None if relay is None else relay.queue
            futures = [
                pool.submit(_one, path, replications, root, atlas, max_events, news, number, workers, scheduler)
                for number, path in enumerate(files_in)
            ]
            if progress is not None:
                for number, future in enumerate(futures):
                    future.add_done_callback(_finisher(progress, number))
            return [future.result() for future in futures]
    finally:
        if relay is not None:
            relay.close()


def _finisher(progress: BatchProgress, number: int) -> Callable[[Any], None]:
    """A future's done-callback that tells `progress` its scenario finished."""

    def finished(future: Any) -> None:
        if not future.cancelled() and future.exception() is None:  # a failure is reported as an error
            progress.finished(number)

    return finished
