"""The security/latency trade-off: exposure against p95 latency, one point per design with its 95% CIs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.viz.palette import design_colours, design_markers

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
    families: Mapping[str, str] | None = None,
    latency_budget_s: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Each design at (p95 latency, exposure) with error bars, labelled; lower left is better on both.

    `families` maps a design to its family (every grid point of a swept JIT design is "jit"): a colour per
    family and a marker per member, instead of a colour per point that a dozen points would reuse.
    `latency_budget_s` draws the scenario's p95 latency budget as a vertical line, designs right of it over.
    """
    if ax is None:
        ax = Figure(figsize=(7.5, 4.2), layout="constrained").add_subplot()  # room for the legend outside
    designs = [d for d in latency_p95_s if d in exposure]
    colours, markers = _styles(list(latency_p95_s), families)
    for design in designs:
        x, y = latency_p95_s[design], exposure[design]
        ax.errorbar(
            [x.mean], [y.mean],
            xerr=[[max(x.mean - x.low, 0.0)], [max(x.high - x.mean, 0.0)]],
            yerr=[[max(y.mean - y.low, 0.0)], [max(y.high - y.mean, 0.0)]],
            fmt=markers[design], color=colours[design], capsize=3, label=design, markersize=7, alpha=0.9,
        )  # fmt: skip
    for group in _coincident(designs, latency_p95_s, exposure):
        point = (latency_p95_s[group[0]].mean, exposure[group[0]].mean)
        ax.annotate(" ≈ ".join(group), point, xytext=(8, -12), textcoords="offset points", fontsize=7, color="#444444")
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
    if latency_budget_s is not None:
        low, high = ax.get_xlim()
        high = max(high, latency_budget_s * 1.2)
        ax.axvline(latency_budget_s, color="#444444", linestyle="--", linewidth=1.0, zorder=0,
                   label=f"p95 latency budget ({latency_budget_s:g} s)")  # fmt: skip
        ax.axvspan(latency_budget_s, high, color="#999999", alpha=0.12, zorder=0, linewidth=0)
        ax.set_xlim(low, high)
    if designs:
        # A legend, not text beside each point: designs with similar numbers would print over each other.
        # Outside the axes, so it never covers a point.
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return ax


def _styles(designs: list[str], families: Mapping[str, str] | None) -> tuple[dict[str, str], dict[str, str]]:
    """A colour and a marker per design: by position, or a colour per family and a marker per member."""
    if families is None:
        return design_colours(designs), design_markers(designs)
    names = list(dict.fromkeys(families.get(d, d) for d in designs))
    family_colour = design_colours(names)
    members: dict[str, list[str]] = {}
    for design in designs:
        members.setdefault(families.get(design, design), []).append(design)
    colours = {d: family_colour[families.get(d, d)] for d in designs}
    markers = {d: m for group in members.values() for d, m in design_markers(group).items()}
    return colours, markers


def _coincident(
    designs: list[str], latency: Mapping[str, Estimate], exposure: Mapping[str, Estimate], tolerance: float = 0.05
) -> list[list[str]]:
    """Groups of two or more designs whose points are within `tolerance` (relative) on both axes."""

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-12)

    groups: list[list[str]] = []
    for design in designs:
        for group in groups:
            first = group[0]
            if close(latency[design].mean, latency[first].mean) and close(exposure[design].mean, exposure[first].mean):
                group.append(design)
                break
        else:
            groups.append([design])
    return [group for group in groups if len(group) > 1]
