"""The finding rules as data: id, title, default severity, what the rule reads, help text and remediation.

Reports (and SARIF's `rules` array) render this table; the checks that raise the findings live in the
modules named in `module`, one small function per rule. Rule ids are fixed and shared with the framework
catalog (frameworks/mappings.yaml).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from workbench.errors import RuleError
from workbench.findings.finding import Severity

__all__ = ["RULES", "Rule", "RuleInput", "rule"]

RuleInput = Literal["scenario", "simulation"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One finding rule: what it detects, how bad it is by default, and how to fix what it finds."""

    id: str
    title: str
    severity: Severity
    reads: RuleInput
    description: str
    remediation: str


RULES: tuple[Rule, ...] = (
    Rule(
        "WB001", "Scenario hygiene: entity nothing references", "info", "scenario",
        "A role, secret, tool, dataset or service account that no other part of the scenario refers to. It adds "
        "nothing to any analysis and usually means a typo or a half-finished model.",
        "Wire the entity to whoever uses it, or delete it.",
    ),
    Rule(
        "WB002", "Accepted risk matches no finding", "info", "scenario",
        "A live accepted risk names a rule (and entity) for which no finding is raised: the risk was fixed and "
        "the acceptance is stale, or the acceptance names the wrong rule or entity and the finding it was meant "
        "for is open and unsuppressed.",
        "Delete the acceptance if the risk is gone; otherwise correct its finding and entity.",
    ),
    Rule(
        "WB101", "Over-privileged agent", "medium", "scenario",
        "The agent's effective permissions include pairs that no step of any of its task types needs. Unused "
        "access is pure blast radius: it helps only an attacker who hijacks the agent.",
        "Remove the unused permissions from the agent's roles, secrets and tools, or narrow the tool's actions.",
    ),
    Rule(
        "WB102", "Standing access to a secret", "high", "scenario",
        "The agent holds a secret, or can read one, at all times instead of receiving it just in time. In "
        "standing designs a hijack or a leak of the agent's configuration hands the secret over.",
        "Issue the credential per task from a broker (JIT, workload identity) instead of storing it with the agent.",
    ),
    Rule(
        "WB103", "Long-lived or never-rotated secret", "medium", "scenario",
        "A secret's lifetime or rotation period is unbounded or longer than thresholds.secret_max_age, so a "
        "leaked copy stays usable for months.",
        "Give the secret a short lifetime and rotate it automatically, or replace it with short-lived tokens.",
    ),
    Rule(
        "WB104", "Secret stored in agent config or code", "high", "scenario",
        "A copy of a secret lives in an agent's configuration or in code, where prompts, logs, repositories and "
        "anyone with access to the agent can read it.",
        "Keep the secret in a vault and have the agent fetch it (or a token derived from it) at run time.",
    ),
    Rule(
        "WB105", "Agent with no approval or no business purpose", "medium", "scenario",
        "Nobody has signed off the agent, or it states no business purpose: its access cannot be judged "
        "against anything.",
        "Record the business purpose and have an accountable human approve the agent and its scope.",
    ),
    Rule(
        "WB106", "Approval expired", "medium", "scenario",
        "An approval's expiry date is before the scenario's as_of date, yet the agent keeps its access.",
        "Re-approve the agent (reviewing its scope) or revoke the access the approval covered.",
    ),
    Rule(
        "WB107", "Access beyond the approved scope", "high", "scenario",
        "The agent can exercise permissions that no live approval of it covers (approved tools cover only "
        "executing the tool, not what the tool reaches with its own credential).",
        "Remove the unapproved access, or extend the approval through the re-approval process.",
    ),
    Rule(
        "WB108", "Identity or secret shared by several agents", "medium", "scenario",
        "Several agents share one workload identity, one service account or one held secret: their actions "
        "cannot be told apart in logs and revoking one revokes all.",
        "Give each agent its own workload identity and its own credentials.",
    ),
    Rule(
        "WB109", "Agent runs as a broad legacy service account", "high", "scenario",
        "The agent runs as (or logs in with a secret of) a service account that is legacy or reaches at least "
        "thresholds.broad_service_account_resources resources, inheriting access nobody scoped for it.",
        "Give the agent a dedicated identity scoped to its tasks; retire the shared legacy account.",
    ),
    Rule(
        "WB110", "Delegation that widens scope or is not attenuated", "high", "scenario",
        "A live delegation names permissions its delegator does not hold, passes on everything the delegator "
        "has (no scope), or is not attenuated: the delegate can end up with more than any human approved.",
        "Scope delegations to what the task needs and mark them attenuated, so they never exceed the delegator.",
    ),
    Rule(
        "WB111", "Confused deputy through a tool's own credential", "high", "scenario",
        "Through a tool that acts with its own credential the agent reaches permissions it is not itself "
        "granted: anyone who steers the agent borrows the tool's authority.",
        "Make the tool act with the caller's identity (on-behalf-of tokens), or narrow the tool's own access.",
    ),
    Rule(
        "WB112", "Lethal trifecta", "critical", "scenario",
        "One agent reads untrusted input, can read sensitive data (confidential, restricted or personal) and "
        "can send data out (an external tool, or send to a system an external tool reaches). One injected "
        "instruction is enough to exfiltrate the data.",
        "Break one leg: separate the agent that reads untrusted input from sensitive data or from the outbound "
        "channel, or gate outbound sends behind a human.",
    ),
    Rule(
        "WB113", "Untrusted input drives consequential actions without step-up", "high", "scenario",
        "An agent that reads untrusted input can write, delete, transfer or execute on data or systems, and no "
        "control design of the scenario puts a human (step-up or JIT approval) or a block in front of it.",
        "Model and adopt a design that steps these actions up to a human (rbac_step_up, JIT approval_at, "
        "intent-aware JIT), or block them for untrusted-input agents.",
    ),
    Rule(
        "WB114", "No revocation trigger", "medium", "scenario",
        "No revocation trigger names the agent (or '*'): nothing defined revokes its credentials when it "
        "misbehaves, finishes or loses its owner.",
        "Define revocation triggers (anomaly_detected, owner_offboarded, approval_expired, task_complete).",
    ),
    Rule(
        "WB115", "No audit logging", "medium", "scenario",
        "The agent's actions are not logged for audit, so misuse can be neither detected nor attributed.",
        "Log every action of the agent with its identity, task and on-behalf-of principal.",
    ),
    Rule(
        "WB116", "Cross-environment access", "high", "scenario",
        "A dev or staging agent reaches production data, so a compromise of a less-protected environment "
        "reaches production.",
        "Give non-production agents non-production data and credentials only.",
    ),
    Rule(
        "WB117", "Orphaned agent", "medium", "scenario",
        "The agent has no owner, or its owner has been offboarded: nobody is accountable for it and nobody "
        "will notice when its access is no longer needed.",
        "Assign an active owner, or decommission the agent and revoke its credentials.",
    ),
    Rule(
        "WB118", "High-impact action without human approval", "high", "scenario",
        "The agent can perform a critical-risk action (or transfer/delete on restricted data) and no control "
        "design of the scenario puts a human approval or a block in front of it.",
        "Require a human approval for the action (step-up or JIT approval_at), or block it.",
    ),
    Rule(
        "WB119", "Accepted risk expired", "medium", "scenario",
        "An accepted risk's expiry date has passed: the acceptance no longer suppresses anything and must be "
        "reviewed.",
        "Fix the underlying finding, or renew the acceptance with a fresh justification and expiry.",
    ),
    Rule(
        "WB120", "Inline secret in an MCP client config", "high", "scenario",
        "A key's value is written into an MCP client's configuration file (found by `workbench import mcp`). "
        "The file sits on a laptop or in a repository, in backups and dotfile syncs, readable by every local "
        "process: whoever reads it holds the key.",
        "Move the value to the client's secret prompt (VS Code `inputs`) or an environment variable filled from "
        "a vault, rotate the key, and remove it from the file and its history.",
    ),
    Rule(
        "WB121", "Same secret in several MCP configs", "high", "scenario",
        "One key (the same salted fingerprint) is written into several MCP client configurations: a team key "
        "pasted onto every laptop. One leak exposes all of them, nobody can tell whose use is whose, and "
        "revoking it breaks every client at once.",
        "Issue one key per person or client, or broker the server through a gateway that holds the key.",
    ),
    Rule(
        "WB122", "Remote MCP server with a static credential header", "medium", "scenario",
        "A remote MCP server is called with a fixed Authorization or API-key header from the client's config: "
        "a bearer credential that does not expire with the task and can be replayed by anyone who reads it.",
        "Use the server's OAuth flow (short-lived, per-user tokens) instead of a static header.",
    ),
    Rule(
        "WB123", "Agent service role allowed every action", "critical", "scenario",
        "An IAM role that an agent service (Amazon Bedrock agents, AgentCore) may assume has a policy allowing "
        "`*` actions: a prompt-injected or hijacked agent can do anything the account can.",
        "Scope the role to the actions and resources the agent's tools need; add a permissions boundary.",
    ),
    Rule(
        "WB124", "Kubernetes agent bound to cluster-admin", "critical", "scenario",
        "A workload selected as an agent runs as a Kubernetes service account bound to cluster-admin (or a "
        "ClusterRole with `*` verbs on `*` resources) cluster-wide: a hijacked agent owns the cluster, its "
        "secrets and every workload on it.",
        "Bind the agent's service account to a namespaced Role with only the verbs and resources its tools use.",
    ),
    Rule(
        "WB201", "Approver queue saturated", "medium", "simulation",
        "In a control design, the mean over replications of an approver pool's 95th-percentile wait exceeds "
        "the pool's sla_p95: step-ups stall work and push people to rubber-stamp.",
        "Add reviewers, narrow what needs step-up, or pre-approve routine scopes.",
    ),
    Rule(
        "WB202", "Tokens live far longer than their tasks", "medium", "simulation",
        "In a token design, the token TTL is more than thresholds.token_lifetime_ratio times the mean duration "
        "of the tasks that use them: a stolen token outlives its purpose.",
        "Shorten token_ttl towards the task duration, or end tokens with the task.",
    ),
    Rule(
        "WB203", "Compromise exposure above threshold", "high", "simulation",
        "In a control design, the mean exposure per compromise (score-hours) exceeds thresholds.exposure.",
        "Shrink standing access (JIT), speed up detection and revocation, or narrow what the target reaches.",
    ),
)  # fmt: skip
"""Every rule, in id order."""

_BY_ID: Mapping[str, Rule] = MappingProxyType({r.id: r for r in RULES})


def rule(rule_id: str) -> Rule:
    """The rule with this id; RuleError for an id no rule has (a typo in a check must not pass quietly)."""
    try:
        return _BY_ID[rule_id]
    except KeyError:
        raise RuleError(f"{rule_id}: no such finding rule") from None
