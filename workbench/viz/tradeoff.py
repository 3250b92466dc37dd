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
            fmt="o", color=colours[design], capsize=3,
        )  # fmt: skip
        ax.annotate(design, (x.mean, y.mean), xytext=(6, 4), textcoords="offset points", fontsize=8)
    ax.set_xlabel("p95 task latency (s)")
    ax.set_ylabel(f"exposure per run ({exposure_unit})")
    ax.set_title("Trade-off: exposure against p95 latency (95% CIs)")
    ax.set_xlim(left=0.0)
    ax.set_ylim(bottom=0.0)
    return ax  # no legend: every point is labelled with its design
