"""The order of risk levels, so designs can say "at or above high" without comparing strings."""

from __future__ import annotations

from workbench.model import RiskLevel

__all__ = ["RISK_LEVELS", "risk_at_least"]

RISK_LEVELS: tuple[RiskLevel, ...] = ("low", "medium", "high", "critical")
"""Risk levels from least to most severe (the thresholds themselves live in graph.scoring)."""


def risk_at_least(level: str, threshold: str) -> bool:
    """True if `level` is `threshold` or more severe; an unknown level is a caller bug and raises."""
    return RISK_LEVELS.index(level) >= RISK_LEVELS.index(threshold)
