"""`workbench validate` and `workbench schema`: the scenario language from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from workbench.cli._shell import ExitCode, stderr, stdout
from workbench.errors import Problem, ScenarioError

__all__ = ["register"]

MAX_WARNINGS_SHOWN = 50
"""Warnings printed per file; an import of 5,000 laptops would otherwise print 5,000 of them."""


def register(app: typer.Typer) -> None:
    """Add the scenario-language commands to the app."""
    app.command("validate")(validate)
    app.command("schema")(schema)


def validate(
    files: list[Path] = typer.Argument(..., help="Scenario files to validate.", show_default=False),
) -> None:
    """Validate scenario files; report every problem at once, as FILE:LINE:COL: path: message and a code.

    What an import left to fill in (an imported agent's owner or purpose) and a Cedar policy that can never
    apply are warnings: shown, exit 0.
    """
    from workbench.model import load_scenario
    from workbench.model.todos import todo_warnings
    from workbench.policy import check_policies
    from workbench.report.numbers import fmt_count

    problems: list[Problem] = []
    out = stdout()
    for file in files:
        try:
            scenario = load_scenario(file)
            policy_warnings = check_policies(scenario)
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        counts = (
            fmt_count(len(scenario.agents), "agent"),
            fmt_count(len(scenario.tools), "tool"),
            fmt_count(len(scenario.datasets), "dataset"),
            fmt_count(len(scenario.secrets), "secret"),
            fmt_count(len(scenario.controls), "control design"),
        )
        for policy_warning in policy_warnings:
            stderr().print(f"warning: {policy_warning}", markup=False)
        warnings = todo_warnings(scenario)
        for warning in warnings[:MAX_WARNINGS_SHOWN]:
            stderr().print(f"warning: {warning}", markup=False)
        if len(warnings) > MAX_WARNINGS_SHOWN:
            stderr().print(f"warning: ... and {len(warnings) - MAX_WARNINGS_SHOWN:,} more like these", markup=False)
        todos = f" ({fmt_count(len(warnings), 'TODO warning')})" if warnings else ""
        out.print(f"ok {file}: {', '.join(counts)}{todos}", markup=False)
    if problems:
        raise ScenarioError(problems)


def schema(
    markdown: bool = typer.Option(False, "--markdown", help="Write the field reference instead of JSON Schema."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Print the scenario JSON Schema (draft-07), or the Markdown field reference."""
    from workbench.model import field_reference_markdown, scenario_json_schema_text
    from workbench.report.atomic import atomic_write_text

    text = field_reference_markdown() if markdown else scenario_json_schema_text()
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text)
        stderr().print(f"wrote {out}", markup=False)
    raise typer.Exit(ExitCode.OK)
