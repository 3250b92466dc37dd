"""Figures for reports and notebooks. matplotlib is imported here and nowhere else in workbench.

Every plot function takes `ax=None` (a new figure is made when none is given) and returns the Axes it drew
on; none touches pyplot, so figures can be drawn in threads and tests without a display. `figure_svg`
turns a figure into byte-stable SVG; `table` turns a DataFrame into a formatted table for notebooks.
"""

from workbench.viz.access_graph import aggregate_graph, plot_access_graph
from workbench.viz.blast_radius import plot_blast_radius
from workbench.viz.cascade import CascadeBar, plot_cascade
from workbench.viz.exposure import plot_exposure_over_time
from workbench.viz.latency import plot_latency_distributions
from workbench.viz.svg import figure_svg, report_style, svg_for_html
from workbench.viz.table import format_clock, format_number, table
from workbench.viz.tradeoff import Estimate, plot_tradeoff

__all__ = [
    "CascadeBar",
    "Estimate",
    "aggregate_graph",
    "figure_svg",
    "format_clock",
    "format_number",
    "plot_access_graph",
    "plot_blast_radius",
    "plot_cascade",
    "plot_exposure_over_time",
    "plot_latency_distributions",
    "plot_tradeoff",
    "report_style",
    "svg_for_html",
    "table",
]
