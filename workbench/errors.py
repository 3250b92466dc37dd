"""The one exception root of workbench, and the structured problem every user-facing error carries.

The CLI maps these to exit codes (3 for an invalid scenario, 4 for anything internal); nothing else in the
package catches broad exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workbench.escaping import printable, shortened

__all__ = [
    "PolicyError",
    "Problem",
    "ProblemsError",
    "RuleError",
    "ScenarioError",
    "WorkbenchError",
]

MAX_SHOWN_PATH = 1_000
"""Most characters of a problem's file name or field path shown (a longer one is cut, with an ellipsis)."""
MAX_SHOWN_MESSAGE = 2_000
"""Most characters of a problem's message shown."""


class WorkbenchError(Exception):
    """Root of every error workbench raises on purpose.

    Every subclass can be rebuilt from its `args` (`type(error)(*error.args)`): SimPy re-raises an exception
    from inside a process that way, and pickle (process pools, dask) rebuilds it that way too. So a subclass
    keeps its constructor's arguments as `args` and formats its message in `__str__`.
    """


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located precisely enough for an editor to jump to it."""

    file: str
    line: int
    column: int
    path: str
    message: str
    code: str

    def __str__(self) -> str:
        """`FILE:LINE:COL: path: message [code]` on one line, whatever the file name, path or message hold.

        Each part is cut to a bounded length: an input can name a field or key megabytes long, and the line
        it gets must still fit a terminal and a CI log.
        """
        file, where = shortened(self.file, MAX_SHOWN_PATH), shortened(self.path or "<document>", MAX_SHOWN_PATH)
        message = shortened(self.message, MAX_SHOWN_MESSAGE)
        return f"{file}:{self.line}:{self.column}: {where}: {message} [{printable(self.code)}]"


class ProblemsError(WorkbenchError):
    """An error carrying every problem found in some input, each located at its file:line:col."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(self.problems)  # args = (problems,): rebuilt whole by `type(e)(*e.args)`

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class ScenarioError(ProblemsError):
    """A scenario (or another input file) is invalid; carries every problem found, not just the first."""


class PolicyError(ScenarioError):
    """A policy file (e.g. Cedar) referenced by a scenario is invalid."""


class RuleError(WorkbenchError):
    """A finding rule could not be evaluated. Raised loudly: a broken rule must never yield 'no finding'."""
