"""`workbench graph`, `blast-radius`, `paths` and `generate`: static analysis from the command line."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from workbench.cli._shell import emit_rows, stderr
from workbench.escaping import printable, quote

__all__ = ["register"]


class GraphFormat(StrEnum):
    graphml = "graphml"
    json = "json"
    mermaid = "mermaid"
    dot = "dot"
    opengraph = "opengraph"


class RowFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def register(app: typer.Typer) -> None:
    """Add the static-analysis commands to the app."""
    app.command("graph")(graph)
    app.command("blast-radius")(blast_radius)
    app.command("paths")(paths)
    app.command("generate")(generate)


def graph(
    file: Path = typer.Argument(..., help="Scenario file."),
    fmt: GraphFormat = typer.Option(GraphFormat.mermaid, "--format", "-f", help="Output format."),
) -> None:
    """Print the access graph as GraphML, JSON node-link, Mermaid, DOT or BloodHound OpenGraph JSON.

    Mermaid of a large organisation is a summary (attack paths kept, other nodes folded by kind), titled so.
    """
    from workbench.graph import build_graph, to_dot, to_graphml, to_json, to_mermaid_summary, to_opengraph
    from workbench.model import load_scenario

    built = build_graph(load_scenario(file))
    renderers = {
        "graphml": to_graphml,
        "json": to_json,
        "mermaid": to_mermaid_summary,
        "dot": to_dot,
        "opengraph": to_opengraph,
    }
    render = renderers[fmt.value]
    text = render(built)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def blast_radius(
    file: Path = typer.Argument(..., help="Scenario file."),
    identity: list[str] = typer.Option(
        [], "--identity", "-i", help="Only these agents, service accounts, secrets or tools (repeatable)."
    ),
    fmt: RowFormat = typer.Option(RowFormat.table, "--format", "-f", help="Output format."),
    top: int = typer.Option(0, "--top", help="Only the N highest scores (0: all)."),
) -> None:
    """Static blast radius of every agent, service account, secret and tool, scored by weight.

    Blocked actions are not in the score or the permissions; the `blocked` column lists (or counts) them.
    """
    from workbench.graph import blast_radius as one_blast_radius
    from workbench.graph import blast_radius_records, compile_access
    from workbench.model import load_scenario

    scenario = load_scenario(file)
    index = compile_access(scenario)
    if identity:
        unknown = [i for i in identity if i not in scenario.kinds]
        if unknown:
            raise typer.BadParameter(f"unknown identity {', '.join(map(quote, unknown))}", param_hint="--identity")
        rows: list[dict[str, Any]] = []
        for entity in identity:
            radius = one_blast_radius(index, entity)
            rows.append(
                {
                    "entity": entity,
                    "entity_kind": radius.entity_kind,
                    "score": radius.score,
                    "permissions": [f"{a}:{r}" for a, r in radius.permissions],
                    "assets": list(radius.assets),
                    "restricted_assets": list(radius.restricted_assets),
                    "blocked": [f"{a}:{r}" for a, r in radius.blocked],
                }
            )
    else:
        rows = sorted(blast_radius_records(index), key=lambda row: (-float(row["score"]), str(row["entity"])))
    columns = ["entity", "entity_kind", "score", "permissions", "assets", "restricted_assets", "blocked"]
    if top > 0:
        rows = rows[:top]
    emit_rows(rows, columns=columns, fmt=fmt.value, title=f"Static blast radius: {scenario.name}")


def paths(
    file: Path = typer.Argument(..., help="Scenario file."),
    to: list[str] = typer.Option([], "--to", help="Target asset (repeatable); default: every restricted asset."),
    source: list[str] = typer.Option([], "--from", help="Source agent; default: agents reading untrusted input."),
    k: int = typer.Option(3, "-k", help="Number of shortest paths per source and target."),
    fmt: RowFormat = typer.Option(RowFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """Attack paths to assets, with the edges (roles, secrets, tools, delegations) that carry the access."""
    from workbench.graph import attack_paths, build_graph
    from workbench.model import load_scenario

    scenario = load_scenario(file)
    unknown = [name for name in (*to, *source) if name not in scenario.kinds]
    if unknown:
        raise typer.BadParameter(f"unknown id {', '.join(map(quote, unknown))}", param_hint="--to/--from")
    found = attack_paths(build_graph(scenario), k=k, sources=source or None, targets=to or None)
    rows = [
        {
            "source": path.source,
            "target": path.target,
            "actions": list(path.actions),
            "hops": len(path.hops),
            "path": " -> ".join([path.source, *(f"[{hop.kind}] {hop.target}" for hop in path.hops)]),
        }
        for path in found
    ]
    if fmt is RowFormat.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if not rows and fmt is RowFormat.table:
        stderr().print("no attack path found", markup=False)
        return
    emit_rows(rows, columns=["source", "target", "actions", "hops", "path"], fmt=fmt.value, title="Attack paths")


def generate(
    agents: int = typer.Option(..., "--agents", "-n", min=1, max=1_000_000, help="Number of agents."),
    seed: int = typer.Option(0, "--seed", "-s", min=0, help="Seed; the same seed gives the same organisation."),
    out_text: str = typer.Option(
        ..., "--out", "-o", help="Scenario file to write: JSON if it ends in .json (fast to load), else YAML."
    ),
    busy: bool = typer.Option(
        False, "--busy", help="Every agent runs a task type (at --task-rate), compared under five designs."
    ),
    task_rate: str | None = typer.Option(
        None, "--task-rate", help="Arrival rate of every agent's tasks, e.g. 6/h (implies --busy; default 6/h)."
    ),
) -> None:
    """Write a synthetic organisation (hubs, shared secrets, delegation chains) as a valid scenario."""
    from workbench.generate import generate_organisation
    from workbench.report.atomic import atomic_write_text, check_output_file

    out = check_output_file(out_text)
    rate = task_rate if task_rate is not None else ("6/h" if busy else None)
    if rate is not None:
        from pydantic import ValidationError

        from workbench.model.workload import Arrival

        try:
            Arrival.model_validate({"rate": rate})
        except ValidationError as error:
            reason = error.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
            raise typer.BadParameter(printable(reason), param_hint="--task-rate") from None
    document = generate_organisation(agents, seed=seed, task_rate=rate)
    if out.suffix.lower() == ".json":
        import orjson

        atomic_write_text(out, orjson.dumps(document, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n")
    else:
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        body = yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120)
        header = f"# Synthetic organisation: {agents} agents, seed {seed} (workbench generate).\n"
        atomic_write_text(out, header + body)
    stderr().print(f"wrote {printable(out)} ({agents} agents)", markup=False)
