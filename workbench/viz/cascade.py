"""One cascade on a timeline: each compromise a bar from compromise to containment, joined to its parent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["CascadeBar", "plot_cascade"]

_COLOURS = {"": "#4c72b0", "delegation": "#dd8452", "poisoned": "#c44e52", "secret": "#8172b3"}


class CascadeBar(Protocol):
    """What the plot reads of one member (the report's `CascadeMember` is one): ids, target, route, hours."""

    @property
    def compromise_id(self) -> int: ...
    @property
    def parent(self) -> int: ...
    @property
    def target(self) -> str: ...
    @property
    def spread(self) -> str: ...
    @property
    def start_h(self) -> float: ...
    @property
    def end_h(self) -> float: ...
    @property
    def exposure_score_h(self) -> float: ...


def plot_cascade(members: Sequence[CascadeBar], *, title: str = "", ax: Axes | None = None) -> Axes:
    """Bars in start order, coloured by how each compromise arrived, with a line from each to its parent."""
    if ax is None:
        ax = Figure(figsize=(7.0, 0.6 + 0.45 * max(len(members), 2))).add_subplot()
    row = {m.compromise_id: i for i, m in enumerate(members)}
    ax.set_yticks(range(len(members)), [""] * len(members))  # the labels sit above the bars instead
    for i, m in enumerate(members):
        how = m.spread.split(":", 1)[0]
        ax.barh(i, max(m.end_h - m.start_h, 1e-3), left=m.start_h, height=0.55, color=_COLOURS.get(how, "#937860"))
        label = m.target if not m.spread else f"{m.target} ({m.spread})"
        ax.text(m.end_h, i, f"  {m.exposure_score_h:.3g} score-h", va="center", fontsize=8)
        ax.text(m.start_h, i - 0.42, label, fontsize=8, va="bottom")
        if m.parent in row:
            ax.plot([m.start_h, m.start_h], [row[m.parent], i], color="#555555", linewidth=1.0, linestyle=":")
    if members:
        first, last = min(m.start_h for m in members), max(m.end_h for m in members)
        span = max(last - first, 1e-3)
        ax.set_xlim(first - 0.03 * span, last + 0.2 * span)  # room for the exposure labels on the right
    ax.invert_yaxis()
    ax.set_xlabel("simulated time (h)")
    ax.set_title(title or "Worst cascade: compromise to containment")
    ax.set_ylim(len(members) - 0.4, -0.9)
    return ax
