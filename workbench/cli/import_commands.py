"""`workbench import mcp|...`: inventories in, a scenario YAML out (`-o FILE`, or stdout).

A thin shell over `workbench.importers`: read, import, merge into `--merge OVERLAY`, check, write. Bad input
exits 3 with every problem as FILE:LINE:COL: /json/pointer: message; nothing is written then.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import typer

from workbench.cli._shell import stderr

__all__ = ["register"]

import_app = typer.Typer(
    name="import",
    help="Import agents, tools, secrets and permissions from inventories as a scenario YAML.",
    no_args_is_help=True,
)

_OUT = typer.Option(None, "--out", "-o", help="Scenario file to write; stdout if omitted.")
_MERGE = typer.Option(
    [],
    "--merge",
    help="Scenario to merge into: its hand-written entities and settings are kept. Repeat it to lay several "
    "in turn (an earlier import of another source, then your overlay): the last one wins.",
)
_AS_OF = typer.Option(
    None, "--as-of", help="The date the scenario describes (YYYY-MM-DD); default: the overlay's, else today (UTC)."
)
_NAME = typer.Option(None, "--name", help="Scenario name; default: the overlay's, else imported-SOURCE.")


def register(app: typer.Typer) -> None:
    """Add `workbench import` and its subcommands to the app."""
    app.add_typer(import_app, name="import")


@import_app.command("mcp")
def mcp(
    paths: list[Path] = typer.Argument(..., help="MCP client configs, or folders to scan.", show_default=False),
    out: Path | None = _OUT,
    merge: list[Path] = _MERGE,
    as_of: str | None = _AS_OF,
    name: str | None = _NAME,
    salt: str | None = typer.Option(
        None,
        "--salt",
        envvar="WORKBENCH_IMPORT_SALT",
        help="Salt of the secret fingerprints (keep it private and the same across imports).",
    ),
) -> None:
    """Claude Desktop, Claude Code, Cursor, VS Code and Windsurf configs: agents, MCP servers, secrets."""
    from workbench.importers import import_mcp, read_configs
    from workbench.importers.mcp import DEFAULT_SALT

    overlay = _overlay(merge)
    configs = read_configs(paths)
    scenario = import_mcp(
        configs,
        as_of=_date(as_of, overlay),
        name=name or "imported-mcp",
        salt=salt or DEFAULT_SALT,
    )
    header = f"Imported by `workbench import mcp` from {len(configs)} MCP client config(s)."
    _write(scenario, overlay, out=out, source="mcp", header=header, name=name)


@import_app.command("aws-iam")
def aws_iam(
    file: Path = typer.Argument(..., help="JSON of `aws iam get-account-authorization-details`.", show_default=False),
    out: Path | None = _OUT,
    merge: list[Path] = _MERGE,
    as_of: str | None = _AS_OF,
    name: str | None = _NAME,
) -> None:
    """IAM users, groups, roles and policies: service accounts, roles, agent roles, blocked actions."""
    from workbench.importers import import_aws_iam, read_json

    overlay = _overlay(merge)
    scenario = import_aws_iam(read_json(file), as_of=_date(as_of, overlay), name=name or "imported-aws-iam")
    header = f"Imported by `workbench import aws-iam` from {file.name}."
    _write(scenario, overlay, out=out, source="aws-iam", header=header, name=name)


@import_app.command("k8s")
def k8s(
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
    out: Path | None = _OUT,
    merge: list[Path] = _MERGE,
    as_of: str | None = _AS_OF,
    name: str | None = _NAME,
) -> None:
    """Service accounts, RBAC bindings in their scope, and the workloads that are agents."""
    from workbench.importers import import_k8s, read_json

    overlay = _overlay(merge)
    scenario = import_k8s(
        read_json(file),
        as_of=_date(as_of, overlay),
        name=name or "imported-k8s",
        agent_label=agent_label,
        agent_annotation=agent_annotation,
    )
    header = f"Imported by `workbench import k8s` from {file.name}."
    _write(scenario, overlay, out=out, source="k8s", header=header, name=name)


@import_app.command("opengraph")
def opengraph(
    file: Path = typer.Argument(
        ..., help="BloodHound OpenGraph JSON (AgentHound, BloodHound, workbench).", show_default=False
    ),
    out: Path | None = _OUT,
    merge: list[Path] = _MERGE,
    as_of: str | None = _AS_OF,
    name: str | None = _NAME,
) -> None:
    """OpenGraph nodes and edges: entities by kind, edges as the roles, secrets, tools and grants they draw."""
    from workbench.importers import import_opengraph, read_json

    overlay = _overlay(merge)
    scenario = import_opengraph(read_json(file), as_of=_date(as_of, overlay), name=name or "imported-opengraph")
    header = f"Imported by `workbench import opengraph` from {file.name}."
    _write(scenario, overlay, out=out, source="opengraph", header=header, name=name)


def _overlay(merge: list[Path]) -> list[dict[str, Any]]:
    from workbench.importers import load_overlay

    return [load_overlay(path) for path in merge]


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
    from workbench.importers import merge_overlay, render_scenario, scenario_document
    from workbench.report.atomic import atomic_write_text

    if overlays:
        header += "\nGenerated: edit the files given to --merge, not this one, and import again."
    document = scenario_document(scenario)
    for overlay in overlays:
        document = merge_overlay(document, overlay, source=source)
    if overlays and name is not None:
        document["name"] = name
    if out is not None:  # editors validate and complete the file against the schema beside the package
        schema = Path(__file__).resolve().parents[1] / "model" / "scenario.schema.json"
        relative = Path(os.path.relpath(schema, out.resolve().parent)).as_posix()
        header = f"yaml-language-server: $schema={relative}\n{header}"
    target = str(out) if out is not None else "<stdout>"
    base_dir = out.parent if out is not None else Path(os.getcwd())
    validated = None if overlays else scenario
    text = render_scenario(document, header=header, file=target, base_dir=base_dir, validated=validated)
    if out is None:
        sys.stdout.write(text)
        return
    atomic_write_text(out, text)
    counts = ", ".join(f"{len(document.get(key, []))} {key}" for key in ("agents", "tools", "secrets", "roles"))
    stderr().print(f"wrote {out} ({counts})", markup=False)
