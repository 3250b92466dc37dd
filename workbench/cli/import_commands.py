"""`workbench import mcp|...`: inventories in, a scenario YAML out (`-o FILE`, or stdout).

A thin shell over `workbench.importers`: read, import, merge into `--merge OVERLAY`, check, write. Bad input
exits 3 with every problem as FILE:LINE:COL: /json/pointer: message; nothing is written then.

The options every importer takes (`--out`, `--merge`, `--as-of`, `--name`) are declared once, in `_SHARED`;
`_importer` adds them to each subcommand and does the reading of overlays and the writing, so that an
importer's command says only what is its own: its inputs, its options, and the scenario it makes.
`import traces` is the exception: it derives a workload from the scenario it is given (`--scenario`) rather
than building one to merge, so of these it takes only `--out`.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import os
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from workbench.cli._shell import Group, stderr
from workbench.model.common import ImportSource

__all__ = ["register"]

import_app = typer.Typer(
    name="import",
    help="Import agents, tools, secrets and permissions from inventories as a scenario YAML.",
    no_args_is_help=True,
    cls=Group,
)


@dataclass(frozen=True)
class ImportRun:
    """What the shared options settle before an importer runs: the scenario's date and name."""

    as_of: dt.date
    name: str


Imported = tuple[Any, str]
"""What an importer's command returns: the scenario it made and the header line saying from what."""


