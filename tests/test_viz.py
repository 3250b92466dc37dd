"""Figures: every plot takes ax=None and returns the Axes, SVG is byte-stable, big graphs are grouped."""

from __future__ import annotations

import os
import subprocess
import sys

import networkx as nx
import pandas as pd
import pytest
from conftest import REPO
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
from workbench.viz import table as viz_table
from workbench.viz.access_graph import EDGE_STYLES, access_graph_layout


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
    assert {t.get_text() for t in ax.texts} - {""} == {"a0", "a1", "a2", "role", "db", "other"}


def _organisation() -> nx.MultiDiGraph:
    """People owning and holding roles, a delegation, a tool running as an account, a secret, data."""
    graph = nx.MultiDiGraph()
    for node, kind in [
        ("ann", "human"), ("bob", "human"), ("planner", "agent"), ("executor", "agent"), ("svc", "service_account"),
        ("exec-role", "role"), ("admin", "role"), ("crm", "tool"), ("key", "secret"), ("ledger", "dataset"),
        ("mail", "dataset"),
    ]:  # fmt: skip
        graph.add_node(node, kind=kind, label=node)
    for source, target, kind in [
        ("ann", "planner", "owns"), ("bob", "admin", "has_role"), ("planner", "executor", "delegates_to"),
        ("executor", "exec-role", "has_role"), ("executor", "crm", "uses_tool"), ("executor", "key", "holds_secret"),
        ("exec-role", "ledger", "grants"), ("crm", "svc", "runs_as"), ("svc", "admin", "has_role"),
        ("admin", "ledger", "grants"), ("key", "mail", "secret_grants"), ("crm", "mail", "tool_accesses"),
        ("planner", "bob", "approved_by"),
    ]:  # fmt: skip
        graph.add_edge(source, target, key=kind, kind=kind)
    return graph


def test_access_graph_puts_people_in_the_first_column_alone_and_data_in_the_last() -> None:
    shown, _total = aggregate_graph(_organisation(), highlight=(), focus=None, max_nodes=60)
    layout = access_graph_layout(shown)
    column = {node: x for node, (x, _y) in layout.positions.items()}
    assert {n for n, x in column.items() if x == 0} == {"ann", "bob"}
    assert column["executor"] > column["planner"], "a delegate sits right of its delegator"
    assert column["ledger"] == column["mail"] == max(column.values())


def test_access_graph_routes_every_edge_around_the_nodes_it_does_not_touch() -> None:
    shown, _total = aggregate_graph(_organisation(), highlight=(), focus=None, max_nodes=60)
    layout = access_graph_layout(shown)
    assert set(layout.routes) == set(shown.edges)
    for (source, target), route in layout.routes.items():
        assert route[0] == layout.positions[source] and route[-1] == layout.positions[target]
        for x, y in route[1:-1]:  # a waypoint in a column the edge crosses: clear of that column's nodes
            assert all(abs(y - ny) >= 0.7 - 1e-6 for n, (nx_, ny) in layout.positions.items() if nx_ == x), (
                source,
                target,
            )
        xs = [x for x, _y in route]
        assert xs == sorted(xs) or xs == sorted(xs, reverse=True), "a route never turns back"


def test_access_graph_draws_each_edge_as_an_arrow_and_names_every_edge_kind_drawn() -> None:
    graph = _organisation()
    ax = plot_access_graph(graph, focus="executor", highlight={"exec-role", "ledger", "crm", "key", "mail"})
    arrows = [t for t in ax.texts if t.get_text() == "" and t.arrow_patch is not None]
    assert len(arrows) == graph.number_of_edges()
    legend = {t.get_text() for t in ax.get_legend().get_texts()}
    drawn = {kind for _a, _b, kind in graph.edges(data="kind")}
    for style in EDGE_STYLES:
        assert (style.label in legend) == bool(drawn & set(style.kinds)), style.label
    assert next(t.get_text() for t in ax.get_xticklabels()) == "people"


