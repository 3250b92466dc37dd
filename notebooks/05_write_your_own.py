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
# # 5. Write your own scenario and Cedar policy
#
# The shipped scenarios are examples; the point of workbench is to model *your* agents. This notebook
# writes a small scenario and a Cedar policy from scratch into a scratch folder, validates them (both with a
# deliberate mistake first, to show what an error looks like and how to read it), simulates the designs it
# declares, and writes the full report: Markdown, HTML, `results.json`, SARIF and SVG figures.
#
# The scenario language is documented field by field in `docs/scenario-reference.md` (generated from the
# models; `workbench schema` prints the JSON Schema that editors use for completion).

# %% tags=["parameters"]
work_dir = None  # where the scenario, policy and report are written; None: a new temporary folder
replications = 3  # three days each; raise for tighter intervals
seed = None  # None: the scenario's own seed

# %%
# %matplotlib inline
import tempfile
from pathlib import Path

from IPython.display import SVG, Markdown, display

import workbench as wb
from workbench import report, viz
from workbench.policy import check_policies

work = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="workbench-own-"))
work.mkdir(parents=True, exist_ok=True)
print("writing to", work)

# %% [markdown]
# ## The scenario
#
# A sales research agent reads public web pages about prospects (text anyone can write: untrusted input),
# looks the account up in the CRM and writes a note. Its role also lets it read the deal desk's floor
# prices, which no task needs. We compare three designs: standing RBAC, JIT tokens, and our own Cedar
# policy. One step has a typo in its resource id (`crm-acounts`).

# %%
scenario_yaml = """\
schema_version: 1
name: sales-research-agent
title: Sales research agent that browses the web
description: >-
  A research agent summarises prospects from the public web into CRM account notes. It reads untrusted
  pages and can read the CRM; the question is what a poisoned page gets it to do, and for how long.
as_of: 2026-11-28

humans:
  - {id: maria-lopez, name: Maria Lopez, team: Sales Operations}
  - {id: jon-park, name: Jon Park, team: Sales Operations}

agents:
  - id: research-agent
    name: Prospect researcher
    owner: maria-lopez
    business_purpose: Summarise prospects from the public web into CRM account notes
    workload_identity: spiffe://acme.example/prod/sales/research-agent
    autonomy: medium
    environment: prod
    untrusted_input: true
    roles: [research-role]
    tools: [browser, crm-api]
    audit_logging: true

tools:
  - id: browser
    kind: tool
    description: Headless browser fetching public pages
    actions: [read]
    external: true
  - id: crm-api
    kind: api
    description: CRM REST API, called with the agent's own token
    actions: [read, write]

datasets:
  - {id: public-web, kind: system, sensitivity: public, value: 1, description: Pages about prospects}
  - {id: crm-accounts, sensitivity: confidential, value: 3, pii: true, description: Accounts and contacts}
  - {id: crm-notes, sensitivity: internal, value: 1, description: Free-text notes on accounts}
  - {id: deal-desk, sensitivity: restricted, value: 4, description: Discount approvals and floor prices}

roles:
  - id: research-role
    permissions:
      - {action: read, resource: public-web}
      - {action: read, resource: crm-accounts}
      - {action: write, resource: crm-notes}
      - {action: read, resource: deal-desk}
      - {action: execute, resource: browser}
      - {action: execute, resource: crm-api}

approvals:
  - id: research-agent-approval
    agent: research-agent
    approver: jon-park
    business_purpose: Summarise prospects from the public web into CRM account notes
    scope:
      - {action: read, resource: public-web}
      - {action: read, resource: crm-accounts}
      - {action: write, resource: crm-notes}
    tools: [browser, crm-api]
    granted: 2026-10-01
    expires: 2027-10-01
    reapproval_triggers: [new_tool, scope_increase, expiry]

revocation_triggers:
  - {identity: research-agent, event: anomaly_detected, latency: 5m}

services:
  token_service: {issuance: {dist: exponential, mean: 80ms}, capacity: 4}
  policy_decision_point: {evaluation: {dist: constant, value: 3ms}, capacity: 4}
  approver_pools:
    - id: sales-ops
      approvers: [maria-lopez, jon-park]
      review_time: {dist: exponential, mean: 3m}
      timeout: 2h
      sla_p95: 30m
      rejects_malicious: 0.8

workload:
  task_types:
    - id: research-prospect
      agent: research-agent
      description: Read a few pages about a prospect, look the account up, write a note
      arrival: {rate: 4/h}
      intent:
        - {action: read, resource: public-web}
        - {action: read, resource: crm-accounts}
        - {action: write, resource: crm-notes}
      steps:
        - {action: read, resource: public-web, via_tool: browser, duration: {dist: lognormal, median: 20s, sigma: 0.5}}
        - {action: read, resource: crm-acounts, via_tool: crm-api, duration: 2s}
        - {action: write, resource: crm-notes, via_tool: crm-api, duration: 3s}

threats:
  - id: poisoned-prospect-page
    kind: prompt_injection
    target: research-agent
    at: [1d]
    detection_delay: {dist: lognormal, median: 1h, sigma: 0.8}
    revocation_delay: {dist: exponential, mean: 10m}

controls:
  - kind: static_rbac
  - kind: jit
    token_ttl: 1m
    approval_at: critical
    approver_pool: sales-ops
  - kind: cedar
    policy: research-agent.cedar
    token_ttl: 1m
    approver_pool: sales-ops
    description: Our own policy - in-intent only, restricted data only with a live approval

simulation:
  horizon: 3d
  replications: 3
  seed: 2026
"""
scenario_file = work / "sales-research-agent.yaml"
scenario_file.write_text(scenario_yaml, encoding="utf-8")
print("wrote", scenario_file)

