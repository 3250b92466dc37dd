"""What every command shares: exit codes, error printing, and output that is rich on a terminal and clean
when piped."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from workbench.escaping import printable

try:  # typer 0.2x vendors click; its exceptions are the ones commands raise
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

__all__ = [
    "Command",
    "ExitCode",
    "Group",
    "MaxEventsOption",
    "click_exceptions",
    "emit_rows",
    "stderr",
    "stdout",
]


class ExitCode(IntEnum):
    """Exit codes of the `workbench` command; CI scripts rely on them."""

    OK = 0
    FINDINGS = 1  # findings at or above --fail-on
    USAGE = 2
    INVALID_SCENARIO = 3
    INTERNAL = 4


class _FlagsTakeNoValue:
    """Help screens show a flag as `--soft-fail`, not `--soft-fail <bool>`: a flag takes no value to type.

    typer's rich help prints every option's type, flags' `<bool>` included (the built-in `--help` too); an
    empty metavar is what it prints instead.
    """

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]  # a mixin before a typer class
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


class Command(_FlagsTakeNoValue, TyperCommand):
    """Every `workbench` subcommand's class (`cli.app` sets it on each)."""


class Group(_FlagsTakeNoValue, TyperGroup):
    """The class of `workbench` and of its command groups (`workbench import`)."""


MAX_EVENTS_HELP = (
    "Work budget: most expected simulation events the run may take (default: the scenario's "
    "simulation.max_events, else 20 million); a run estimated above it is refused before it starts."
)


def MaxEventsOption() -> Any:
    """The `--max-events` option every simulating command shares."""
    from workbench.model.scenario import MAX_EVENTS

    return typer.Option(None, "--max-events", min=1, max=MAX_EVENTS, help=MAX_EVENTS_HELP, show_default=False)


class _LiteralConsole(Console):
    """A console that prints text as it is: no markup (`[bold]` in an id would style the output, `[/]`
    raise), no emoji shortcodes (`file.yaml:100:15` printed as `file.yaml💯15`), no highlighting, and every
    control character of a printed string escaped (`workbench.escaping.printable`): each `print` is one line
    that text from a scenario or a file name cannot drive the terminal from, nor break into forged lines."""

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*(printable(o) if isinstance(o, str) else o for o in objects), **options)


def _console(file: Any) -> Console:
    return _LiteralConsole(file=file, soft_wrap=True, highlight=False, markup=False, emoji=False)


def stdout() -> Console:
    """Console for results; plain (no colour, no wrapping) when not a terminal; text printed literally."""
    return _console(sys.stdout)


def stderr() -> Console:
    """Console for diagnostics and progress; text printed literally."""
    return _console(sys.stderr)


def emit_rows(rows: Sequence[dict[str, Any]], *, columns: Sequence[str], fmt: str, title: str | None = None) -> None:
    """Print rows as a rich table, JSON (a list of objects) or CSV, on stdout."""
    if fmt == "json":
        sys.stdout.write(json.dumps([{c: row.get(c) for c in columns} for row in rows], indent=2) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        table = Table(title=None if title is None else printable(title), show_lines=False)
        for column in columns:
            table.add_column(printable(column), overflow="fold")
        for row in rows:
            table.add_row(*(printable(_cell(row.get(c))) for c in columns))
        stdout().print(table)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
