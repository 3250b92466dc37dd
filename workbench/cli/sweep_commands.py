"""`workbench sweep`: simulate a grid of parameter values × control designs × replications, locally or on dask."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from workbench.cli._shell import MaxEventsOption, emit_rows
from workbench.cli.graph_commands import RowFormat
from workbench.escaping import printable, quote

__all__ = ["parse_param", "register"]


def register(app: typer.Typer) -> None:
    """Add the sweep command to the app."""
    app.command("sweep")(sweep)


def parse_param(text: str) -> tuple[str, list[str]]:
    """`KEY=V1,V2,...` as the key and its values (strings, which the scenario's validation parses)."""
    key, sep, values = text.partition("=")
    key = key.strip()
    parts = [value.strip() for value in values.split(",")]
    if not sep or not key or not any(parts) or not all(parts):
        raise typer.BadParameter(f"expected KEY=VALUE[,VALUE...], got {quote(text)}", param_hint="--param")
    return key, parts


def sweep(
    file: Path = typer.Argument(..., help="Scenario file."),
    param: list[str] = typer.Option(
        [],
        "--param",
        "-p",
        help=(
            "KEY=V1,V2,... (repeatable). KEY is a dotted scenario path (controls.jit.token_ttl, "
            "services.approver_pools.<id>.size, simulation.horizon, thresholds.exposure, ...) or a shorthand: "
            "approvers (every pool's size), token_ttl (every JIT/Cedar design), step_up_at (every RBAC step-up)."
        ),
    ),
    replications: int | None = typer.Option(
        None, "--replications", "-r", min=1, help="Replications per grid point and design."
    ),
    seed: int | None = typer.Option(None, "--seed", "-s", min=0, help="Root seed (default: the scenario's)."),
    controls: str | None = typer.Option(None, "--controls", "-c", help="Comma-separated design names (default: all)."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (default: DASK_SCHEDULER_ADDRESS, if set)."
    ),
    local_cluster: int | None = typer.Option(
        None, "--local-cluster", min=1, help="Run on a dask LocalCluster of N worker processes."
    ),
    workers: int | None = typer.Option(
        None, "--workers", "-w", min=1, help="Local worker processes (default: one per CPU; 1 runs in-process)."
    ),
    chunk_size: int | None = typer.Option(None, "--chunk-size", min=1, help="Replications per task."),
    fmt: RowFormat = typer.Option(
        RowFormat.table,
        "--format",
        "-f",
        help="table: means per grid point and design, ✓ on the exposure/latency Pareto frontier; "
        "csv/json: one row per run.",
    ),
    max_events: int | None = MaxEventsOption(),
) -> None:
    """Simulate every combination of --param values under each design; the same rows however it is run."""
    from workbench.analysis.sweep import SweepParameterError, sweep_summary
    from workbench.analysis.sweep import sweep as run_sweep
    from workbench.model import load_scenario
    from workbench.sim.metrics import EXPOSURE, HEADLINE_METRICS, LATENCY_P95, metric

    if scheduler is not None and local_cluster is not None:
        raise typer.BadParameter("give --scheduler or --local-cluster, not both", param_hint="--scheduler")
    grid: dict[str, list[str]] = {}
    for text in param:
        key, values = parse_param(text)
        if key in grid:
            raise typer.BadParameter(f"{quote(key)} is given twice", param_hint="--param")
        grid[key] = values
    scenario = load_scenario(file)
    labels = [label.strip() for label in controls.split(",") if label.strip()] if controls else None
    try:
        frame = run_sweep(
            scenario,
            grid,
            replications=replications,
            seed=seed,
            controls=labels,
            workers=workers,
            scheduler=scheduler,
            local_cluster=local_cluster,
            chunk_size=chunk_size,
            max_events=max_events,
        )
    except SweepParameterError as error:
        raise typer.BadParameter("\n".join(map(printable, error.problems)), param_hint="--param/--controls") from None
    if fmt is not RowFormat.table:
        records = [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        emit_rows(records, columns=[str(c) for c in frame.columns], fmt=fmt.value)
        return
    summary = sweep_summary(frame, metrics=HEADLINE_METRICS)
    shown = {c: _heading(c) for c in summary.columns if c != "pareto"}  # the title says: means
    rows = [
        {**{name: _clean(row[c]) for c, name in shown.items()}, "pareto": "✓" if row["pareto"] else ""}
        for row in summary.to_dict(orient="records")
    ]
    runs = int(frame["replication"].max()) + 1 if len(frame) else 0
    title = (
        f"{scenario.name}: means over {runs} replications, seed {int(frame['seed'].iloc[0])}, paired on common "
        f"random numbers; ✓ = Pareto frontier of mean {metric(EXPOSURE).label} against mean {metric(LATENCY_P95).label}"
    )
    emit_rows(rows, columns=[*shown.values(), "pareto"], fmt="table", title=title)


def _heading(column: str) -> str:
    """A metric column's label and unit (`mean_latency_p95_s` -> `p95 latency (s)`); other columns as they are."""
    from workbench.sim.metrics import RUN_METRICS, metric

    name = column.removeprefix("mean_")
    return metric(name).heading if name in RUN_METRICS else column


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
