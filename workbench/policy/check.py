"""Check a scenario's policy files without simulating, so `workbench validate` catches a bad Cedar file."""

from __future__ import annotations

from pathlib import Path

from workbench.errors import PolicyError, Problem
from workbench.model import Scenario, load_scenario
from workbench.policy.factory import build_design

__all__ = ["check_policies", "validate"]


def check_policies(scenario: Scenario) -> list[Problem]:
    """Build every design, which compiles the policy files they reference; raise one PolicyError listing
    every problem, else return the designs' warnings (a policy that never applies). Designs without files
    build in microseconds, so no list of kinds is needed here."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for control in scenario.controls:
        try:
            design = build_design(scenario, control, standing=lambda _identity: frozenset())
        except PolicyError as error:
            problems.extend(error.problems)
        else:
            warnings.extend(design.warnings)
    if problems:
        raise PolicyError(problems)
    return warnings


def validate(path: str | Path) -> Scenario:
    """Load a scenario file and compile its policies: everything `workbench validate` checks, in one call."""
    scenario = load_scenario(path)
    check_policies(scenario)
    return scenario
