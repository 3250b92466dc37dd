"""Figures: every plot takes ax=None and returns the Axes, SVG is byte-stable, big graphs are grouped."""

from __future__ import annotations

import networkx as nx
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.viz import (
    Estimate,
    aggregate_graph,
    figure_svg,
    plot_access_graph,
    plot_blast_radius,
    plot_exposure_over_time,
    plot_latency_distributions,
    plot_tradeoff,
    report_style,
    svg_for_html,
)


def _graph(agents: int) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_node("role", kind="role", label="role")
    graph.add_node("db", kind="dataset", label="db")
    graph.add_node("other", kind="dataset", label="other")
    graph.add_edge("role", "db", key="grants:read", kind="grants", action="read")
    for i in range(agents):
        graph.add_node(f"a{i}", kind="agent", label=f"a{i}")
        graph.add_edge(f"a{i}", "role", key="has_role", kind="has_role")
    return graph


DRAWINGS = {
    "access_graph": lambda ax: plot_access_graph(_graph(3), highlight={"role", "db"}, focus="a0", ax=ax),
    "blast_radius": lambda ax: plot_blast_radius({"a": {"x": 3.0, "y": 1.0}}, designs=["x", "y"], ax=ax),
    "latency": lambda ax: plot_latency_distributions([0.0, 50.0, 95.0, 100.0], {"x": [1.0, 2.0, 3.0, 9.0]}, ax=ax),
    "exposure": lambda ax: plot_exposure_over_time([0.0, 1.0, 2.0], {"x": [0.0, 1.0, 1.5]}, ax=ax),
    "tradeoff": lambda ax: plot_tradeoff({"x": Estimate(2.0, 1.0, 3.0)}, {"x": Estimate(5.0, 4.0, 6.0)}, ax=ax),
}


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_plots_draw_on_the_given_axes_or_a_new_one(name: str) -> None:
    given = Figure().add_subplot()
    assert DRAWINGS[name](given) is given
    made = DRAWINGS[name](None)
    assert isinstance(made, Axes) and made is not given


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_svg_is_byte_stable(name: str) -> None:
    def draw() -> str:
        with report_style():
            ax = DRAWINGS[name](None)
            return figure_svg(ax.figure)

    first, second = draw(), draw()
    assert first == second
    assert "<dc:date>" not in first and "Matplotlib v" not in first


def test_large_graphs_are_grouped_by_kind() -> None:
    shown, total = aggregate_graph(_graph(1000), highlight={"role", "db"}, focus="a7", max_nodes=20)
    assert total == 1003
    assert shown.number_of_nodes() <= 20 + 4
    groups = {n: d["count"] for n, d in shown.nodes(data=True) if isinstance(n, tuple)}
    assert groups == {("group", "agent", False): 983}  # 17 agents kept beside a7, role and db
    assert shown.nodes["a7"]["hot"] and shown.edges["a7", "role"]["hot"]
    assert shown.edges[("group", "agent", False), "role"]["count"] == 983
    title = plot_access_graph(_graph(1000), focus="a7", max_nodes=20).get_title()
    assert "nodes drawn; the rest grouped by kind" in title


def test_small_graphs_are_drawn_in_full_with_labels() -> None:
    ax = plot_access_graph(_graph(3), focus="a0")
    assert {t.get_text() for t in ax.texts} == {"a0", "a1", "a2", "role", "db", "other"}


def test_blast_radius_keeps_the_largest_agents() -> None:
    scores = {f"a{i:02d}": {"base": float(i), "jit": 1.0} for i in range(30)}
    ax = plot_blast_radius(scores, designs=["base", "jit"], max_agents=5)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a29", "a28", "a27", "a26", "a25"]
    assert "largest 5 of 30 agents" in ax.get_title()


def test_inline_svg_has_no_prologue_and_prefixed_ids() -> None:
    with report_style():
        svg = figure_svg(DRAWINGS["latency"](None).figure)
    inline = svg_for_html(svg, figure_id="fig")
    assert inline.startswith("<svg") and 'id="fig-' in inline
    assert 'id="' not in inline.replace('id="fig-', "")


def test_svg_ids_do_not_depend_on_float_bits_below_the_printed_precision() -> None:
    """matplotlib hashes a clip rectangle's full-precision floats into its id; a layout that differs in the
    last bit between machines must still give the same bytes (the committed reports are compared exactly)."""

    def svg(offset: float) -> str:
        figure = Figure(figsize=(4, 3))
        ax = figure.add_axes((0.1 + offset, 0.1, 0.8, 0.8))
        ax.plot([0, 1], [0, 1], marker="o")
        return figure_svg(figure)

    first, nudged = svg(0.0), svg(1e-13)
    assert first == nudged
    assert 'clipPath id="p1"' in first and 'xlink:href="#m1"' in first


def test_tradeoff_gives_each_design_its_marker_labels_coincident_ones_and_keeps_the_legend_off_the_data() -> None:
    latency = {"static": Estimate(60, 55, 65), "jit": Estimate(75, 74, 76), "cedar": Estimate(75.5, 74, 77)}
    exposure = {"static": Estimate(300, 200, 400), "jit": Estimate(160, 100, 220), "cedar": Estimate(162, 100, 225)}
    ax = plot_tradeoff(latency, exposure)
    markers = [line.get_marker() for line in ax.get_lines() if line.get_marker() not in ("None", None, "", "_", "|")]
    assert len(set(markers)) == 3
    assert [text.get_text() for text in ax.texts] == ["jit ≈ cedar"]
    figure = ax.figure
    figure.draw_without_rendering()
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1, "the legend sits right of the axes, never over a point"
