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
from workbench.escaping import quote
from workbench.frameworks import load_catalog
from workbench.model import Scenario, load_scenario
from workbench.report.assemble import collect
from workbench.report.data import ReportData
from workbench.report.documents import render_report
from workbench.report.index import existing_reports, render_index, render_index_html
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
) -> tuple[list[ReportData], dict[str, bytes]]:
    """Every file of a report folder for `paths` (each under `<name>/`, plus `index.md`), rendered in memory.

    `jobs` > 1 renders that many scenarios at a time in separate processes. `atlas` is a full MITRE
    ATLAS.yaml that enriches the catalog's ATLAS names and descriptions. `max_events` is the work budget of
    each scenario's simulation (`workbench.sim.budget`). `keep_index_of` is the folder the files will be
    written to: index.md keeps the rows of the other scenarios whose reports are there. Raises ScenarioError
    listing every problem of every file if any scenario is invalid, over its budget or named like another
    (or like index.md), CatalogError if the ATLAS file is; all before anything is simulated.
    """
    atlas = None if atlas is None else Path(atlas)
    if atlas is not None:
        load_catalog(atlas)  # refuse a bad file before minutes of simulation
    files_in = [Path(p) for p in paths]
    problems: list[Problem] = []
    named: dict[str, Path] = {}
    for path in files_in:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        problems.extend(_name_problems(scenario, path, named))
        if scenario.controls:
            try:
                check_work(scenario, replications=replications, max_events=max_events)
            except ScenarioError as error:
                problems.extend(error.problems)
    if problems:
        raise ScenarioError(problems)
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
    names = [data.scenario.name for data in reports]
    others = [] if keep_index_of is None else existing_reports(keep_index_of, besides=names)
    files["index.md"] = render_index(reports, others=others).encode("utf-8")
    files["index.html"] = render_index_html(reports, others=others).encode("utf-8")
    return reports, files
