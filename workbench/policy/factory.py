"""One entry point from a scenario's `controls:` entry to a ready control design.

Each kind's design lives in the module named after it, `workbench.policy.<kind>`, which exposes `build`
(see `DesignBuilder`). So adding a design is one module here and one member of `model.controls.Control`:
this factory has no list of kinds and no `match` whose arm order could matter.
"""

from __future__ import annotations

import importlib
from typing import Protocol, cast

from workbench.model import Control, Scenario
from workbench.policy.base import ControlDesign
from workbench.policy.standing import Standing

__all__ = ["DesignBuilder", "build_design", "build_designs", "builder_of"]


class DesignBuilder(Protocol):
    """`build(scenario, control, *, standing, where)` of a design module.

    `standing` gives each identity's effective permissions (graph's index): what RBAC designs allow and the
    upper bound of what JIT and Cedar designs may issue. `where` locates the control in the scenario
    (`controls[2]`), for designs that read files named there.
    """

    def __call__(self, scenario: Scenario, control: Control, *, standing: Standing, where: str) -> ControlDesign:
        """The design `control` describes, bound to `scenario`."""
        ...


def builder_of(kind: str) -> DesignBuilder:
    """The `build` function of `workbench.policy.<kind>` (the module of that kind's design)."""
    module = importlib.import_module(f"workbench.policy.{kind}")
    return cast(DesignBuilder, module.build)


def build_design(scenario: Scenario, control: Control, *, standing: Standing) -> ControlDesign:
    """The design `control` describes, bound to `scenario`. Raises PolicyError for an invalid policy file."""
    return builder_of(control.kind)(scenario, control, standing=standing, where=_path_of(scenario, control))


def build_designs(scenario: Scenario, *, standing: Standing) -> list[ControlDesign]:
    """Every design of `scenario`, in scenario order."""
    return [build_design(scenario, control, standing=standing) for control in scenario.controls]


def _path_of(scenario: Scenario, control: Control) -> str:
    for index, candidate in enumerate(scenario.controls):
        if candidate is control:
            return f"controls[{index}]"
    for index, candidate in enumerate(scenario.controls):
        if candidate == control:
            return f"controls[{index}]"
    return "controls[?]"
