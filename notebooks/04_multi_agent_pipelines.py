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
# # 4. Multi-agent pipelines: delegation chains, confused deputies, attenuation
#
# Accounts payable is run by three agents: a **planner** reads invoices from an inbox anyone can email,
# hands vendor checks to a **researcher** that also searches the web, and hands payments to an
# **executor** that holds the payments key. Splitting the work is meant to keep untrusted text away from
# money. Whether it does depends on what flows along the hand-offs:
#
# - a **delegation** lends the delegator's authority to the delegate; an **attenuated** one can only lend
#   what the delegator itself holds, a non-attenuated one can lend anything its scope names;
# - a **confused deputy** is a tool that acts with its own credential, so an agent reaches through it more
#   than it was granted;
# - in the simulation, a `delegate` step starts a **sub-task** of the other agent, which under JIT gets its
#   own token scoped to the sub-task.

# %% tags=["parameters"]
scenario_path = "scenarios/finance-pipeline.yaml"  # relative to the repository root, or absolute
repo_root = None  # folder holding scenarios/; None searches up from the working directory
replications = 4  # a week each
seed = None  # None: the scenario's own seed

# %%
# %matplotlib inline
from pathlib import Path

import pandas as pd
from IPython.display import display

import workbench as wb
from workbench import viz
from workbench.graph import delegation_live, untrusted_agents

here = Path.cwd().resolve()
root = Path(repo_root) if repo_root else next(p for p in (here, *here.parents) if (p / "scenarios").is_dir())
scenario = wb.load_scenario(root / scenario_path)
index = wb.compile_access(scenario)
graph = wb.build_graph(scenario)
scenario

# %% [markdown]
# ## The delegation chain
#
# Who lends what to whom, and is the loan still live on the scenario's `as_of` date?


# %%
def hops(route):
    """A route as text: each scenario edge it follows."""
    return " -> ".join(f"{h.source} ={h.kind}=> {h.target}" for h in route) if route else "cannot"


delegations = pd.DataFrame(
    [
        {
            "delegation": d.id,
            "from": d.delegator,
            "to": d.delegate,
            "scope": " ".join(f"{p.action}:{p.resource}" for p in d.scope) or "everything",
            "attenuated": d.attenuated,
            "expires": d.expires,
            "live": delegation_live(d, as_of=scenario.as_of),
        }
        for d in scenario.delegations
    ]
)
viz.table(delegations)

# %% [markdown]
# Each agent's static blast radius, and the graph around the riskiest one: the executor, which holds the
# payments key *and* receives the planner's delegation.

# %%
agents = pd.DataFrame(wb.blast_radius_records(index, kinds=("agent",)))
viz.table(agents)

# %%
focus = agents.sort_values("score", ascending=False, kind="stable")["entity"].iloc[0]
reach = wb.blast_radius(index, focus)
viz.plot_access_graph(graph, focus=focus, highlight=[*reach.assets, *reach.tools]).figure

# %% [markdown]
# ## Attenuation: what a delegation can and cannot lend
#
# `explain` gives the route by which an identity holds a permission. The researcher reads the invoice
# inbox only through the planner's **attenuated** delegation, and the route shows the planner's own
# holding at its end: take the planner's role away and the researcher loses it too. The CFO's quarter-end
# cover expired, so the planner cannot move money at all.

# %%
for agent, action, resource in [
    ("ap-researcher", "read", "invoices-inbox"),
    ("ap-planner", "transfer", "payments-rail"),
    ("ap-executor", "transfer", "payments-rail"),
]:
    print(f"{agent} {action} {resource}:\n    {hops(wb.explain(index, agent, action, resource))}")

# %% [markdown]
# The planner-to-executor delegation is **not** attenuated: its scope names a transfer and bank-detail
# reads the planner never held. Rule WB110 flags exactly that: a delegation that widens authority instead
# of narrowing it.

# %%
findings = wb.evaluate(scenario, graph_index=index)
for finding in findings.by_rule("WB110"):
    print(f"[{finding.severity}] {finding.message}\n    fix: {finding.remediation}")

# %% [markdown]
# ## Confused deputies: tools that act with their own credential
#
# The ERP API logs in as the shared integration user, and the vendor database MCP server reads bank
# details for whoever calls it. WB111 lists each agent that reaches through a tool what it was never
# granted. And the deputy itself is a target: compromise the ERP API and you hold everything its service
# account holds, payroll included.

# %%
for finding in findings.by_rule("WB111"):
    print(f"[{finding.severity}] {finding.message}")
    print(f"    via {hops(finding.path)}")

# %%
viz.table(
    pd.DataFrame(
        [(tool, wb.blast_radius(index, tool).score, ", ".join(wb.blast_radius(index, tool).restricted_assets)) for tool in ("erp-api", "vendor-db", "payments-api")],
        columns=["compromised tool", "score", "restricted assets reached"],
    )
)

# %%
print("who can reach payroll:", wb.who_can_reach(index, "payroll", kinds=("agent", "service_account", "human", "tool", "secret")))

