"""Task latency distributions per design, drawn as empirical CDFs from a fixed grid of percentiles.

The report stores percentiles rather than every task's latency, so a figure costs the same for ten tasks or
ten million, and the curves of all designs share one x axis (log scale: overheads span seconds to hours). The
axis starts at the 1st percentile: the odd instant task (denied at once) would otherwise stretch it over
decades where no curve moves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.viz.palette import design_colours, design_linestyles

__all__ = ["plot_latency_distributions"]


def plot_latency_distributions(
    percentiles: Sequence[float],
    latencies_s: Mapping[str, Sequence[float]],
    *,
    marker_percentile: float = 95.0,
    ax: Axes | None = None,
) -> Axes:
    """One CDF per design from `latencies_s[design][i]` = the `percentiles[i]`-th percentile, in seconds.

    The `marker_percentile` (p95) of each design is marked, since that is the latency the trade-off uses.
    """
    if ax is None:
        ax = Figure(figsize=(7.0, 3.6)).add_subplot()
    colours = design_colours(list(latencies_s))
    styles = design_linestyles(list(latencies_s))
    fractions = [p / 100.0 for p in percentiles]
    for design, values in latencies_s.items():
        if not values:
            continue
        ax.plot(values, fractions, color=colours[design], linestyle=styles[design], label=design, linewidth=1.6)
        if marker_percentile in percentiles:
            value = values[list(percentiles).index(marker_percentile)]
            ax.plot([value], [marker_percentile / 100.0], "o", color=colours[design], markersize=4)
    low, high = _data_range(percentiles, latencies_s)
    if low > 0 and high / low > 20:
        ax.set_xscale("log")
        ax.set_xlim(low / 1.25, high * 1.25)
    elif high > low:
        pad = 0.04 * (high - low)
        ax.set_xlim(low - pad, high + pad)
    ax.set_ylim(0.0, 1.01)
    ax.set_xlabel("task latency (s)")
    ax.set_ylabel("fraction of tasks")
    ax.set_title(f"Task latency per design (dots: p{marker_percentile:g})")
    if latencies_s:
        ax.legend(loc="lower right", frameon=False)
    return ax


def _data_range(percentiles: Sequence[float], latencies_s: Mapping[str, Sequence[float]]) -> tuple[float, float]:
    """From the lowest 1st percentile (the smallest positive value if that is 0) to the highest maximum."""
    lows, highs = [], []
    for values in latencies_s.values():
        if not values:
            continue
        above = [v for p, v in zip(percentiles, values, strict=True) if p >= 1.0 and v > 0]
        lows.append(min(above) if above else min(values))
        highs.append(max(values))
    return (min(lows), max(highs)) if lows else (0.0, 1.0)
