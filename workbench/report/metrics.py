"""The simulation metrics a report compares designs on: names, labels, units, and which way is better.

Declared once so the tables, figures, diff and results.json name metrics the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COMPARISON_METRICS", "EXPOSURE", "HEADLINE_METRICS", "LATENCY_P95", "Metric", "metric"]


@dataclass(frozen=True)
class Metric:
    """A run metric as the report shows it; `lower_is_better` decides what counts as a regression."""

    name: str
    label: str
    unit: str
    lower_is_better: bool = True
    headline: bool = False


EXPOSURE = "exposure_score_h"
LATENCY_P95 = "latency_p95_s"

COMPARISON_METRICS: tuple[Metric, ...] = (
    Metric(EXPOSURE, "Exposure", "score-h", headline=True),
    Metric("held_exposure_score_h", "Held exposure", "score-h", headline=True),
    Metric("realised_damage", "Realised damage", "score", headline=True),
    Metric("realised_damage_distinct", "Distinct damage", "score"),
    Metric("reachable_score_mean", "Reach at compromise", "score", headline=True),
    Metric("dwell_h_mean", "Dwell time", "h"),
    Metric(LATENCY_P95, "p95 latency", "s", headline=True),
    Metric("latency_mean_s", "Mean latency", "s"),
    Metric("overhead_mean_s", "Governance overhead", "s", headline=True),
    Metric("denied_rate", "Tasks denied or timed out", "fraction", headline=True),
    Metric("step_ups", "Step-ups", "count"),
    Metric("approver_utilisation", "Approver utilisation", "fraction"),
    Metric("tokens_issued", "Tokens issued", "count"),
    Metric("standing_privilege_score_s", "Standing privilege", "score-s"),
    Metric("token_privilege_score_s", "Token privilege", "score-s"),
)
"""Metrics compared across designs, in display order (those the simulation did not produce are skipped)."""

HEADLINE_METRICS: tuple[str, ...] = tuple(m.name for m in COMPARISON_METRICS if m.headline)

_BY_NAME = {m.name: m for m in COMPARISON_METRICS}


def metric(name: str) -> Metric:
    """The declared metric, or a plain one named after the column for metrics the report does not know."""
    return _BY_NAME.get(name) or Metric(name, name.replace("_", " "), "")
