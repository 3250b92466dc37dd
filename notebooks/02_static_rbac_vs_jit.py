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
# # 2. Static RBAC versus just-in-time tokens
#
# Notebook 1 measured what the support agent *could* reach. Here we simulate a week of its work, with
# attackers, under two control designs:
#
# - **static_rbac**: today's default; the agent holds its roles and its copy of the mailer key all week;
# - **jit**: the agent holds nothing standing; each task gets a token scoped to its declared steps, which
#   expires after its TTL or when the task ends, and critical-risk scopes wait for a support lead.
#
# Every design runs on the same replication seeds (the same emails arrive at the same moments, the same
# attacks strike), so the difference between designs is measured pair by pair. We read three things: how
# much exposure each design leaves an attacker, what it costs in task latency, and what it costs the humans
# who approve.

# %% tags=["parameters"]
scenario_path = "scenarios/customer-support.yaml"  # relative to the repository root, or absolute
repo_root = None  # folder holding scenarios/; None searches up from the working directory
designs = ["static_rbac", "jit"]  # control design labels of the scenario; the first is the baseline
replications = 5  # a week each; raise to 30+ for tight confidence intervals
seed = None  # None: the scenario's own seed

# %%
# %matplotlib inline
from pathlib import Path

import pandas as pd
from IPython.display import display
from matplotlib.figure import Figure

import workbench as wb
from workbench import viz
from workbench.analysis import mean_ci

here = Path.cwd().resolve()
root = Path(repo_root) if repo_root else next(p for p in (here, *here.parents) if (p / "scenarios").is_dir())
scenario = wb.load_scenario(root / scenario_path)
scenario

# %% [markdown]
# ## Simulate
#
# `simulate` runs each design over `replications` independent weeks and collects every run. The result
# displays its headline metrics as mean and 95% confidence interval per design.

# %%
result = wb.simulate(scenario, controls=designs, replications=replications, seed=seed)
result

# %% [markdown]
# ## Compare, with confidence intervals
#
# `compare` gives, per design and metric, the mean and its 95% CI, and the **paired** difference to the
# baseline with its own CI. Because both designs saw the same arrivals and attacks, the paired interval is
# much tighter than the two separate intervals suggest: a difference whose interval excludes 0 is real
# even when the designs' own intervals overlap.

# %%
security = ["exposure_score_h", "held_exposure_score_h", "realised_damage", "reachable_score_mean", "dwell_h_mean"]
cost = ["latency_p95_s", "overhead_mean_s", "denied_rate", "tokens_issued"]
approvals = ["step_ups", "approvals_requested", "approval_wait_mean_s", "approver_utilisation"]
table = result.compare(metrics=security + cost + approvals)
viz.table(
    table.set_index(["metric", "control"])[["mean", "ci_low", "ci_high", "diff_mean", "diff_ci_low", "diff_ci_high", "ratio"]],
    max_rows=len(table),
    caption="ratio: the design's mean over the baseline's (– where the baseline's is 0)",
)

# %% [markdown]
# ## The trade-off in one picture
#
# Each design at its p95 task latency (x) and the exposure it leaves attackers per week (y), with 95% CIs.
# Lower left is better on both.

# %%
def estimates(metric):
    rows = table[table["metric"] == metric]
    return {row.control: viz.Estimate(row.mean, row.ci_low, row.ci_high) for row in rows.itertuples()}


viz.plot_tradeoff(estimates("latency_p95_s"), estimates("exposure_score_h")).figure

# %% [markdown]
# ## Where the exposure comes from
#
# Exposure is the weighted score of what an attacker could exercise without a human approving anything,
# integrated over the dwell time from compromise to containment (score-hours); held exposure integrates only
# the credentials it actually holds. Per threat: under JIT a hijacked agent starts with nothing standing, but
# it asks the token service for what it wants, and gets any scope below `critical` without a human. Its
# exposure is therefore the CRM and mail it can obtain (a quarter to a third of static RBAC's), not its live
# task token, and its held exposure is close behind: it fetches most of what it can. A leaked mailer key is as
# bad as under static RBAC, because the mailer API keeps its own copy of the key in every design (JIT for
# agents does not retire a tool's key). Realised damage counts every use of an attacker that keeps acting
# until containment: the leaked key, used once a minute for most of a day, dominates it.

# %%
viz.table(
    result.compromises.groupby(["threat", "control"], sort=False)[
        ["reachable_score", "exposure_score_h", "held_exposure_score_h", "realised_damage", "dwell_s"]
    ].mean()
)

# %% [markdown]
# What exactly did the hijacked agent hold at the moment of its first compromise? `state_at` answers from
# the run's event log, credential by credential.

# %%
hijacks = result.compromises[result.compromises["target"].isin([a.id for a in scenario.agents])]
if hijacks.empty:
    print("no agent was compromised in these runs; raise `replications`")
else:
    first = hijacks.sort_values(["replication", "compromised_s"]).iloc[0]
    print(f"{first.threat} hits {first.target} {viz.format_clock(first.compromised_s)} into replication {first.replication}")
    for design in designs:
        state = result.state_at(first.target, first.compromised_s, control=design, replication=int(first.replication))
        held = len(state.holdings)
        print(f"\n{design}: {len(state.permissions)} permissions on {held} credential{'s' if held != 1 else ''}")
        display(viz.table(state.to_frame()))

# %% [markdown]
# ## What it costs: latency
#
# Token issuance and the occasional step-up add a little to every task. The curves are the distribution of
# end-to-end latency of the agent's tasks (root tasks: a sub-task's time is inside its parent's); dots mark
# the p95 used above.

# %%
curves = result.latency_curves()  # percentile, latency_s per design: the report's figure data
latency = {design: rows["latency_s"].tolist() for design, rows in curves.groupby("control", sort=False)}
viz.plot_latency_distributions(sorted(set(curves["percentile"])), latency).figure

# %% [markdown]
# ## What it costs: the approvers
#
# Each step-up is a person reading a request. The approver pool's load per week, and how long requests
# waited for a reviewer (p95), are the numbers to take to whoever staffs that pool.

# %%
pools = result.services[result.services["service"].str.startswith("approver_pool:")]
viz.table(pools.groupby(["control", "service"], sort=False)[["requests", "utilisation", "wait_mean_s", "wait_p95_s", "timeouts"]].mean())

# %%
figure = Figure(figsize=(9, 3.2), layout="constrained")
for ax, metric in zip(figure.subplots(1, 3), ["step_ups", "approval_wait_mean_s", "approver_utilisation"]):
    rows = table[table["metric"] == metric]
    ax.bar(rows["control"], rows["mean"], yerr=[rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]], capsize=4, color="#4c72b0")
    ax.set_title(metric)
figure.suptitle("Approval cost per simulated week (mean, 95% CI)")
figure

# %% [markdown]
# **Reading it.** JIT cuts the exposure a hijacked agent leaves to a quarter or a third of static RBAC's (the
# scenario's to about half, since the leaked mailer key is untouched), at the price of about ten seconds of
# p95 latency and a stream of step-ups for the support leads. It does not cut it to the live task token: a
# hijacked agent asks for what it wants, and JIT issues anything below the approval threshold without a human,
# so that threshold, not the token, bounds a hijack. Whether the price is right depends on the token TTL and
# the risk level that triggers an approval: notebook 3 sweeps both and finds the designs worth considering.
# The report's verdict weighs the designs against the scenario's budget: plain JIT fits it, but intent-aware
# JIT and Cedar leave clearly less exposure for the same latency (`result.compare()` has the paired intervals).
