"""What one permission weighs and how risky a weight is: the scoring rules of docs/architecture.md.

Kept free of networkx and numpy so that the policy and simulation layers can import it cheaply: a request's
risk and a blast radius's score must come from the same weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.model.assets import Dataset, Secret, Tool
from workbench.model.common import RiskLevel

if TYPE_CHECKING:
    from workbench.model.scenario import Scenario

__all__ = ["RISK_THRESHOLDS", "asset_weight", "permission_weight", "risk_level"]

RISK_THRESHOLDS: tuple[tuple[float, RiskLevel], ...] = ((3.0, "low"), (10.0, "medium"), (30.0, "high"))
"""Exclusive upper bound of each level below critical (low < 3, medium < 10, high < 30, critical >= 30)."""


def risk_level(weight: float) -> RiskLevel:
    """Risk level of a request or permission of this weight.

    >>> risk_level(2.9), risk_level(3.0), risk_level(29.99), risk_level(30.0)
    ('low', 'medium', 'high', 'critical')
    """
    for bound, level in RISK_THRESHOLDS:
        if weight < bound:
            return level
    return "critical"


def asset_weight(scenario: Scenario, resource: str) -> float:
    """Sensitivity weight times value of a dataset or secret (secrets have value 1); 0 for a tool.

    Tools are conduits: what they reach is counted, not the tool itself. An unknown resource raises KeyError.
    """
    item = scenario.by_id.get(resource)
    sensitivity = scenario.weights.sensitivity
    if isinstance(item, Dataset):
        return float(sensitivity[item.sensitivity] * item.value)
    if isinstance(item, Secret):
        return float(sensitivity[item.sensitivity])
    if isinstance(item, Tool):
        return 0.0
    raise KeyError(f"'{resource}' is not a dataset, secret or tool of scenario '{scenario.name}'")


def permission_weight(scenario: Scenario, action: str, resource: str) -> float:
    """Weight of one (action, resource) permission: sensitivity × value × action criticality.

    This is both the risk weight of a single request and one term of a blast-radius score.
    """
    try:
        factor = scenario.weights.action[action]  # type: ignore[index]
    except KeyError:
        raise KeyError(f"'{action}' is not an action (wildcards must be expanded first)") from None
    return asset_weight(scenario, resource) * float(factor)