def test_layered_layout_is_the_same_whatever_the_hash_seed() -> None:
    code = (
        "import sys; sys.path.insert(0, 'tests'); from test_viz import _organisation;"
        "from workbench.viz.access_graph import aggregate_graph, access_graph_layout;"
        "s, _ = aggregate_graph(_organisation(), highlight=(), focus=None, max_nodes=60);"
        "print(sorted(access_graph_layout(s).positions.items()))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True,
            text=True, check=True, cwd=REPO,
        ).stdout
        for seed in ("1", "2")
    }  # fmt: skip
    assert len(outputs) == 1


def test_blast_radius_prints_every_bar_value_so_small_ones_show() -> None:
    ax = plot_blast_radius({"agent": {"static": 132.0, "jit": 1.6, "cedar": 0.0}}, designs=["static", "jit", "cedar"])
    assert {t.get_text() for t in ax.texts} == {"132", "1.6", "0"}
    assert ax.get_xlim()[1] > 132.0, "room for the number after the longest bar"


def test_latency_axis_starts_at_the_first_percentile_not_at_an_instant_outlier() -> None:
    percentiles = [float(p) for p in range(101)]
    values = [0.01] + [10.0 + p for p in range(1, 101)]  # one task denied at once, the rest 11 s to 110 s
    ax = plot_latency_distributions(percentiles, {"x": values, "y": [v * 20 for v in values]})
    low, _high = ax.get_xlim()
    assert ax.get_xscale() == "log" and 11.0 / 1.3 < low < 11.0


def test_tradeoff_colours_a_family_alike_marks_its_members_apart_and_draws_the_budget() -> None:
    latency = {"jit 1m": Estimate(70, 65, 75), "jit 1h": Estimate(72, 66, 78), "static": Estimate(60, 55, 65)}
    exposure = {"jit 1m": Estimate(100, 80, 120), "jit 1h": Estimate(140, 120, 160), "static": Estimate(300, 250, 350)}
    families = {"jit 1m": "jit", "jit 1h": "jit", "static": "static"}
    ax = plot_tradeoff(latency, exposure, families=families, latency_budget_s=65.0)
    points = {bars.get_label(): bars.lines[0] for bars in ax.containers}
    assert points["jit 1m"].get_color() == points["jit 1h"].get_color() != points["static"].get_color()
    assert points["jit 1m"].get_marker() != points["jit 1h"].get_marker()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "p95 latency budget (65 s)" in legend


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


def test_table_formats_numbers_durations_and_clock_times_for_reading() -> None:
    frame = pd.DataFrame(
        {
            "metric": ["exposure", "latency"],
            "mean": [299.936114, 0.036887],
            "ratio": [float("nan"), 0.62345],
            "since_s": [float("-inf"), 521007.565919],
            "wait_mean_s": [90.0, float("inf")],
            "count": [10509.5, 3.0],
        }
    )
    html = viz_table(frame).to_html()
    for raw in ("299.936114", "nan", "NaN", "inf", "521007"):
        assert raw not in html, raw
    for shown in (
        "300",
        "0.0369",
        "–",
        "0.623",
        "before the run (standing)",
        "6d 00:43:28",
        "1m30s",
        "never",
        "10,510",
    ):
        assert shown in html, shown
    assert "<th" in html and ">0<" not in html, "a plain 0, 1, 2 index is not shown"


def test_table_cuts_long_frames_and_says_so() -> None:
    html = viz_table(pd.DataFrame({"x": range(100)}), max_rows=5).to_html()
    assert "the first 5 of 100 rows" in html
    assert html.count("<tr>") <= 7


def test_table_shows_scenario_text_as_text_never_as_html() -> None:
    # A Styler, unlike a DataFrame's own HTML, escapes nothing by itself: a finding's message, an imported
    # name, a level's or an axis's name must not become markup in the notebook.
    hostile = '<img src=x onerror="alert(1)">'
    frame = pd.DataFrame(
        {"message": [hostile], "<b>column</b>": [1.5]}, index=pd.Index(["<i>agent</i>"], name="<u>who</u>")
    )
    frame.columns.name = "<s>what</s>"
    html = viz_table(frame, caption="<script>x</script>").to_html()
    for raw in ("<img", "<b>", "<i>", "<u>", "<s>", "<script>"):
        assert raw not in html, raw
    for shown in ("&lt;img src=x onerror=", "&lt;b&gt;column", "&lt;i&gt;agent", "&lt;u&gt;who", "&lt;script&gt;"):
        assert shown in html, shown
