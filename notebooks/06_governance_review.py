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
# # 6. Governance review: capability map, IGA answers, framework coverage
#
# The earlier notebooks were for the security architect. This one is for the people who sign off agents:
# identity governance (IGA), audit and risk. For each agent it answers three questions from the scenario
# alone:
#
# 1. **Capability map**: every capability (an action on a resource), what carries it to the agent (role,
#    secret, tool, delegation), who approved it and for which business purpose, what forces re-approval,
#    and the **gaps**: capabilities nobody approved.
# 2. **IGA answers**: the questions an access review asks of a non-human identity: owner, purpose,
#    approvals, tools and APIs, data, the credentials it holds (where each copy is stored, and whether a
#    design keeps it or replaces it by per-task tokens) apart from the secrets it may read, step-up, how
#    credentials are issued and ended in each control design, logging, revocation and what stays blocked.
# 3. **Framework coverage**: which entries of CSA MAESTRO, MITRE ATLAS, the OWASP lists and NIST AI RMF /
#    SP 800-53 the scenario's findings touch, for the risk register.

# %% tags=["parameters"]
scenario_path = "scenarios/finance-pipeline.yaml"  # relative to the repository root, or absolute
repo_root = None  # folder holding scenarios/; None searches up from the working directory
agent = None  # agent to review in depth; None: the one whose unapproved capabilities weigh most
replications = 3  # for the simulation-based findings (approver queues, token lifetimes, exposure)
seed = None  # None: the scenario's own seed

# %%
# %matplotlib inline
from pathlib import Path

import pandas as pd
from IPython.display import display
from matplotlib.figure import Figure

import workbench as wb
from workbench import viz
from workbench.findings.governance import capability_maps, iga_report

here = Path.cwd().resolve()
root = Path(repo_root) if repo_root else next(p for p in (here, *here.parents) if (p / "scenarios").is_dir())
scenario = wb.load_scenario(root / scenario_path)
index = wb.compile_access(scenario)
scenario

# %% [markdown]
# ## 1. Capability map
#
# One row per capability of every agent. `carried_by` is the chain of entities that gives it (empty:
# granted directly); `approved_by` names the live approval that covers it, or says GAP.

# %%
maps = capability_maps(scenario, graph_index=index)
capabilities = pd.DataFrame(
    [
        {
            "agent": cmap.agent,
            "resource": group.resource,
            "kind": group.kind,
            "sensitivity": group.sensitivity,
            "action": cap.action,
            "risk": cap.risk_level,
            "weight": cap.weight,
            "carried_by": ", ".join(c.id for c in cap.carriers) or "direct",
            "approved_by": ", ".join(f"{a.approver} ({a.approval})" for a in cap.approvals) or "GAP",
            "expired_approvals": ", ".join(a.approval for a in cap.expired_approvals),
            "reapproval_on": ", ".join(cap.reapproval_triggers),
            "blocked_by": ", ".join(cap.blocked_by),
            "gap": cap.gap,
        }
        for cmap in maps
        for group in cmap.resources
        for cap in group.capabilities
    ]
)
viz.table(capabilities, max_rows=15)

# %% [markdown]
# How much of each agent's reach nobody approved, by count and by weight (the blast-radius score of the
# capabilities). Weight matters more than count: executing a tool weighs nothing, moving money a lot.

# %%
by_agent = capabilities.pivot_table(index="agent", columns="gap", values="weight", aggfunc=["count", "sum"], fill_value=0, sort=False)
by_agent.columns = [f"{'capabilities' if how == 'count' else 'weight'} {'unapproved' if gap else 'approved'}" for how, gap in by_agent.columns]
by_agent = by_agent.reindex(columns=["capabilities approved", "capabilities unapproved", "weight approved", "weight unapproved"], fill_value=0)

figure = Figure(figsize=(10, 1.6 + 0.5 * len(by_agent)), layout="constrained")
for ax, measure in zip(figure.subplots(1, 2), ("capabilities", "weight")):
    approved, unapproved = by_agent[f"{measure} approved"], by_agent[f"{measure} unapproved"]
    ax.barh(by_agent.index, approved, color="#55a868", label="covered by a live approval")
    ax.barh(by_agent.index, unapproved, left=approved, color="#c44e52", label="gap: nobody approved")
    ax.set_xlabel("weighted score" if measure == "weight" else "capabilities")
    ax.invert_yaxis()
figure.legend(*figure.axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, frameon=False)
figure.suptitle("Capability map: approved and unapproved reach per agent")
figure

# %%
viz.table(by_agent)

# %% [markdown]
# In the finance pipeline the planner's approval expired in September and the researcher was never
# approved (an accepted risk, WB105), so all of their reach is a gap; the executor's approval leaves out
# transfers on purpose, so the transfer right it gets from its key and the planner's delegation is one.

# %% [markdown]
# ## 2. IGA answers
#
# One line per agent first, then the full review of one agent, section by section.

