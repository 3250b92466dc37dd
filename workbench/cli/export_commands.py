"""`workbench export cedar-schema|cedar`: a scenario as Cedar a team can use.

A thin shell over `workbench.policy`: load the scenario, derive, print or write. Bad input exits 3 with every
problem located; a folder is written whole or not at all.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from workbench.cli._shell import Group, stderr

__all__ = ["register"]

export_app = typer.Typer(
    name="export",
    help="Write a scenario out as Cedar: its schema, or a design's policies.",
    no_args_is_help=True,
    cls=Group,
)


class SchemaFormat(enum.StrEnum):
    """The two forms Cedar reads a schema in."""

    human = "human"
    json = "json"


def register(app: typer.Typer) -> None:
    """Add `workbench export` and its subcommands to the app."""
    app.add_typer(export_app, name="export")


@export_app.command()  # named after the function: cedar-schema
def cedar_schema(
    file: Path = typer.Argument(..., help="Scenario file."),
    fmt: SchemaFormat = typer.Option(
        SchemaFormat.human, "--format", "-f", help="human (.cedarschema) or json (Cedar's JSON schema)."
    ),
    namespace: str | None = typer.Option(
        None,
        "--namespace",
        help="Cedar namespace of the types and actions (e.g. Acme::Agents); default: none.",
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Print the Cedar schema derived from the scenario: entity types with their attributes and tags, the
    role and resource hierarchies, the read-only and mutating action groups, and the request context."""
    import json

    from workbench.model import load_scenario
    from workbench.policy.cedar_schema import cedar_schema_json, cedar_schema_text
    from workbench.report.atomic import atomic_write_text

    chosen = _namespace(namespace)
    scenario = load_scenario(file)
    if fmt is SchemaFormat.json:
        text = json.dumps(cedar_schema_json(scenario, namespace=chosen), indent=2) + "\n"
    else:
        text = cedar_schema_text(scenario, namespace=chosen)
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text)
        stderr().print(f"wrote {out}", markup=False)


def _namespace(value: str | None) -> str | None:
    """A --namespace value checked as the scenario's `namespace:` field is (usage error otherwise)."""
    from pydantic import TypeAdapter, ValidationError

    from workbench.escaping import quote
    from workbench.model.controls import CedarNamespace

    if value is None:
        return None
    try:
        return TypeAdapter(CedarNamespace).validate_python(value)
    except ValidationError:
        raise typer.BadParameter(
            f"{quote(value[:100])} is not a Cedar namespace (identifiers joined by '::', e.g. Acme::Agents)",
            param_hint="--namespace",
        ) from None


@export_app.command()  # named after the function
def cedar(
    file: Path = typer.Argument(..., help="Scenario file."),
    design: str = typer.Option(..., "--design", help="Label of the control design to export (e.g. intent_aware_jit)."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Folder to write schema.cedarschema, policies.cedar, entities.json."
    ),
) -> None:
    """Write a design of the scenario as deployable Cedar: intent-aware permits per task type, forbids for
    blocked actions, step-up as a condition on a live approval, the token lifetime as a comment."""
    from workbench.errors import PolicyError, Problem
    from workbench.escaping import quote
    from workbench.model import load_scenario
    from workbench.policy.cedar_export import cedar_export
    from workbench.report.atomic import atomic_write_text, check_output_dir
    from workbench.sim.engine import standing_source
    from workbench.sim.reach import ReachIndex

    folder = check_output_dir(out)
    scenario = load_scenario(file)
    control = next((c for c in scenario.controls if c.label == design), None)
    if control is None:
        known = ", ".join(quote(label) for label in scenario.control_labels) or "none"
        message = f"no design {quote(design)} in the scenario (designs: {known})"
        raise PolicyError([Problem(str(file), 1, 1, "--design", message, "unknown-design")])
    export = cedar_export(scenario, control, standing=standing_source(ReachIndex(scenario)))
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (
        ("schema.cedarschema", export.schema),
        ("policies.cedar", export.policies),
        ("entities.json", export.entities),
    ):
        atomic_write_text(folder / name, text)
    stderr().print(f"wrote {folder}/schema.cedarschema, policies.cedar, entities.json", markup=False)
