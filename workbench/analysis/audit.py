"""Audit questions over a run: what could this agent do at time t, on which credential, approved by whom?

Answered from the run's event log (tokens issued, expired and revoked; step-up approvals) and the design's
standing access, traced back to the scenario element that gives it (role, service account, secret, tool or
delegation) and to the scenario approvals that cover it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from workbench.model import Agent, Scenario
from workbench.sim.engine import ReplicationOutput
from workbench.sim.reach import Grant, ReachIndex
from workbench.sim.records import Event

__all__ = ["AgentState", "Holding", "state_of_run"]

HOLDING_COLUMNS = (
    "action",
    "resource",
    "credential",
    "credential_kind",
    "since_s",
    "until_s",
    "approved_by",
    "purpose",
)


@dataclass(frozen=True)
class Holding:
    """One credential an agent held at the moment asked about, and what it allowed."""

    credential: str  # e.g. "role:support-agent-role", "secret:mailer-api-key", "tool:crm-mcp", "tok-17"
    kind: str  # role, service_account, secret, tool, delegation, token
    permissions: tuple[Grant, ...]
    since_s: float = -math.inf
    until_s: float = math.inf
    approved_by: tuple[str, ...] = ()
    purpose: str = ""


@dataclass(frozen=True)
class AgentState:
    """What an agent was allowed to do at `time_s` in one run, and on what."""

    agent: str
    time_s: float
    control: str
    replication: int
    holdings: tuple[Holding, ...]
    compromised: bool = False
    approvals: tuple[Event, ...] = field(default=())  # step-up reviews of its running tasks

    @property
    def permissions(self) -> frozenset[Grant]:
        """Everything the agent could exercise at that moment, on any credential."""
        return frozenset(g for h in self.holdings for g in h.permissions)

    def to_frame(self) -> pd.DataFrame:
        """One row per (credential, permission)."""
        rows = [
            (a, r, h.credential, h.kind, h.since_s, h.until_s, ", ".join(h.approved_by), h.purpose)
            for h in self.holdings
            for a, r in h.permissions
        ]
        return pd.DataFrame.from_records(rows, columns=list(HOLDING_COLUMNS))


def state_of_run(scenario: Scenario, run: ReplicationOutput, agent: str, time_s: float) -> AgentState:
    """The state of `agent` at `time_s` in `run` (token holdings need a run made with keep_records=True)."""
    item = scenario.by_id.get(agent)
    if not isinstance(item, Agent):
        raise KeyError(f"'{agent}' is not an agent of scenario '{scenario.name}'")
    if not run.keep_records:
        raise ValueError("this run kept no event log (keep_records=False); re-run with keep_records=True")
    reach = ReachIndex(scenario)
    standing = run.standing.get(agent, frozenset())
    holdings = [*_standing_holdings(scenario, reach, item, standing), *_token_holdings(run.events, agent, time_s)]
    suspended = _suspended_at(run.events, agent, time_s)
    holdings = [_with_approvals(scenario, reach, agent, h, time_s, suspended) for h in holdings]
    compromised = any(c.target == agent and c.compromised_s <= time_s < c.contained_s for c in run.compromises)
    running = {t.task_id for t in run.tasks if t.agent == agent and t.arrival_s <= time_s < t.end_s}
    approvals = tuple(
        e
        for e in run.events
        if e.kind == "approval" and e.identity == agent and e.task_id in running and e.time_s <= time_s
    )
    return AgentState(agent, time_s, run.control, run.replication, tuple(holdings), compromised, approvals)


def _standing_holdings(
    scenario: Scenario, reach: ReachIndex, agent: Agent, standing: frozenset[Grant]
) -> list[Holding]:
    """Standing access traced to its source (role, account, secret, delegation, wired tool's own key)."""
    out: list[Holding] = []

    def add(credential: str, kind: str, grants: frozenset[Grant]) -> None:
        held = grants & standing
        if held:
            out.append(Holding(credential, kind, tuple(sorted(held))))

    for role_id in agent.roles:
        role = scenario.by_id.get(role_id)
        grants: frozenset[Grant] = frozenset()
        for permission in getattr(role, "permissions", []):
            grants |= reach.expand(permission)
        add(f"role:{role_id}", "role", grants)
    if agent.runs_as is not None:
        add(f"service_account:{agent.runs_as}", "service_account", reach.effective(agent.runs_as))
    for credential in agent.credentials:
        add(f"secret:{credential.secret}", "secret", reach.compromise(credential.secret))
    for delegation in scenario.delegations:
        if delegation.delegate == agent.id:
            grants = frozenset()
            for permission in delegation.scope:
                grants |= reach.expand(permission)
            add(f"delegation:{delegation.id}", "delegation", grants or standing)
    for tool_id in agent.tools:
        add(f"tool:{tool_id}", "tool", reach.conduit(tool_id))
    return out


def _token_holdings(events: list[Event], agent: str, time_s: float) -> list[Holding]:
    """Tokens of `agent` issued at or before `time_s` and not yet ended."""
    issued: dict[str, Event] = {}
    ended: dict[str, float] = {}
    for event in events:
        if event.identity != agent:
            continue
        if event.kind == "token_issued":
            issued[event.credential] = event
        elif event.kind in ("token_expired", "token_revoked"):
            ended[event.credential] = event.time_s
    out = []
    for name, event in issued.items():
        until = min(ended.get(name, math.inf), event.expires_s)
        if event.time_s <= time_s < until:
            grants: tuple[Grant, ...] = tuple(_grant(item) for item in event.scope.split())
            purpose = f"{event.purpose} token for task {event.task_id} ({event.task_type or 'no task'})"
            approver = (f"{event.approver} ({event.approver_pool})",) if event.approver else ()
            out.append(Holding(name, "token", grants, event.time_s, until, approver, purpose))
    return out


def _grant(item: str) -> Grant:
    action, resource = item.split(":", 1)
    return (action, resource)


def _suspended_at(events: list[Event], agent: str, time_s: float) -> frozenset[str]:
    """Approvals of `agent` suspended by an anomaly at `time_s` and not yet re-approved."""
    suspended: set[str] = set()
    for event in events:
        if event.time_s > time_s:
            break
        if event.identity != agent:
            continue
        if event.kind == "approval_suspended":
            suspended.add(event.reason)
        elif event.kind == "approval" and event.outcome == "approved" and event.reason:
            suspended.difference_update(event.reason.split())
    return frozenset(suspended)


def _with_approvals(
    scenario: Scenario, reach: ReachIndex, agent: str, holding: Holding, time_s: float, suspended: frozenset[str]
) -> Holding:
    """Add the scenario approvals live at `time_s` (and not suspended) that cover the holding's permissions."""
    as_of = scenario.as_of
    approvers = list(holding.approved_by)
    purposes = [holding.purpose] if holding.purpose else []
    for approval in scenario.approvals:
        if approval.agent != agent or approval.id in suspended:
            continue
        start = (approval.granted - as_of).days * 86400.0
        end = math.inf if approval.expires is None else (approval.expires - as_of).days * 86400.0
        if not start <= time_s < end:
            continue
        scope: frozenset[Grant] = frozenset()
        for permission in approval.scope:
            scope |= reach.expand(permission)
        if scope & frozenset(holding.permissions):
            approvers.append(f"{approval.approver} (approval {approval.id})")
            purposes.append(approval.business_purpose)
    return Holding(
        holding.credential,
        holding.kind,
        holding.permissions,
        holding.since_s,
        holding.until_s,
        tuple(approvers),
        "; ".join(purposes),
    )
