"""The one exception root of workbench, and the structured problem every user-facing error carries.

The CLI maps these to exit codes (3 for an invalid scenario, 4 for anything internal); nothing else in the
package catches broad exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PolicyError",
    "Problem",
    "RuleError",
    "ScenarioError",
    "WorkbenchError",
]


class WorkbenchError(Exception):
    """Root of every error workbench raises on purpose."""


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
        where = self.path or "<document>"
        return f"{self.file}:{self.line}:{self.column}: {where}: {self.message} [{self.code}]"


class ScenarioError(WorkbenchError):
    """A scenario could not be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class PolicyError(ScenarioError):
    """A policy file (e.g. Cedar) referenced by a scenario is invalid."""


class RuleError(WorkbenchError):
    """A finding rule could not be evaluated. Raised loudly: a broken rule must never yield 'no finding'."""
