"""Blast radius per agent under each control design, as grouped horizontal bars with their values printed.

Token designs often leave a few percent of what standing access does: a bar of 8 beside one of 132 is a
sliver, so every bar carries its number (and a bar of 0 still says "0").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.viz.palette import design_colours

__all__ = ["plot_blast_radius"]


def plot_blast_radius(
    scores: Mapping[str, Mapping[str, float]],
    *,
    designs: Sequence[str],
    max_agents: int = 12,
    unit: str = "weighted score",
    ax: Axes | None = None,
) -> Axes:
    """Bars of `scores[agent][design]`; the `max_agents` agents largest under the first design are shown.

    Agents are ranked by their score under the first design (the baseline), ties by id, so the selection is
    deterministic; the title says how many were left out.
    """
    ranked = sorted(scores, key=lambda agent: (-scores[agent].get(designs[0], 0.0) if designs else 0.0, agent))
    shown = ranked[:max_agents]
    if ax is None:
        ax = Figure(figsize=(8.0, 1.2 + 0.22 * max(len(shown), 1) * max(len(designs), 1) ** 0.5)).add_subplot()
    colours = design_colours(designs)
    height = 0.8 / max(len(designs), 1)
    for d, design in enumerate(designs):
        ys = [len(shown) - 1 - i + (len(designs) - 1 - d - (len(designs) - 1) / 2) * height for i in range(len(shown))]
        values = [scores[agent].get(design, 0.0) for agent in shown]
        bars = ax.barh(ys, values, height=height, color=colours[design], label=design)
        ax.bar_label(bars, labels=[_value(v) for v in values], padding=3, fontsize=7, color="#333333")
    largest = max((v for agent in shown for v in scores[agent].values()), default=0.0)
    ax.set_xlim(0.0, largest * 1.12 if largest > 0 else 1.0)  # room for the number after the longest bar
    ax.set_yticks([len(shown) - 1 - i for i in range(len(shown))], shown)
    ax.set_xlabel(f"blast radius ({unit})")
    title = "Blast radius per agent and design"
    if len(ranked) > len(shown):
        title += f" (largest {len(shown)} of {len(ranked)} agents)"
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    if designs:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)  # beside, never over bars
    return ax


def _value(score: float) -> str:
    """A bar's number: whole numbers from 10 up, three significant digits below, "0" for none."""
    if score == 0:
        return "0"
    return f"{score:,.0f}" if abs(score) >= 10 else f"{score:.3g}"