def _parameter(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


_SHARED = (
    _parameter(
        "out", Path | None, typer.Option(None, "--out", "-o", help="Scenario file to write; stdout if omitted.")
    ),
    _parameter(
        "merge",
        list[Path],
        typer.Option(
            [],
            "--merge",
            metavar="SCENARIO",
            help="Scenario to merge into: its hand-written entities and settings are kept. Repeat it to lay "
            "several in turn (an earlier import of another source, then your overlay): the last one wins.",
        ),
    ),
    _parameter(
        "as_of",
        str | None,
        typer.Option(
            None,
            "--as-of",
            help="The date the scenario describes (YYYY-MM-DD); default: the overlay's, else today (UTC).",
        ),
    ),
    _parameter(
        "name",
        str | None,
        typer.Option(None, "--name", help="Scenario name; default: the overlay's, else imported-SOURCE."),
    ),
)
"""The options of every `workbench import` subcommand, declared once."""


def _importer(command: str, source: ImportSource) -> Callable[[Callable[..., Imported]], Callable[..., Imported]]:
    """Register `body(run, **own)` as `workbench import COMMAND`, with its own parameters and `_SHARED`."""

    def register(body: Callable[..., Imported]) -> Callable[..., Imported]:
        own = list(inspect.signature(body, eval_str=True).parameters.values())[1:]  # the first is the run
        hints = typing.get_type_hints(body)

        @functools.wraps(body)
        def shell(**options: Any) -> None:
            out, merge, as_of, name = (options.pop(p.name) for p in _SHARED)
            overlays = [_load_overlay(path) for path in merge]
            run = ImportRun(as_of=_date(as_of, overlays), name=name or f"imported-{source}")
            scenario, header = body(run, **options)
            if merge:
                header = _merged_header(merge, header)
            _write(scenario, overlays, out=out, source=source, header=header, name=name)

        del shell.__wrapped__  # typer reads the signature below, not the body's
        setattr(shell, "__signature__", inspect.Signature([*own, *_SHARED]))  # noqa: B010 - read by inspect
        shell.__annotations__ = {
            **{p.name: hints[p.name] for p in own},
            **{p.name: p.annotation for p in _SHARED},
            "return": None,
        }
        import_app.command(command)(shell)
        return body

    return register


def register(app: typer.Typer) -> None:
    """Add `workbench import` and its subcommands to the app."""
    app.add_typer(import_app, name="import")


@_importer("mcp", "mcp")
def mcp(
    run: ImportRun,
    paths: list[Path] = typer.Argument(..., help="MCP client configs, or folders to scan.", show_default=False),
    salt: str | None = typer.Option(
        None,
        "--salt",
        envvar="WORKBENCH_IMPORT_SALT",
        help="Salt of the secret fingerprints (keep it private and the same across imports).",
    ),
) -> Imported:
    """Claude Desktop, Claude Code, Cursor, VS Code and Windsurf configs: agents, MCP servers, secrets."""
    from workbench.importers import import_mcp, read_configs
    from workbench.importers.mcp import DEFAULT_SALT

    configs = read_configs(paths)
    scenario = import_mcp(configs, as_of=run.as_of, name=run.name, salt=salt or DEFAULT_SALT)
    return scenario, f"Imported by `workbench import mcp` from {len(configs)} MCP client config(s)."


@_importer("aws-iam", "aws-iam")
def aws_iam(
    run: ImportRun,
    file: Path = typer.Argument(..., help="JSON of `aws iam get-account-authorization-details`.", show_default=False),
) -> Imported:
    """IAM users, groups, roles and policies: service accounts, roles, agent roles, blocked actions."""
    from workbench.importers import import_aws_iam, read_json

    scenario = import_aws_iam(read_json(file), as_of=run.as_of, name=run.name)
    return scenario, f"Imported by `workbench import aws-iam` from {file.name}."


@_importer("k8s", "k8s")
def k8s(
    run: ImportRun,
    file: Path = typer.Argument(
        ...,
        help="JSON of `kubectl get serviceaccounts,roles,clusterroles,rolebindings,clusterrolebindings,pods,"
        "deployments -A -o json`.",
        show_default=False,
    ),
    agent_label: str | None = typer.Option(
        None, "--agent-label", help="KEY=VALUE (or KEY): workloads with this label are agents."
    ),
    agent_annotation: str | None = typer.Option(
        None, "--agent-annotation", help="KEY=VALUE (or KEY): workloads with this annotation are agents."
    ),
) -> Imported:
    """Service accounts, users and groups, RBAC bindings in their scope, and the workloads that are agents."""
    from workbench.importers import import_k8s, read_json

    scenario = import_k8s(
        read_json(file), as_of=run.as_of, name=run.name, agent_label=agent_label, agent_annotation=agent_annotation
    )
    return scenario, f"Imported by `workbench import k8s` from {file.name}."


@_importer("opengraph", "opengraph")
def opengraph(
    run: ImportRun,
    file: Path = typer.Argument(
        ..., help="BloodHound OpenGraph JSON (AgentHound, BloodHound, workbench).", show_default=False
    ),
) -> Imported:
    """OpenGraph nodes and edges: entities by kind, edges as the roles, secrets, tools and grants they draw."""
    from workbench.importers import import_opengraph, read_json

    scenario = import_opengraph(read_json(file), as_of=run.as_of, name=run.name)
    return scenario, f"Imported by `workbench import opengraph` from {file.name}."


@import_app.command("traces")
def traces(
    files: list[Path] = typer.Argument(
        ..., help="OTLP/JSON trace files (the collector's file exporter: a request per line).", show_default=False
    ),
    scenario_path: Path = typer.Option(
        ..., "--scenario", help="Scenario whose agents and tools the traces are mapped onto.", show_default=False
    ),
    map_path: Path | None = typer.Option(
        None, "--map", help="YAML of tool-name patterns -> tool, action, resource (and agent patterns)."
    ),
    arrivals: str = typer.Option(
        "replay", "--arrivals", help="'replay' the recorded arrivals exactly, or fit a daily/weekly 'profile'."
    ),
    max_spans: int = typer.Option(5_000_000, "--max-spans", min=1, help="Refuse files with more spans than this."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Scenario file to write; stdout if omitted."),
) -> None:
    """GenAI spans: task types per agent and tool sequence, empirical step durations, arrivals, observed use."""
    from workbench.importers import import_traces, load_trace_map, read_traces, yaml_text
    from workbench.model import load_scenario

    if arrivals not in ("replay", "profile"):
        raise typer.BadParameter("expected 'replay' or 'profile'", param_hint="--arrivals")
    scenario = load_scenario(scenario_path)
    trace_map = load_trace_map(map_path) if map_path is not None else None
    read = read_traces(files, max_spans=max_spans)
    result = import_traces(read, scenario, trace_map, arrivals=arrivals)  # type: ignore[arg-type]
    sources = ", ".join(path.name for path in files)
    header = (
        f"Generated by `workbench import traces {sources} --scenario {scenario_path.name}"
        + (f" --map {map_path.name}" if map_path is not None else "")
        + f" --arrivals {arrivals}`: edit {scenario_path.name} and import again.\n"
        + _base_prose(scenario_path)
    )
    _emit(result.document, header=header.rstrip("\n"), out=out)
    console = stderr()
    console.print(
        f"{'wrote ' + str(out) if out is not None else 'imported'}: {result.task_types} task type(s) from "
        f"{result.root_tasks} task(s) and {result.sub_tasks} sub-task(s), {result.tool_calls} tool call(s) "
        f"({result.retries} retried, {result.failed_calls} failed); arrivals {arrivals}, time 0 = "
        f"{result.origin.isoformat()}",
        markup=False,
    )
    if result.idle_tasks:
        console.print(f"{result.idle_tasks} task(s) made no mapped tool call and are not simulated", markup=False)
    unmapped = result.document["observed"]["unmapped"]
    if unmapped:
        console.print(
            f"{result.unmapped_calls} span(s) map onto nothing in the scenario (listed under observed.unmapped):",
            markup=False,
        )
        for line in yaml_text({"unmapped": unmapped[:10]}).splitlines()[1:]:
            console.print(line, markup=False)
        if len(unmapped) > 10:
            console.print(f"  ... and {len(unmapped) - 10} more", markup=False)


def _base_prose(path: Path) -> str:
    """The comment block a scenario file starts with (its purpose, what to expect), to carry into an import."""
    from workbench.importers.merge import leading_comments

    lines = [line for line in leading_comments(path) if not line.startswith("yaml-language-server:")]
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def _merged_header(merge: list[Path], header: str) -> str:
    from workbench.importers.merge import leading_comments, merged_header

    return merged_header([leading_comments(path) for path in merge], header)


def _load_overlay(path: Path) -> dict[str, Any]:
    from workbench.importers import load_overlay

    return load_overlay(path)


def _date(text: str | None, overlays: list[dict[str, Any]]) -> dt.date:
    if text is not None:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise typer.BadParameter("expected a date as YYYY-MM-DD", param_hint="--as-of") from None
    for overlay in reversed(overlays):  # the last overlay that has a date wins, as it does in the merge
        if isinstance(overlay.get("as_of"), dt.date | str):
            try:
                return dt.date.fromisoformat(str(overlay["as_of"]))
            except ValueError:
                break  # the merged scenario's validation reports it
    return dt.datetime.now(dt.UTC).date()


def _write(
    scenario: Any, overlays: list[dict[str, Any]], *, out: Path | None, source: Any, header: str, name: str | None
) -> None:
    from workbench.importers import merge_overlay, scenario_document

    if overlays:
        header += "\nGenerated: edit the files given to --merge, not this one, and import again."
    document = scenario_document(scenario)
    for overlay in overlays:
        document = merge_overlay(document, overlay, source=source)
    if overlays and name is not None:
        document["name"] = name
    _emit(document, header=header, out=out, validated=None if overlays else scenario)
    if out is not None:
        counts = ", ".join(f"{len(document.get(key, []))} {key}" for key in ("agents", "tools", "secrets", "roles"))
        stderr().print(f"wrote {out} ({counts})", markup=False)


def _emit(document: dict[str, Any], *, header: str, out: Path | None, validated: Any = None) -> None:
    """The checked scenario YAML, headed by `header`, written whole to `out` or to stdout; nothing on bad input."""
    from workbench.importers import render_scenario
    from workbench.report.atomic import atomic_write_text

    if out is not None:  # editors validate and complete the file against the schema beside the package
        schema = Path(__file__).resolve().parents[1] / "model" / "scenario.schema.json"
        relative = Path(os.path.relpath(schema, out.resolve().parent)).as_posix()
        header = f"yaml-language-server: $schema={relative}\n{header}"
    target = str(out) if out is not None else "<stdout>"
    base_dir = out.parent if out is not None else Path(os.getcwd())
    text = render_scenario(document, header=header, file=target, base_dir=base_dir, validated=validated)
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text)