# %% [markdown]
# ## Attack paths from the agents that read untrusted input
#
# A prompt-injected agent acts with everything it holds, so every route from an agent that reads
# attacker-controlled text to a restricted asset is a path an attacker can steer it along.

# %%
print("agents reading untrusted input:", ", ".join(untrusted_agents(graph)))
for path in wb.attack_paths(graph, k=2):
    print(f"{path.source} -> {path.target} ({', '.join(path.actions)}):\n    {hops(path.hops)}")

# %% [markdown]
# The planner, which reads the inbox, reaches no restricted asset itself: the money sits with the executor,
# which reads no untrusted text. The researcher does, through the vendor database's own access. What the
# static graph cannot show is what the planner makes the executor do on its behalf; the simulation can.

# %% [markdown]
# ## The pipeline in motion
#
# Now simulate the week. Each invoice is a planner task that starts a vendor-check sub-task for the
# researcher and a payment sub-task for the executor; a 48,000 rush wire is blocked in every design by
# the 25,000 limit (those tasks fail on purpose: treasury pays them by hand).

# %%
result = wb.simulate(scenario, replications=replications, seed=seed)
result

# %% [markdown]
# Sub-tasks are rows of `result.tasks` with a `parent_id`; per design, how each task type ended and how many
# step-ups it needed:

# %%
tasks = result.tasks.assign(sub_task=result.tasks["parent_id"] != -1)
viz.table(
    tasks.pivot_table(
        index=["task_type", "agent", "sub_task"], columns="control", values="step_ups", aggfunc="mean", sort=False
    )
)

# %%
viz.table(tasks.pivot_table(index="task_type", columns=["control", "outcome"], values="task_id", aggfunc="count", sort=False, fill_value=0) / replications)

# %% [markdown]
# What each design costs treasury, and what a poisoned invoice (planner hijack) or web page (researcher
# hijack) leaves an attacker, per week. A hijack travels: the planner's delegated sub-tasks carry the
# attacker's text to the researcher and the executor, so each threat's rows are split by how the compromise
# arrived (`spread`: empty for the threat's own) and by the identity it struck:

# %%
table = result.compare(metrics=["exposure_score_h", "approvals_requested", "approval_wait_mean_s", "latency_p95_s", "denied_rate"])
viz.table(table.pivot(index="metric", columns="control", values="mean")[result.controls])

# %%
per_week = result.compromises.pivot_table(
    index=["threat", "spread", "target"], columns="control", values="exposure_score_h", aggfunc="sum", sort=False
)
viz.table(per_week[result.controls] / replications)

# %% [markdown]
# RBAC+step-up and plain JIT put every transfer in front of treasury, and for an attacker that gate is all
# they change: the executor, reached through the planner's sub-tasks, loses about a third of its exposure, but
# the planner and the researcher are entitled to nothing critical, so whatever else a hijacked one asks for it
# obtains, as under static RBAC. Only the designs that look at intent shrink every part of the cascade, and
# the researcher's own hijack to a few percent. The leaked payments key does not shrink anywhere: the payments
# API keeps that key in every design, so it is as bad everywhere until it is rolled. Cedar needs about half
# the approvals of JIT (small in-intent payments in business hours go through) and refuses the researcher's
# bank-detail lookups outright: those vendor checks, and their invoices, fail.

# %% [markdown]
# Under JIT the executor holds nothing between payments; during a payment sub-task it holds one token,
# scoped to that sub-task's steps. `state_at` shows it a second after the first token the executor was
# issued under JIT, next to what it holds at the same moment under static RBAC:

# %%
tokens = result.events[(result.events["kind"] == "token_issued") & (result.events["identity"] == "ap-executor")]
first = tokens[(tokens["control"] == "jit") & (tokens["replication"] == 0)].sort_values("time_s").iloc[0]
moment = first.time_s + 1.0
for design in ("static_rbac", "jit"):
    state = result.state_at("ap-executor", moment, control=design)
    held = len(state.holdings)
    print(f"{design}: {len(state.permissions)} permissions {viz.format_clock(moment)} into the run, on {held} credential{'s' if held != 1 else ''}")
    display(viz.table(state.to_frame(), columns=["action", "resource", "credential", "credential_kind", "since_s", "until_s", "purpose"]))

# %% [markdown]
# **Reading it.** Splitting the pipeline into agents does not by itself keep money away from untrusted text: a
# poisoned invoice reaches the executor through the planner's own sub-tasks, the non-attenuated delegation
# hands the executor authority its delegator never had, and the tools' own credentials reach past every
# agent's grant. Attenuate the delegation, give tools per-caller credentials, and decide each sub-task's token
# on its declared intent: a token per task alone (plain JIT) still issues a hijacked agent everything below
# the approval threshold, so here it gates only the executor's transfers and leaves the rest of a cascade as
# static RBAC leaves it. Notebook 6 turns the same scenario into the answers an identity-governance review
# asks for.
