"""`workbench simulate`: run the scenario's control designs on common random numbers and compare them."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from workbench.cli._shell import MaxEventsOption, emit_rows
from workbench.cli.graph_commands import RowFormat
from workbench.escaping import quote

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the simulation command to the app."""
    app.command("simulate")(simulate)


def simulate(
    file: Path = typer.Argument(..., help="Scenario file."),
    controls: str | None = typer.Option(None, "--controls", "-c", help="Comma-separated design names (default: all)."),
    replications: int | None = typer.Option(None, "--replications", "-r", min=1, help="Replications per design."),
    seed: int | None = typer.Option(None, "--seed", "-s", min=0, help="Root seed (default: the scenario's)."),
    fmt: RowFormat = typer.Option(RowFormat.table, "--format", "-f", help="Output format."),
    all_metrics: bool = typer.Option(False, "--all-metrics", help="Every metric, not just the headline ones."),
    max_events: int | None = MaxEventsOption(),
    workers: int | None = typer.Option(
        None, "--workers", "-w", min=1, help="Worker processes for the replications (default: in-process)."
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler for the replications (default: DASK_SCHEDULER_ADDRESS, if set)."
    ),
) -> None:
    """Simulate task runs and compromises under each control design; print the paired comparison."""
    from workbench.analysis import simulate as run_simulation
    from workbench.cli._progress import scenario_progress
    from workbench.model import load_scenario
    from workbench.report.batch import planned_runs
    from workbench.report.numbers import fmt_ratio
    from workbench.sim.metrics import HEADLINE_METRICS, metric

    scenario = load_scenario(file)
    labels = [label.strip() for label in controls.split(",") if label.strip()] if controls else None
    if labels:
        unknown = [label for label in labels if label not in scenario.control_labels]
        if unknown:
            known = ", ".join(scenario.control_labels)
            raise typer.BadParameter(
                f"unknown design {', '.join(map(quote, unknown))} (scenario has: {known})", param_hint="--controls"
            )
    if not scenario.controls:
        raise typer.BadParameter("the scenario declares no control designs to simulate", param_hint="FILE")
    runs = planned_runs(scenario, replications, designs=len(labels) if labels else None)
    with scenario_progress() as progress:  # on stderr: a bar at a terminal, one line when done otherwise
        progress.planned([scenario.name], [runs])
        result = run_simulation(
            scenario,
            labels,
            replications,
            seed,
            max_events=max_events,
            progress=lambda done, _t: progress.ran(0, done),
            workers=workers,
            scheduler=scheduler,
        )
        progress.finished(0)
    table = result.compare(metrics=None if all_metrics else list(HEADLINE_METRICS))

    if fmt is not RowFormat.table:
        records = [{str(k): _clean(v) for k, v in row.items()} for row in table.to_dict(orient="records")]
        emit_rows(records, columns=[str(c) for c in table.columns], fmt=fmt.value)
        return
    designs = list(dict.fromkeys(table["control"]))
    rows: list[dict[str, Any]] = []
    for name, group in table.groupby("metric", sort=False):
        row: dict[str, Any] = {"metric": metric(str(name)).heading}
        for record in group.to_dict(orient="records"):
            cell = _interval(record["mean"], record["ci_low"], record["ci_high"])
            if record["control"] != record["baseline"] and math.isfinite(record["ratio"]):
                cell += f" ({fmt_ratio(record['ratio'])})"
            row[str(record["control"])] = cell
        rows.append(row)
    title = (
        f"{scenario.name}: mean [95% CI] over {result.replications} replications, seed {result.seed}; "
        f"(×ratio) to {result.baseline}, paired on common random numbers"
    )
    emit_rows(rows, columns=["metric", *designs], fmt="table", title=title)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _interval(mean: float, low: float, high: float) -> str:
    """A mean and its CI as the report prints them (`workbench.report.numbers`): the same run, the same digits."""
    from workbench.report.numbers import fmt, fmt_ci

    if not math.isfinite(mean):
        return "–"
    if not math.isfinite(low):
        return fmt(mean)
    return f"{fmt(mean)} {fmt_ci(low, high)}"
