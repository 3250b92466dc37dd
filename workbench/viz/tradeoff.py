"""The security/latency trade-off: exposure against p95 latency, one point per design with its 95% CIs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.viz.palette import design_colours

__all__ = ["Estimate", "plot_tradeoff"]


class Estimate(NamedTuple):
    """A mean and its 95% confidence interval."""

    mean: float
    low: float
    high: float


def plot_tradeoff(
    latency_p95_s: Mapping[str, Estimate],
    exposure: Mapping[str, Estimate],
    *,
    exposure_unit: str = "score-hours",
    ax: Axes | None = None,
) -> Axes:
    """Each design at (p95 latency, exposure) with error bars, labelled; lower left is better on both."""
    if ax is None:
        ax = Figure(figsize=(6.5, 4.2)).add_subplot()
    designs = [d for d in latency_p95_s if d in exposure]
    colours = design_colours(list(latency_p95_s))
    for design in designs:
        x, y = latency_p95_s[design], exposure[design]
        ax.errorbar(
            [x.mean], [y.mean],
            xerr=[[max(x.mean - x.low, 0.0)], [max(x.high - x.mean, 0.0)]],
            yerr=[[max(y.mean - y.low, 0.0)], [max(y.high - y.mean, 0.0)]],
            fmt="o", color=colours[design], capsize=3, label=design,
        )  # fmt: skip
    ax.set_xlabel("p95 task latency (s)")
    ax.set_ylabel(f"exposure per run ({exposure_unit})")
    ax.set_title("Trade-off: exposure against p95 latency (95% CIs)")
    means = [latency_p95_s[d].mean for d in designs if latency_p95_s[d].mean > 0]
    if means and max(means) > 10 * min(means):
        # Designs often differ by orders of magnitude in latency (seconds vs a human queue): a linear axis
        # would pile the fast ones on top of each other.
        ax.set_xscale("log")
        ax.set_xlabel("p95 task latency (s, log scale)")
    else:
        ax.set_xlim(left=0.0)
    ax.set_ylim(bottom=0.0)
    if designs:
        # A legend, not text beside each point: designs with similar numbers would print over each other.
        ax.legend(loc="best", fontsize=8, frameon=False)
    return ax
