"""Reports for many scenario files at once, optionally one process per scenario.

Scenarios are independent, so they can be simulated and rendered in parallel; the result is the same bytes
whatever the number of processes. Every scenario is validated first, in this process, so that a typo in one
file is reported (with every other problem) before minutes of simulation start.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from workbench.errors import Problem, ScenarioError
from workbench.frameworks import load_catalog
from workbench.model import load_scenario
from workbench.report.assemble import collect
from workbench.report.data import ReportData
from workbench.report.documents import check_unique_names, render_report
from workbench.report.index import render_index
from workbench.sim.budget import check_work

__all__ = ["report_scenarios"]


def _one(
    path: Path, replications: int | None, root: Path, atlas: Path | None = None, max_events: int | None = None
) -> tuple[ReportData, dict[str, bytes]]:
    """Collect and render one scenario; the graph is dropped from the data so it crosses processes cheaply."""
    catalog = None if atlas is None else load_catalog(atlas)
    scenario = load_scenario(path)
    data = collect(scenario, replications=replications, root=root, catalog=catalog, max_events=max_events)
    return replace(data, graph=None), render_report(data)


def report_scenarios(
    paths: Sequence[str | Path],
    *,
    replications: int | None = None,
    root: str | Path = ".",
    jobs: int = 1,
    atlas: str | Path | None = None,
    max_events: int | None = None,
) -> tuple[list[ReportData], dict[str, bytes]]:
    """Every file of a report folder for `paths` (each under `<name>/`, plus `index.md`), rendered in memory.

    `jobs` > 1 renders that many scenarios at a time in separate processes. `atlas` is a full MITRE
    ATLAS.yaml that enriches the catalog's ATLAS names and descriptions. `max_events` is the work budget of
    each scenario's simulation (`workbench.sim.budget`). Raises ScenarioError listing every problem of every
    file if any scenario is invalid or over its budget, CatalogError if the ATLAS file is; both before
    anything is simulated.
    """
    atlas = None if atlas is None else Path(atlas)
    if atlas is not None:
        load_catalog(atlas)  # refuse a bad file before minutes of simulation
    files_in = [Path(p) for p in paths]
    problems: list[Problem] = []
    names = []
    for path in files_in:
        try:
            scenario = load_scenario(path)
            names.append(scenario.name)
            if scenario.controls:
                check_work(scenario, replications=replications, max_events=max_events)
        except ScenarioError as error:
            problems.extend(error.problems)
    if problems:
        raise ScenarioError(problems)
    check_unique_names(names)
    root = Path(root)
    if jobs > 1 and len(files_in) > 1:
        context = multiprocessing.get_context("spawn")  # no state inherited from a forked parent
        with ProcessPoolExecutor(max_workers=min(jobs, len(files_in)), mp_context=context) as pool:
            count = len(files_in)
            done = list(
                pool.map(_one, files_in, [replications] * count, [root] * count, [atlas] * count, [max_events] * count)
            )
    else:
        done = [_one(path, replications, root, atlas, max_events) for path in files_in]
    reports = [data for data, _files in done]
    files: dict[str, bytes] = {}
    for data, rendered in done:
        files.update({f"{data.scenario.name}/{path}": content for path, content in rendered.items()})
    files["index.md"] = render_index(reports).encode("utf-8")
    return reports, files
