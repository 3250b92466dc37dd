"""`workbench report` and `workbench diff`: reports for people and CI gates, from the command line.

Thin by design: the commands parse, call `workbench.report`, print a summary and map the outcome to an exit
code (1 when a gate fails). Heavy modules load inside the commands, so `workbench --help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from workbench.cli._shell import ExitCode, MaxEventsOption, stderr, stdout
from workbench.escaping import printable

__all__ = ["register"]


class Level(StrEnum):
    """Severity threshold of a gate; `none` never fails."""

    none = "none"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class DiffFormat(StrEnum):
    """How `workbench diff` prints: Markdown (terminal, pull-request comment) or JSON."""

    markdown = "markdown"
    json = "json"


def register(app: typer.Typer) -> None:
    """Add the reporting commands to the app."""
    app.command("report")(report)
    app.command("diff")(diff)


def report(
    scenarios: list[Path] = typer.Argument(..., help="Scenario files to report on.", show_default=False),
    out_text: str = typer.Option("reports", "--out", "-o", help="Folder to write the reports into."),
    fail_on: Level = typer.Option(
        Level.none, "--fail-on", help="Exit 1 if a finding at or above this severity is not accepted."
    ),
    soft_fail: bool = typer.Option(False, "--soft-fail", help="Report blocking findings but exit 0."),
    replications: int | None = typer.Option(
        None, "--replications", min=1, help="Replications per design (default: the scenario's own)."
    ),
    root: Path = typer.Option(
        Path("."), "--root", help="Folder that scenario paths in reports and SARIF are relative to."
    ),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Scenarios simulated in parallel processes."),
    workers: int | None = typer.Option(
        None, "--workers", "-w", min=1, help="Worker processes for the replications (default: in-process)."
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler for the replications (default: DASK_SCHEDULER_ADDRESS, if set)."
    ),
    atlas: Path | None = typer.Option(
        None, "--atlas", help="A full MITRE ATLAS.yaml whose names and descriptions enrich the shipped catalog."
    ),
    max_events: int | None = MaxEventsOption(),
) -> None:
    """Simulate, evaluate and write each scenario's reports, and an index across scenarios.

    Per scenario <out>/<name>/ (report.md, report.html, results.json, findings.sarif, figures/*.svg), and
    <out>/index.md and index.html across scenarios (keeping the rows of other scenarios whose reports are
    already in <out>)."""
    from workbench.cli._progress import scenario_progress
    from workbench.frameworks import CatalogError
    from workbench.report import blocking_findings, report_scenarios, write_files
    from workbench.report.atomic import check_output_dir

    out = check_output_dir(out_text)  # a bad --out is refused now, not after minutes of simulation

    # every scenario is validated, simulated and rendered before anything is written
    try:
        with scenario_progress() as progress:  # on stderr; no byte of the reports depends on it
            reports, files = report_scenarios(
                scenarios,
                replications=replications,
                root=root,
                jobs=jobs,
                atlas=atlas,
                max_events=max_events,
                keep_index_of=out,
                progress=progress,
                workers=workers,
                scheduler=scheduler,
            )
    except CatalogError as error:
        if atlas is None:  # the shipped catalog itself: a bug, reported as internal
            raise
        raise typer.BadParameter(printable(str(error), lines=True), param_hint="--atlas") from None
    changed = write_files(out, files)
    console, errors = stdout(), stderr()
    blocking = []
    for data in reports:
        open_ = [f for f in data.findings if not f.suppressed]
        counts = ", ".join(
            f"{sum(1 for f in open_ if f.severity == s)} {s}" for s in ("critical", "high", "medium", "low")
        )
        accepted = len(data.findings) - len(open_)
        console.print(
            f"{data.scenario.name}: {counts}; {accepted} accepted -> {out / data.scenario.name}", markup=False
        )
        blocking.extend(blocking_findings(data.findings, fail_on.value))
    console.print(f"wrote {len(changed)} changed file(s) of {len(files)} under {out}", markup=False)
    for finding in blocking:
        where = f"{finding.location.uri}:{finding.location.line}:{finding.location.column}"
        errors.print(f"{where}: {finding.severity}: {finding.rule} {finding.message}", markup=False)
    if blocking:
        verdict = f"{len(blocking)} finding(s) at or above '{fail_on.value}' are not accepted"
        if soft_fail:
            errors.print(f"{verdict} (--soft-fail: exit 0)", markup=False)
        else:
            errors.print(verdict, markup=False)
            raise typer.Exit(ExitCode.FINDINGS)
    raise typer.Exit(ExitCode.OK)


def diff(
    base: Path = typer.Argument(..., help="Base: a scenario file or a results.json.", show_default=False),
    head: Path = typer.Argument(..., help="Head: a scenario file or a results.json.", show_default=False),
    fail_on_regression: float | None = typer.Option(
        None,
        "--fail-on-regression",
        metavar="PCT",
        min=0,
        help="Exit 1 if blast radius, exposure or p95 latency of a design (or an identity's blast radius) "
        "grows by more than PCT percent.",
    ),
    fail_on_new: Level = typer.Option(
        Level.none, "--fail-on-new", help="Exit 1 if head has a new open finding at or above this severity."
    ),
    replications: int | None = typer.Option(
        None, "--replications", min=1, help="Replications per design for scenario inputs."
    ),
    output_format: DiffFormat = typer.Option(DiffFormat.markdown, "--format", help="Output format."),
    out_text: str | None = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
    root: Path = typer.Option(Path("."), "--root", help="Folder that scenario paths are relative to."),
) -> None:
    """Show new and resolved findings (by fingerprint) and per-design changes in blast radius, exposure and
    p95 latency between BASE and HEAD."""
    from workbench.cli._progress import scenario_progress
    from workbench.report import atomic_write_text, diff_results, results_of
    from workbench.report.atomic import check_output_file
    from workbench.report.data import SEVERITIES
    from workbench.report.results_json import ResultsFormatError

    out = None if out_text is None else check_output_file(out_text)  # before anything is simulated
    inputs = [base, head]
    simulated = [i for i, path in enumerate(inputs) if path.suffix != ".json"]  # results.json is read, not run
    try:
        with scenario_progress() as progress:  # on stderr, for the inputs that are scenarios
            if simulated:
                progress.planned(
                    [str(inputs[i]) for i in simulated], [_runs(inputs[i], replications) for i in simulated]
                )
            documents = []
            for i, path in enumerate(inputs):
                number = simulated.index(i) if i in simulated else None
                ran = None if number is None else _ran(progress, number)
                documents.append(results_of(path, replications=replications, root=root, progress=ran))
                if number is not None:
                    progress.finished(number)
    except ResultsFormatError as error:
        raise typer.BadParameter(printable(str(error)), param_hint="BASE/HEAD") from None  # click prints it raw
    changes = diff_results(*documents)
    text = changes.to_json() if output_format is DiffFormat.json else changes.to_markdown()
    errors = stderr()
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text)
        errors.print(f"wrote {out}", markup=False)
    failed = False
    if fail_on_regression is not None:
        for change in changes.regressions(fail_on_regression):
            label = getattr(change, "design", "") or getattr(change, "identity", "")
            what = getattr(change, "metric", "blast radius")
            errors.print(
                f"regression: {label} {what} {change.base} -> {change.head} (more than {fail_on_regression:g}%)",
                markup=False,
            )
            failed = True
    if fail_on_new is not Level.none:
        threshold = SEVERITIES.index(fail_on_new.value)
        for finding in changes.new_findings:
            if finding.severity in SEVERITIES and SEVERITIES.index(finding.severity) >= threshold:
                errors.print(f"new finding: {finding.severity}: {finding.rule} {finding.message}", markup=False)
                failed = True
    raise typer.Exit(ExitCode.FINDINGS if failed else ExitCode.OK)


def _runs(path: Path, replications: int | None) -> int:
    """Runs (design × replication) that simulating the scenario at `path` takes."""
    from workbench.model import load_scenario
    from workbench.report.batch import planned_runs

    return planned_runs(load_scenario(path), replications)


def _ran(progress: Any, number: int) -> Callable[[int, int], None]:
    """`simulate`'s progress callback for scenario number `number` of a `ScenarioProgress`."""

    def ran(done: int, _total: int) -> None:
        progress.ran(number, done)

    return ran
