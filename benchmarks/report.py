"""Report generation for a generated 1,000-agent organisation, end to end: collect, render, write to disk.

`workbench.generate.generate_organisation(1000, seed=0)` gives the scenario (two designs, two one-day
replications). The measured path is what `workbench report` does: `report.collect` (graph, simulation,
findings), `report.render_reports` (Markdown, HTML, results.json, SARIF, figures) and `report.write_files`
into a temporary folder. Target: at most 20 s.

The baseline, measured in the same child process just before, is `analysis.simulate` of the same scenario
with the same replications: the part of a report no renderer can avoid. The ratio says how many simulations'
worth of time the whole report costs.

The measurement runs in a fresh spawned process with a deadline (`timeout_s`), so a slow report is reported
as not met rather than stalling the suite. Run alone with `python -m benchmarks.report`.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import tempfile
import time
from typing import Any

__all__ = ["TARGET_S", "run"]

TARGET_S = 20.0
"""Seconds a 1,000-agent report may take."""

_NEEDED = ("collect", "render_reports", "write_files")


def _missing_api() -> str | None:
    """Why the report layer cannot be benchmarked yet, or None when its public pipeline is there."""
    try:
        import workbench.report as report
    except ImportError as error:
        return f"workbench.report cannot be imported ({error})"
    missing = [name for name in _NEEDED if name not in getattr(report, "__all__", ())]
    if missing:
        return f"workbench.report has no public {', '.join(missing)} yet"
    return None


def _measure(agents: int, seed: int, results: Any) -> None:
    """In the child: baseline first (sent at once, in case the report then times out), then the report."""
    try:
        _measure_report(agents, seed, results)
    except Exception as error:
        results.put(("error", f"{type(error).__name__}: {error}"))


def _measure_report(agents: int, seed: int, results: Any) -> None:
    from workbench.analysis import simulate
    from workbench.generate import generate_organisation
    from workbench.model import Scenario
    from workbench.report import collect, render_reports, write_files

    scenario = Scenario.model_validate(generate_organisation(agents, seed=seed))
    start = time.perf_counter()
    simulate(scenario)
    results.put(("baseline", time.perf_counter() - start))
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        data = collect(scenario)
        collected = time.perf_counter()
        files = render_reports([data])
        rendered = time.perf_counter()
        write_files(folder, files)
        written = time.perf_counter()
    results.put(("report", (collected - start, rendered - collected, written - rendered, len(files))))


def run(*, agents: int = 1000, seed: int = 0, timeout_s: float = 6 * TARGET_S) -> list[dict[str, Any]]:
    """One row: seconds for the whole report, against the simulation baseline; skipped if the API is missing."""
    name = f"report_{agents}_agents_collect_render_write"
    target = f"value <= {TARGET_S:g} s"
    reason = _missing_api()
    if reason is not None:
        return [{"name": name, "value": None, "unit": "s", "target": target, "note": f"skipped: {reason}"}]
    context = mp.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_measure, args=(agents, seed, results), daemon=True)
    child.start()
    deadline = time.monotonic() + timeout_s + 60  # + building the scenario and the baseline
    got: dict[str, Any] = {}
    while not {"report", "error"} & set(got) and time.monotonic() < deadline:
        alive = child.is_alive()  # read before polling: a child that exits has already flushed its results
        try:
            key, value = results.get(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
        except queue.Empty:
            if not alive:
                break
            continue
        got[key] = value
        if key == "baseline":
            deadline = time.monotonic() + timeout_s
    timed_out = child.is_alive()
    if timed_out:
        child.terminate()
    child.join(10)
    baseline = got.get("baseline")
    row: dict[str, Any] = {"name": name, "unit": "s", "baseline": _round(baseline), "target": target}
    if "error" in got:
        raise RuntimeError(f"report generation failed: {got['error']}")
    if "report" not in got:
        why = f"did not finish within {timeout_s:g} s" if timed_out else f"the child process died ({child.exitcode})"
        return [{**row, "value": None, "ratio": None, "met": False, "note": why}]
    collect_s, render_s, write_s, count = got["report"]
    total = collect_s + render_s + write_s
    note = (
        f"collect {collect_s:.1f} s, render {render_s:.1f} s, write {write_s:.2f} s ({count} files); "
        f"baseline: simulate() of the same scenario; ratio = report / simulate"
    )
    ratio = total / baseline if baseline else None
    return [{**row, "value": _round(total), "ratio": _round(ratio), "note": note}]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


if __name__ == "__main__":
    from benchmarks.suite import format_table, normalise

    print(format_table([normalise(row) for row in run()]))
