"""Colours and markers shared by every figure, so a design or a node kind looks the same everywhere."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["HIGHLIGHT", "KIND_STYLE", "MUTED", "design_colours", "design_linestyles", "design_markers"]

_DESIGN_COLOURS = (
    "#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3",
    "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd",
)  # fmt: skip
"""A colour-blind-tolerant qualitative palette (seaborn 'deep'), assigned to designs in scenario order."""

HIGHLIGHT = "#c0392b"
MUTED = "#b8b8b8"

KIND_STYLE: dict[str, tuple[str, str]] = {
    "human": ("#7f8c8d", "o"),
    "agent": ("#2e86c1", "o"),
    "service_account": ("#8e44ad", "s"),
    "role": ("#95a5a6", "D"),
    "tool": ("#d68910", "^"),
    "secret": ("#b7950b", "p"),
    "dataset": ("#27ae60", "s"),
}
"""Face colour and marker of each node kind of the access graph."""


def design_colours(designs: Sequence[str]) -> dict[str, str]:
    """A colour per design, by position, so the baseline is always the first colour."""
    return {design: _DESIGN_COLOURS[i % len(_DESIGN_COLOURS)] for i, design in enumerate(designs)}


_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)))
"""Designs often coincide (JIT and intent-aware JIT share most numbers): dashes keep every line visible."""


def design_linestyles(designs: Sequence[str]) -> dict[str, object]:
    """A line style per design, by position, cycling through solid, dashed, dash-dot, dotted and dash-dot-dot."""
    return {design: _LINESTYLES[i % len(_LINESTYLES)] for i, design in enumerate(designs)}


_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")
"""Designs often land on the same point (JIT variants): a marker per design keeps each visible in print."""


def design_markers(designs: Sequence[str]) -> dict[str, str]:
    """A marker per design, by position: circle, square, triangle, diamond, ..."""
    return {design: _MARKERS[i % len(_MARKERS)] for i, design in enumerate(designs)}
