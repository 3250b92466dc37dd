"""What an import leaves for a person to fill in: the facts no inventory holds, reported as warnings.

No MCP config, IAM dump or Kubernetes list says who owns an agent or why it exists. An imported agent
(one with `provenance`) that still has no `owner` or `business_purpose` after the overlay is an open TODO:
the scenario is valid and simulates, so `workbench validate` shows it as a warning and exits 0, and the
importer writes the same TODO as a comment above the agent in the YAML it generates.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.errors import Problem
from workbench.model.scenario import Scenario
from workbench.model.yaml_safe import format_path

__all__ = ["TODO_FIELDS", "ImportTodo", "import_todos", "todo_warnings"]

TODO_FIELDS = ("owner", "business_purpose")
"""The fields of an imported agent that only a person can fill in."""


@dataclass(frozen=True)
class ImportTodo:
    """An imported agent, where it is in the scenario, and which of `TODO_FIELDS` it still lacks."""

    path: tuple[str | int, ...]
    entity_id: str
    missing: tuple[str, ...]

    @property
    def message(self) -> str:
        """One line saying what is missing and where to set it."""
        return (
            f"TODO: imported agent '{self.entity_id}' has no {' and no '.join(self.missing)}; "
            "no inventory says, so set it in the overlay"
        )


def import_todos(scenario: Scenario) -> list[ImportTodo]:
    """The imported agents still missing a `TODO_FIELDS` value, in scenario order."""
    todos = []
    for index, agent in enumerate(scenario.agents):
        if not agent.provenance:
            continue  # hand-written: leaving a field out is the author's choice, and the findings judge it
        missing = tuple(name for name in TODO_FIELDS if getattr(agent, name) is None)
        if missing:
            todos.append(ImportTodo(("agents", index), agent.id, missing))
    return todos


def todo_warnings(scenario: Scenario) -> list[Problem]:
    """Each open TODO as a located problem (`import-todo`), for printing as a warning."""
    warnings = []
    for todo in import_todos(scenario):
        file, line, column = scenario.locate(todo.path)
        warnings.append(Problem(file, line, column, format_path(todo.path), todo.message, "import-todo"))
    return warnings
