"""Check a scenario's policy files without simulating, so `workbench validate` catches a bad Cedar file."""

from __future__ import annotations

from workbench.errors import PolicyError, Problem
from workbench.model import Scenario
from workbench.policy.factory import build_design

__all__ = ["check_policies"]


def check_policies(scenario: Scenario) -> None:
    """Compile every policy file the scenario's designs reference; raise one PolicyError listing every problem."""
    problems: list[Problem] = []
    for control in scenario.controls:
        if control.kind != "cedar":
            continue
        try:
            build_design(scenario, control, standing=lambda _identity: frozenset())
        except PolicyError as error:
            problems.extend(error.problems)
    if problems:
        raise PolicyError(problems)
