# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1. Quickstart: one agent, what it can reach, and what is wrong with it
#
# A support agent reads customer email, looks customers up in the CRM and replies through an outbound mail
# tool. This notebook loads that scenario, draws who can reach what, measures the **static blast radius**
# (everything a compromised agent, leaked secret or hijacked tool could exercise under standing access) and
# lists the most severe findings. No simulation yet: that is notebook 2.
#
# Everything here is the public API: `import workbench as wb` and the plot functions in `workbench.viz`.

# %% tags=["parameters"]
scenario_path = "scenarios/customer-support.yaml"  # relative to the repository root, or absolute
repo_root = None  # folder holding scenarios/; None searches up from the working directory
top_findings = 5  # how many findings to show in full

# %%
# %matplotlib inline
from pathlib import Path

import pandas as pd

import workbench as wb
from workbench import viz

here = Path.cwd().resolve()
root = Path(repo_root) if repo_root else next(p for p in (here, *here.parents) if (p / "scenarios").is_dir())

# %% [markdown]
# ## Load the scenario
#
# `load_scenario` validates the whole file (schema, cross-references, referenced Cedar policies) and raises
# one `wb.ScenarioError` listing every problem at its `file:line` (notebook 5 shows one). A scenario displays
# as a summary of what it holds.

# %%
scenario = wb.load_scenario(root / scenario_path)
scenario

# %% [markdown]
# ## The access graph
#
# `build_graph` turns the scenario into a typed networkx graph; access flows left to right, from people and
# agents through roles, accounts, tools and secrets to data. The agent with the largest blast radius is
# drawn in red with everything it reaches.

# %%
index = wb.compile_access(scenario)  # the fast access index every static query below reuses
graph = wb.build_graph(scenario)
radius = pd.DataFrame(wb.blast_radius_records(index)).sort_values("score", ascending=False, kind="stable")
agents = radius[radius["entity_kind"] == "agent"]
focus = agents["entity"].iloc[0]
reach = wb.blast_radius(index, focus)

viz.plot_access_graph(graph, focus=focus, highlight=[*reach.assets, *reach.tools]).figure

# %% [markdown]
# ## Static blast radius
#
# The score weighs each permission by the sensitivity and value of the asset and the criticality of the
# action (tools weigh nothing themselves: what they reach is counted). Leaked secrets and compromised tools
# are listed too, since a tool's own credential often reaches further than the agent was granted.

# %%
viz.table(radius)

# %%
ax = viz.plot_blast_radius(
    {row.entity: {"standing access": row.score} for row in radius.itertuples()},
    designs=["standing access"],
)
ax.set_title("Static blast radius: the agent, its leaked secrets, its compromised tools")
ax.figure

# %% [markdown]
# What exactly can the agent do, and on which asset? `explain` answers *why* for any one permission: the
# chain of scenario edges that grants it.

# %%
print(f"{focus}: score {reach.score:g}, {len(reach.permissions)} permissions on {len(reach.assets)} assets")
for action, resource in reach.permissions:
    hops = wb.explain(index, focus, action, resource) or []
    print(f"  {action:>8} {resource:<16} via " + " -> ".join(f"{h.source} ({h.kind})" for h in hops))

# %% [markdown]
# ## The top findings
#
# `evaluate` runs every rule over the scenario and applies its accepted risks. Findings come most severe
# first; each points at the YAML line to fix, and maps to framework entries (notebook 6).

# %%
findings = wb.evaluate(scenario, graph_index=index)
print("findings per severity:", findings.counts(), f"({len(findings.suppressed)} accepted)")
table = pd.DataFrame(findings.to_records())
viz.table(table, columns=["rule_id", "severity", "entity_id", "line", "suppressed", "message"])

# %%
for finding in findings.active[:top_findings]:
    where = f"{Path(finding.location.file).name}:{finding.location.line}"
    print(f"[{finding.severity}] {finding.rule_id} {finding.title}  ({where})")
    print(f"    {finding.message}")
    print(f"    fix: {finding.remediation}\n")

# %% [markdown]
# **Next:** notebook 2 simulates a week of this agent's work under standing RBAC and under just-in-time
# tokens, to see how much of this blast radius an attacker actually gets, and what the tokens cost.
