"""Cumulative exposure over simulated time per design: when, not only how much, a design lets damage pile up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.viz.palette import design_colours, design_linestyles

__all__ = ["plot_exposure_over_time"]


def plot_exposure_over_time(
    times_h: Sequence[float],
    exposure: Mapping[str, Sequence[float]],
    *,
    unit: str = "score-hours",
    ax: Axes | None = None,
) -> Axes:
    """Lines of `exposure[design][i]`, the mean cumulative exposure at `times_h[i]` across replications."""
    if ax is None:
        ax = Figure(figsize=(7.0, 3.6)).add_subplot()
    colours = design_colours(list(exposure))
    styles = design_linestyles(list(exposure))
    for design, values in exposure.items():
        ax.plot(times_h, values, color=colours[design], linestyle=styles[design], label=design, linewidth=1.6)
    ax.set_xlabel("simulated time (h)")
    ax.set_ylabel(f"cumulative exposure ({unit})")
    ax.set_title("Exposure over time (mean over replications)")
    if times_h:
        ax.set_xlim(0.0, max(times_h))
    ax.set_ylim(bottom=0.0)
    if exposure:
        ax.legend(loc="upper left", frameon=False)
    return ax
