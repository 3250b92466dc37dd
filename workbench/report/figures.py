"""The report's figures, drawn from `ReportData` with the plot functions of `workbench.viz`, as SVG text.

A figure is drawn only when there is data for it; which ones were drawn decides what the documents embed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from workbench.report.data import ReportData
from workbench.sim.metrics import EXPOSURE, LATENCY_P95
from workbench.viz import (
    Estimate,
    figure_svg,
    plot_access_graph,
    plot_blast_radius,
    plot_cascade,
    plot_exposure_over_time,
    plot_latency_distributions,
    plot_tradeoff,
    report_style,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes  # for types only: everything matplotlib does happens in workbench.viz

__all__ = ["render_figures"]


def _tradeoff(data: ReportData) -> Axes | None:
    latency, exposure = {}, {}
    for design in data.scenario.designs:
        x, y = data.estimate(design, LATENCY_P95), data.estimate(design, EXPOSURE)
        if x is not None and y is not None:
            latency[design] = Estimate(x.mean, x.ci_low, x.ci_high)
            exposure[design] = Estimate(y.mean, y.ci_low, y.ci_high)
    return plot_tradeoff(latency, exposure) if latency else None


def _exposure(data: ReportData) -> Axes | None:
    dist = data.distributions
    if not dist.times_h or not dist.exposure_score_h:
        return None
    return plot_exposure_over_time(dist.times_h, dist.exposure_score_h)


def _latency(data: ReportData) -> Axes | None:
    dist = data.distributions
    if not dist.percentiles or not any(dist.latency_s.values()):
        return None
    return plot_latency_distributions(dist.percentiles, dist.latency_s)


def _blast(data: ReportData) -> Axes | None:
    if not data.blast_by_design:
        return None
    scores: dict[str, dict[str, float]] = {}
    for row in data.blast_by_design:
        scores.setdefault(row.agent, {})[row.design] = row.score
    designs = [d for d in data.scenario.designs if any(d in s for s in scores.values())]
    return plot_blast_radius(scores, designs=designs)


def _cascade(data: ReportData) -> Axes | None:
    cascades = data.cascades
    if not cascades.members:
        return None
    title = f"Worst cascade: {cascades.design}, replication {cascades.replication}"
    return plot_cascade(cascades.members, title=title)


def _graph(data: ReportData) -> Axes | None:
    if data.graph is None or data.graph.graph is None:
        return None
    return plot_access_graph(data.graph.graph, highlight=data.graph.highlight, focus=data.graph.focus)


_DRAWERS: dict[str, Callable[[ReportData], Axes | None]] = {
    "tradeoff": _tradeoff,
    "exposure-over-time": _exposure,
    "latency": _latency,
    "blast-radius-by-design": _blast,
    "cascade": _cascade,
    "access-graph": _graph,
}


def render_figures(data: ReportData) -> dict[str, str]:
    """SVG text of every figure there is data for, by figure id (see `view.FIGURES`), in display order."""
    svgs: dict[str, str] = {}
    with report_style():
        for figure_id, draw in _DRAWERS.items():
            ax = draw(data)
            if ax is not None:
                svgs[figure_id] = figure_svg(ax.figure)  # type: ignore[arg-type]
    return svgs