# %% [markdown]
# ## The Cedar policy
#
# The `cedar` design asks our policy about every request. Principal, action, resource and the request
# context (`in_intent`, `entitled`, `risk_level`, `approval_live`, `anomaly_flagged`, `hour`, ...) are
# described in `docs/architecture.md`. A request the policy denies now but would permit with a live
# approval is stepped up to the approver pool. This version misspells a context attribute (`in_intnet`).

# %%
policy_text = """\
// Act only within the task's declared intent and the agent's entitlement.
@id("in-intent")
permit (principal, action, resource)
when { context.in_intnet && context.entitled };

// Restricted data only with a live human approval.
@id("restricted-needs-approval")
forbid (principal, action, resource)
when { resource.sensitivity == "restricted" && !context.approval_live };

// Nothing at all once the agent is flagged anomalous.
@id("anomalous-agent")
forbid (principal, action, resource)
when { context.anomaly_flagged };
"""
policy_file = work / "research-agent.cedar"
policy_file.write_text(policy_text, encoding="utf-8")
print("wrote", policy_file)

# %% [markdown]
# ## Validate: read the error, then fix it
#
# `load_scenario` checks the schema, every cross-reference and every referenced file, and raises one
# `wb.ScenarioError` listing **every** problem as `FILE:LINE:COL: yaml.path: message [code]`, the format
# editors and CI annotate. (`workbench validate FILE` on the command line does the same.)

# %%
try:
    wb.load_scenario(scenario_file)
except wb.ScenarioError as error:
    print(error)
else:
    raise AssertionError("the misspelt resource id should have been reported")

# %% [markdown]
# Line and column point at the misspelt id in the task's second step. Fix it and load again:

# %%
scenario_file.write_text(scenario_yaml.replace("resource: crm-acounts", "resource: crm-accounts"), encoding="utf-8")
scenario = wb.load_scenario(scenario_file)

# %% [markdown]
# The scenario loads; now the policy. `check_policies` compiles every Cedar file the designs reference and
# checks it against workbench's Cedar schema, so a misspelt attribute fails here, at its own `file:line`,
# instead of silently never matching in a simulation.

# %%
try:
    check_policies(scenario)
except wb.ScenarioError as error:  # a PolicyError, which is a ScenarioError
    print(error)
else:
    raise AssertionError("the misspelt context attribute should have been reported")

# %%
policy_file.write_text(policy_text.replace("context.in_intnet", "context.in_intent"), encoding="utf-8")
check_policies(scenario)
scenario

# %% [markdown]
# ## Findings before simulating
#
# The unused deal-desk read shows up twice: as a permission no task uses (WB101) and as access beyond what
# was approved (WB107). Reading untrusted pages, reading CRM data and having an external tool is the
# lethal trifecta (WB112).

# %%
for finding in wb.evaluate(scenario):
    print(f"[{finding.severity}] {finding.rule_id} line {finding.location.line}: {finding.message}")

# %% [markdown]
# ## Simulate

# %%
result = wb.simulate(scenario, replications=replications, seed=seed)
result

# %%
result.compromises.pivot_table(index="control", values=["reachable_score", "dwell_s", "exposure_score_h"], sort=False)

# %% [markdown]
# ## Report
#
# A report is a build product of the scenario: `collect` simulates and evaluates it and gathers every table
# and figure's data; `render_report` renders every file in memory; `write_files` writes them atomically
# (only changed files are rewritten). The CLI's `workbench report` runs the same three steps. `collect`
# runs its own simulation, from the scenario's `simulation.seed`, so its numbers match `result` above only
# when `seed` is left at None.

# %%
data = report.collect(scenario, replications=replications, root=work)
files = report.render_report(data)
written = report.write_files(work / "report", files)
for path in sorted(written):
    print(f"{path.relative_to(work)}  ({path.stat().st_size:,} bytes)")

# %% [markdown]
# The start of `report.md`:

# %%
markdown = files["report.md"].decode("utf-8")
display(Markdown(markdown.split("\n### ")[0]))

# %% [markdown]
# The report's own figures are deterministic SVG; here is its trade-off figure, and the exposure curve
# drawn again from the report's data with `workbench.viz`:

# %%
display(SVG(files["figures/tradeoff.svg"]))

# %%
viz.plot_exposure_over_time(data.distributions.times_h, data.distributions.exposure_score_h).figure

# %% [markdown]
# **Your turn.** Change the scenario string (another agent, a delegation, a second threat, a tighter
# policy), re-run from the top, and compare. When it is ready, move the YAML and the policy into
# `scenarios/` and `make report` will build its report with the others.
