"""One entry point from a scenario's `controls:` entry to a ready control design.

Adding a design: one module in policy/, one member of model.controls.Control, one arm here.
"""

from __future__ import annotations

from typing import assert_never

from workbench.model import Cedar, Control, IntentAwareJit, Jit, RbacStepUp, Scenario, StaticRbac
from workbench.policy.base import ControlDesign
from workbench.policy.cedar import build_cedar
from workbench.policy.intent_aware_jit import build_intent_aware_jit
from workbench.policy.jit import build_jit
from workbench.policy.rbac_step_up import build_rbac_step_up
from workbench.policy.standing import Standing
from workbench.policy.static_rbac import build_static_rbac

__all__ = ["build_design", "build_designs"]


def build_design(scenario: Scenario, control: Control, *, standing: Standing) -> ControlDesign:
    """The design `control` describes, bound to `scenario`.

    `standing` gives each identity's effective permissions (graph's index): what RBAC designs allow and
    the upper bound of what JIT and Cedar designs may issue. Raises PolicyError for an invalid Cedar file.
    """
    match control:
        case StaticRbac():
            return build_static_rbac(scenario, control, standing=standing)
        case RbacStepUp():
            return build_rbac_step_up(scenario, control, standing=standing)
        case IntentAwareJit():  # before Jit: it is a subclass
            return build_intent_aware_jit(scenario, control, standing=standing)
        case Jit():
            return build_jit(scenario, control, standing=standing)
        case Cedar():
            return build_cedar(scenario, control, standing=standing, control_path=_path_of(scenario, control))
        case _:
            assert_never(control)


def build_designs(scenario: Scenario, *, standing: Standing) -> list[ControlDesign]:
    """Every design of `scenario`, in scenario order."""
    return [build_design(scenario, control, standing=standing) for control in scenario.controls]


def _path_of(scenario: Scenario, control: Control) -> str:
    for index, candidate in enumerate(scenario.controls):
        if candidate is control:
            return f"controls[{index}].policy"
    for index, candidate in enumerate(scenario.controls):
        if candidate == control:
            return f"controls[{index}].policy"
    return "controls[?].policy"