# %%
reviews = {review.agent: review for review in iga_report(scenario, graph_index=index)}
overview = pd.DataFrame(
    [
        {
            "agent": r.agent,
            "owner": f"{r.owner or 'nobody'} ({r.owner_status})",
            "business purpose": r.business_purpose or "not stated",
            "live approvals": sum(a.live for a in r.approvals),
            "expired approvals": sum(not a.live for a in r.approvals),
            "tools": len(r.tools),
            "datasets": len(r.data),
            "credentials held": len(r.held_credentials),
            "secrets readable": len(r.readable_secrets),
            "audit logging": r.audit_logging,
            "revoked on": ", ".join(t.event for t in r.revocation) or "nothing",
            "blocked actions": len(r.blocked),
        }
        for r in reviews.values()
    ]
)
viz.table(overview)

# %%
if agent is None:
    gap_weight = capabilities[capabilities["gap"]].groupby("agent", sort=False)["weight"].sum()
    agent = gap_weight.idxmax() if not gap_weight.empty else scenario.agents[0].id
review = reviews[agent].to_dict()
print(f"{agent} ({review['name']}), owned by {review['owner']} ({review['owner_status']})")
print(f"purpose: {review['business_purpose']}")
print(f"audit logging: {'yes' if review['audit_logging'] else 'NO'}; re-approval on: {', '.join(review['reapproval_triggers']) or 'nothing'}")
for section in ("approvals", "tools", "data", "held_credentials", "readable_secrets", "step_up", "credentials", "revocation", "blocked"):
    print(f"\n{section.replace('_', '-')}:")
    display(viz.table(pd.DataFrame(review[section])) if review[section] else "none")

# %% [markdown]
# The `step_up` and `credentials` sections are where control designs differ for the reviewer: under the
# standing designs the agent holds all of its effective permissions at all times, under the token designs
# it holds a token per task, scoped to the task's steps, that ends with the task or its TTL.

# %% [markdown]
# ## 3. Findings and framework coverage
#
# The findings come from rules over the access graph and, given a simulation, over its results (saturated
# approver queues, tokens that outlive their tasks, exposure above the scenario's threshold). Each rule
# maps to entries of the frameworks in workbench's catalog; the catalog ships as data
# (`workbench/frameworks/catalog.yaml` and `mappings.yaml`).

# %%
result = wb.simulate(scenario, replications=replications, seed=seed, keep_records=False)
findings = wb.evaluate(scenario, graph_index=index, simulation=result)
catalog = wb.load_catalog()
print("findings per severity:", findings.counts(), f"({len(findings.suppressed)} accepted)")
viz.table(
    pd.DataFrame(
        [
            {"rule": f.rule_id, "severity": f.severity, "entity": f.entity_id, "title": f.title, "accepted": f.suppressed, "refs": " ".join(str(r) for r in f.refs)}
            for f in findings
        ]
    ),
    max_rows=len(findings),
)

# %% [markdown]
# Coverage per framework: how many of its entries the findings touch. The short top-10 lists are complete
# in the catalog, so what is *not* touched is visible too; for the larger catalogs (ATLAS, SP 800-53) only
# the entries workbench maps to are listed.

# %%
coverage = catalog.coverage([rule for rule in findings.rule_ids if rule in catalog.rule_ids])
frameworks = pd.DataFrame(
    [
        {"framework": fw.key, "name": fw.name, "version": fw.version, "touched": len(coverage[fw.key]), "entries": len(fw.entries), "official ids": fw.official_ids}
        for fw in catalog.frameworks
    ]
)
viz.table(frameworks)

# %%
figure = Figure(figsize=(8, 0.9 + 0.4 * len(frameworks)), layout="constrained")
ax = figure.add_subplot()
ax.barh(frameworks["framework"], frameworks["entries"], color="#dddddd", label="entries in the catalog")
ax.barh(frameworks["framework"], frameworks["touched"], color="#4c72b0", label="touched by this scenario's findings")
for y, (touched, total) in enumerate(zip(frameworks["touched"], frameworks["entries"])):
    ax.annotate(f"{touched}/{total}", (total, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
ax.invert_yaxis()
ax.set_xlabel("entries")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, frameon=False, fontsize=8)
ax.set_title(f"Framework coverage of {scenario.name}'s findings")
figure

# %% [markdown]
# The touched entries, framework by framework, with the rules that touch them. MAESTRO publishes no
# identifiers: its layers are numbered by MAESTRO, but the threat keys are workbench's own, so cite MAESTRO
# threats by name (the catalog says so in each framework's `id_note`).

# %%
for fw in catalog.frameworks:
    if not fw.official_ids:
        print(f"{fw.key}: {fw.id_note}")
touched = pd.DataFrame(
    [
        {"framework": key, "entry": entry.id, "name": entry.name, "kind": entry.kind, "rules": ", ".join(rules)}
        for key, entries in coverage.items()
        for entry, rules in entries
    ]
)
viz.table(touched, max_rows=len(touched))

# %% [markdown]
# **Reading it.** The gaps in the capability map are the review's action list: approve them with a business
# purpose, or remove them. The IGA answers are what an auditor asks for each agent, in the same order every
# time, and the framework table is what goes into the risk register. `workbench report` renders all three
# into every scenario's report (Markdown, HTML, `results.json` and SARIF for code scanning).
