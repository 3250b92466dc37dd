"""The `workbench` command: a thin shell that parses arguments, calls the public API and maps errors to exit
codes (0 ok, 1 findings at/above threshold, 2 usage, 3 invalid scenario, 4 internal).

Heavy modules (simulation, reports) are imported inside the commands so `workbench --help` stays fast.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback

import typer

from workbench.cli import (
    export_commands,
    graph_commands,
    import_commands,
    model_commands,
    report_commands,
    simulate_commands,
    suggest_commands,
    sweep_commands,
)
from workbench.cli._shell import Command, ExitCode, Group, click_exceptions, stderr
from workbench.errors import ScenarioError, WorkbenchError
from workbench.escaping import printable
from workbench.report.atomic import OutputPathError

__all__ = ["app", "main"]

app = typer.Typer(
    name="workbench",
    help="Model the access of AI agents, simulate control designs, and report findings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=Group,
)
model_commands.register(app)
graph_commands.register(app)
simulate_commands.register(app)
report_commands.register(app)
sweep_commands.register(app)
import_commands.register(app)
export_commands.register(app)
suggest_commands.register(app)
for _commands in (app, import_commands.import_app, export_commands.export_app, suggest_commands.suggest_app):
    for _info in _commands.registered_commands:
        if _info.cls in (None, typer.core.TyperCommand):
            _info.cls = Command  # help screens show flags without a type (see `_shell.Command`)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script; never shows a traceback for bad input."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code (used by tests)."""
    try:
        return _run(argv)
    except MemoryError:
        pass  # leaving the handler drops the traceback, and with it the frames holding what filled memory
    _last_line("internal error: out of memory (fewer replications, a shorter horizon or lower rates need less)")
    return ExitCode.INTERNAL


def _run(argv: list[str] | None) -> int:
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="workbench", standalone_mode=False)
    except click_exceptions.UsageError as error:
        error.show()
        return ExitCode.USAGE
    except typer.Abort:
        stderr().print("aborted")
        return ExitCode.INTERNAL
    except typer.Exit as exit_:
        return int(exit_.exit_code)
    except ScenarioError as error:
        console = stderr()
        for problem in error.problems:
            console.print(str(problem), markup=False)
        count = len(error.problems)
        console.print(f"{count} problem{'s' if count != 1 else ''} found", markup=False)
        return ExitCode.INVALID_SCENARIO
    except OutputPathError as error:
        stderr().print(f"error: output {error}")
        return ExitCode.USAGE
    except WorkbenchError as error:
        stderr().print(f"error: {error}", markup=False)
        return ExitCode.INTERNAL
    except MemoryError:
        raise  # handled in `run`, once the traceback is gone
    except Exception as error:  # the last line of defence: report, never dump a traceback on users
        if os.environ.get("WORKBENCH_DEBUG"):
            traceback.print_exc()
        name = type(error).__name__
        try:
            detail = str(error)
        except Exception:  # an error whose message cannot be formatted is still one line
            detail = "(message unavailable)"
        del error
        _last_line(f"internal error: {name}: {detail} (set WORKBENCH_DEBUG=1 for details)")
        return ExitCode.INTERNAL
    return int(result or 0)


def _last_line(message: str) -> None:
    """One line on stderr, control characters escaped, written even when little memory is left."""
    data = (printable(message[:2000]) + "\n").encode("utf-8", "replace")
    with contextlib.suppress(Exception):  # a broken or closed stderr: the exit code still says it
        sys.stderr.flush()
    try:
        os.write(sys.stderr.fileno(), data)
    except Exception:  # no file descriptor (a test's captured stream): the stream's own write
        with contextlib.suppress(Exception):
            sys.stderr.write(data.decode("utf-8"))
