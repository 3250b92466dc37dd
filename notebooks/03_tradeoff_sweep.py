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
# # 3. The trade-off: token TTL and approval thresholds
#
# Notebook 2 compared JIT with static RBAC at one setting. A JIT design has two dials:
#
# - the **token TTL**: how long a task's token stays usable (it also ends with the task);
# - the **approval threshold** (`approval_at`): the risk level from which a scope waits for a human.
#
# Shorter tokens should leave an attacker less; a lower threshold puts more requests in front of people,
# which can cost far more latency than it saves exposure. We sweep both dials over a grid, run the other
# designs of the scenario as reference points, and find the designs no other beats on both exposure and
# p95 latency: the **Pareto frontier**. Anything off the frontier is dominated and can be dropped.

# %% tags=["parameters"]
scenario_path = "scenarios/customer-support.yaml"  # relative to the repository root, or absolute
repo_root = None  # folder holding scenarios/; None searches up from the working directory
design = "jit"  # the design whose dials are swept (a jit or intent_aware_jit label of the scenario)
token_ttls = ["1m", "5m", "15m", "1h"]  # durations as the scenario language writes them
approval_levels = ["high", "critical"]  # risk levels from which a scope needs an approver
references = ["static_rbac", "rbac_step_up", "intent_aware_jit", "cedar"]  # other designs, as they stand
replications = 4  # per grid point and design; raise for tighter intervals
seed = None  # None: the scenario's own seed
workers = 1  # processes for the sweep; None uses every CPU (worth it for bigger grids)

# %%
# %matplotlib inline
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

import workbench as wb
from workbench import viz
from workbench.analysis import mean_ci
from workbench.analysis.sweep import pareto_frontier, sweep, sweep_summary
from workbench.model import format_duration

here = Path.cwd().resolve()
root = Path(repo_root) if repo_root else next(p for p in (here, *here.parents) if (p / "scenarios").is_dir())
scenario = wb.load_scenario(root / scenario_path)
scenario

# %% [markdown]
# ## Sweep the grid
#
# `sweep` runs every combination of the grid's values × design × replication. Grid keys are dotted paths
# into the scenario (designs named by label) and every value goes through the scenario's own validation,
# so `"5m"` is a duration and a bad value is reported with its parameter. Each grid point runs on the
# same replication seeds, so the points are compared pair by pair, as designs are in `simulate`. The result
# is one long row per run.

# %%
ttl_key, level_key = f"controls.{design}.token_ttl", f"controls.{design}.approval_at"
runs = sweep(
    scenario,
    grid={ttl_key: token_ttls, level_key: approval_levels},
    controls=[design],
    replications=replications,
    seed=seed,
    workers=workers,
)
viz.table(runs, columns=["point", ttl_key, level_key, "control", "replication", "exposure_score_h", "latency_p95_s", "denied_rate"], max_rows=5, caption=f"{len(runs.columns)} columns in all")

# %% [markdown]
# The reference designs are not swept: `simulate` runs them as the scenario defines them, on the same seeds.
# Their run rows have the same columns, so both go into one frame.

# %%
baseline = wb.simulate(scenario, controls=references, replications=replications, seed=seed, keep_records=False)
runs = pd.concat([runs, baseline.summary()], ignore_index=True)
runs["design"] = [
    f"{control} {format_duration(ttl)} @{level}" if pd.notna(ttl) else control
    for control, ttl, level in zip(runs["control"], runs[ttl_key], runs[level_key])
]
summary = sweep_summary(runs, by=["design"])
viz.table(summary, max_rows=len(summary))

# %% [markdown]
# ## How each dial moves the outcome
#
# Left: exposure rises with the token TTL, but gently: a hijacked agent is issued a fresh token for anything
# below the approval threshold whatever the TTL, and a longer TTL mainly keeps critical tokens alive once a
# human has approved them (for a legitimate refund lookup, or for the attacker when the reviewer is fooled).
# The threshold moves exposure too: at `high` a hijacked agent cannot read the CRM without a support lead.
# Right: the TTL hardly moves latency, but the approval threshold does: at `high`, every CRM lookup waits for
# one of two support leads and the queue saturates.

# %%
swept = sweep_summary(runs[runs["control"] == design], by=[level_key, ttl_key])
figure = Figure(figsize=(10, 3.6), layout="constrained")
left, right = figure.subplots(1, 2)
for level, rows in swept.groupby(level_key, sort=False):
    left.plot(rows[ttl_key] / 60, rows["mean_exposure_score_h"], "o-", label=f"approval at {level}")
    right.plot(rows[ttl_key] / 60, rows["mean_latency_p95_s"], "o-", label=f"approval at {level}")
for ax, label in ((left, "exposure per week (score-hours)"), (right, "p95 task latency (s)")):
    ax.set_xscale("log")
    ax.set_xlabel("token TTL (minutes)")
    ax.set_ylabel(label)
    ax.legend(frameon=False)
right.set_yscale("log")
figure.suptitle(f"{design}: mean over {replications} replications per point")
figure

# %% [markdown]
# ## Exposure against p95 latency, and the Pareto frontier
#
# Every design and grid point with its 95% confidence intervals; the dashed line joins the frontier. The x
# axis is logarithmic: saturated approver queues cost minutes, token issuance costs seconds. The grid points
# of the swept design share its colour (one marker each), every reference design has its own; the TTL
# variants share a latency, so their points stack up, and the frontier table above names the designs worth
# keeping.

# %%
frontier = pareto_frontier(runs, by=["design"])
viz.table(frontier)

# %%
latency, exposure = {}, {}
for name, rows in runs.groupby("design", sort=False):
    latency[name] = viz.Estimate(*mean_ci(rows["latency_p95_s"]))
    exposure[name] = viz.Estimate(*mean_ci(rows["exposure_score_h"]))

families = dict(zip(runs["design"], runs["control"], strict=True))  # every grid point of jit is family "jit"
ax = viz.plot_tradeoff(latency, exposure, families=families)
ax.figure.set_size_inches(10, 5.5)
ax.plot(frontier["mean_latency_p95_s"], frontier["mean_exposure_score_h"], "--", color="grey", zorder=0, label="Pareto frontier")
ax.set_xscale("log")
ax.autoscale(axis="x")
ax.set_ylim(0, 1.5 * max(e.mean for e in exposure.values()))  # a few replications give wide intervals: clipped
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)  # beside the axes, off the data
ax.figure

# %% [markdown]
# **Reading it.** Static RBAC is on the frontier only because nothing is faster than doing nothing; its
# exposure is two to three times every other design's. RBAC+step-up at `high` is on it too, with the lowest
# exposure of all, because a hijacked agent cannot touch the CRM without a support lead; it pays half an hour
# of p95 latency for that, the sign of a saturated approver pool (rule WB201 flags it when `wb.evaluate` is
# given a simulation result), and its held exposure is static RBAC's: the standing credentials are still there
# for an attacker who steals them instead of asking. JIT at `high` pays the same latency for about a sixth
# less exposure than at `critical`. At the latency of a token round trip, intent-aware JIT and Cedar leave
# less exposure than plain JIT at any TTL, so plain JIT is off the frontier: shortening its tokens helps (one
# minute leaves about a quarter less than an hour, and is nearly free, since issuing a token takes about
# 60 ms), but deciding each request on the task's intent helps more.
#
# Points whose intervals overlap are not really different at this number of replications: the frontier is
# computed on means, so re-run with more replications before dropping a design that sits just off it.
