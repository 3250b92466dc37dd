"""The `workbench` command: a thin shell that parses arguments, calls the public API and maps errors to exit
codes (0 ok, 1 findings at/above threshold, 2 usage, 3 invalid scenario, 4 internal).

Heavy modules (simulation, reports) are imported inside the commands so `workbench --help` stays fast.
"""

from __future__ import annotations

import os
import sys
import traceback

import typer

from workbench.cli import graph_commands, model_commands, report_commands, simulate_commands, sweep_commands
from workbench.cli._shell import ExitCode, click_exceptions, stderr
from workbench.errors import ScenarioError, WorkbenchError

__all__ = ["app", "main"]

app = typer.Typer(
    name="workbench",
    help="Model the access of AI agents, simulate control designs, and report findings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
model_commands.register(app)
graph_commands.register(app)
simulate_commands.register(app)
report_commands.register(app)
sweep_commands.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script; never shows a traceback for bad input."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code (used by tests)."""
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
    except WorkbenchError as error:
        stderr().print(f"error: {error}", markup=False)
        return ExitCode.INTERNAL
    except Exception as error:  # the last line of defence: report, never dump a traceback on users
        if os.environ.get("WORKBENCH_DEBUG"):
            traceback.print_exc()
        stderr().print(f"internal error: {type(error).__name__}: {error} (set WORKBENCH_DEBUG=1 for details)")
        return ExitCode.INTERNAL
    return int(result or 0)
