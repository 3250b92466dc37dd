"""Governance views of each agent, as plain records a report template renders.

The **capability map** follows each capability (an action on a resource, grouped by resource) to the roles,
secrets, tools and delegations that carry it, to the approvals (approver and business purpose) that cover
it, to the triggers that force re-approval or revoke it, and marks the gaps: capabilities nobody approved.

The **IGA answers** are the questions an identity-governance review asks of an agent, answered from the
scenario: who approved it and for what; which tools, APIs, datasets and secrets it may access; what triggers
re-approval or step-up; how its credentials are issued, scoped, logged and revoked in each control design;
and which actions stay blocked even with valid credentials.

Everything comes out in a fixed order (scenario order for entities, ACTIONS order for actions, scenario order
for designs), so a report rendered twice is byte-identical.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from workbench.findings.access import AccessView, Pair, Route, format_pairs
from workbench.findings.approvals import approval_live, covered_pairs
from workbench.findings.context import RuleContext
from workbench.findings.gates import AS_MODELLED, gates
from workbench.graph.index import AccessIndex
from workbench.model import (
    Agent,
    Approval,
    BlockedAction,
    Dataset,
    Human,
    Scenario,
    Secret,
    Tool,
    format_duration,
)
from workbench.model.access import ReapprovalTrigger
from workbench.policy.requests import make_request
from workbench.policy.step_up import resolve_pool

__all__ = [
    "AccessAnswer",
    "ApprovalBasis",
    "BlockAnswer",
    "Capability",
    "CapabilityMap",
    "Carrier",
    "CredentialAnswer",
    "HeldCredentialAnswer",
    "IgaAnswers",
    "ResourceCapabilities",
    "RevocationAnswer",
    "StepUpAnswer",
    "ToolAnswer",
    "capability_map",
    "capability_maps",
    "iga_answers",
    "iga_report",
]


# -- records ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApprovalBasis:
    """One approval of an agent: who signed off, for what purpose, when, until when, and what re-opens it."""

    approval: str
    approver: str
    business_purpose: str
    granted: str
    expires: str | None
    live: bool
    reapproval_triggers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Carrier:
    """An entity on a route that carries a capability to the agent (role, secret, account, tool, delegator)."""

    id: str
    kind: str


@dataclass(frozen=True, slots=True)
class RevocationAnswer:
    """An event that revokes the agent's live credentials, and how fast."""

    event: str
    latency_s: float
    latency: str
    applies_to: str  # the agent's id, or "*" for a trigger covering every agent


@dataclass(frozen=True, slots=True)
class Capability:
    """One action on one resource the agent can exercise, and everything governance knows about it."""

    action: str
    resource: str
    weight: float
    risk_level: str
    carriers: tuple[Carrier, ...]
    tools: tuple[str, ...]
    approvals: tuple[ApprovalBasis, ...]
    expired_approvals: tuple[ApprovalBasis, ...]
    reapproval_triggers: tuple[str, ...]
    blocked_by: tuple[str, ...]

    @property
    def gap(self) -> bool:
        """True if no live approval covers the capability."""
        return not self.approvals


@dataclass(frozen=True, slots=True)
class ResourceCapabilities:
    """The agent's capabilities on one resource."""

    resource: str
    kind: str  # dataset, system, secret or tool
    sensitivity: str | None
    pii: bool
    environment: str | None
    capabilities: tuple[Capability, ...]


@dataclass(frozen=True, slots=True)
class CapabilityMap:
    """Capability -> carriers -> approver and purpose -> triggers -> gaps, for one agent."""

    agent: str
    owner: str | None
    business_purpose: str | None
    resources: tuple[ResourceCapabilities, ...]
    revocation_triggers: tuple[RevocationAnswer, ...]

    @property
    def capabilities(self) -> tuple[Capability, ...]:
        """Every capability, resources in scenario order."""
        return tuple(c for r in self.resources for c in r.capabilities)

    @property
    def gaps(self) -> tuple[Capability, ...]:
        """Capabilities no live approval covers."""
        return tuple(c for c in self.capabilities if c.gap)

    def to_dict(self) -> dict[str, Any]:
        """Nested plain dicts and lists for templates and JSON, with `gap` and `gaps` spelled out."""
        data = _plain(self)
        for resource, entry in zip(self.resources, data["resources"], strict=True):
            for capability, row in zip(resource.capabilities, entry["capabilities"], strict=True):
                row["gap"] = capability.gap
        data["gaps"] = [f"{c.action}:{c.resource}" for c in self.gaps]
        return data


@dataclass(frozen=True, slots=True)
class ToolAnswer:
    """A tool, API or MCP server the agent may call, and what it does with its own credential."""

    tool: str
    kind: str
    external: bool
    wired: bool  # listed in the agent's `tools`; otherwise reachable through an execute permission
    credential: str | None
    runs_as: str | None
    reaches: str  # `action:resource` the tool performs when called


@dataclass(frozen=True, slots=True)
class AccessAnswer:
    """A dataset, system or secret the agent may act on, with the actions."""

    resource: str
    kind: str
    sensitivity: str
    pii: bool
    environment: str
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HeldCredentialAnswer:
    """A secret the agent holds a copy of, where the copy lives, and how each design issues it.

    Holding is not reading: the agent uses the credential to authenticate (what it unlocks is in its
    effective permissions); `IgaAnswers.readable_secrets` are secrets it may read as data.
    """

    secret: str
    stored_in: str  # vault, env, agent_config or code
    issued: tuple[tuple[str, str], ...]  # (design, how): the copy is held at all times, or replaced by tokens


@dataclass(frozen=True, slots=True)
class StepUpAnswer:
    """When one design makes the agent wait for a human, and what it denies outright."""

    design: str
    kind: str
    rule: str
    approver_pool: str | None
    stepped_up: str  # `action:resource` of the agent's capabilities this design steps up in its tasks
    denied: str  # ... and those it denies (blocked actions included)


@dataclass(frozen=True, slots=True)
class CredentialAnswer:
    """How the agent's credentials are issued, scoped and ended in one design."""

    design: str
    mode: str  # standing or task_token
    issued: str
    scope: str
    permissions: int
    token_ttl_s: float | None
    ends: str


@dataclass(frozen=True, slots=True)
class BlockAnswer:
    """A blocked action that applies to the agent, denied even with valid credentials."""

    block: str
    action: str
    resource: str
    applies: str  # "always" or the conditions
    reason: str | None


@dataclass(frozen=True, slots=True)
class IgaAnswers:
    """An identity-governance review of one agent, one field per question."""

    agent: str
    name: str | None
    owner: str | None
    owner_status: str  # active, offboarded, missing or unknown
    business_purpose: str | None
    approvals: tuple[ApprovalBasis, ...]
    tools: tuple[ToolAnswer, ...]
    data: tuple[AccessAnswer, ...]
    held_credentials: tuple[HeldCredentialAnswer, ...]
    readable_secrets: tuple[AccessAnswer, ...]
    reapproval_triggers: tuple[str, ...]
    step_up: tuple[StepUpAnswer, ...]
    credentials: tuple[CredentialAnswer, ...]
    audit_logging: bool
    revocation: tuple[RevocationAnswer, ...]
    blocked: tuple[BlockAnswer, ...]

    @property
    def apis(self) -> tuple[ToolAnswer, ...]:
        """The tools that are APIs or MCP servers."""
        return tuple(t for t in self.tools if t.kind in ("api", "mcp_server"))

    def to_dict(self) -> dict[str, Any]:
        """Nested plain dicts and lists for templates and JSON."""
        return _plain(self)


# -- capability map -----------------------------------------------------------------------------------------


def capability_map(scenario: Scenario, agent_id: str, *, graph_index: AccessIndex | None = None) -> CapabilityMap:
    """The capability map of one agent (KeyError for an id that is not an agent)."""
    return _capability_map(_context(scenario, graph_index), scenario.agent(agent_id))


def capability_maps(
    scenario: Scenario, *, graph_index: AccessIndex | None = None, agents: Sequence[str] | None = None
) -> list[CapabilityMap]:
    """The capability map of every agent in scenario order, or of `agents` in the order given.

    One call shares the route walk of every account and delegator between the agents, so asking for many
    agents at once costs far less than calling `capability_map` for each (KeyError for an unknown agent).
    """
    ctx = _context(scenario, graph_index)
    return [_capability_map(ctx, agent) for agent in _agents(scenario, agents)]


def _capability_map(ctx: RuleContext, agent: Agent) -> CapabilityMap:
    s = ctx.scenario
    access = ctx.access
    resources = access.index.resources
    coverage = [(_basis(s, a), covered_pairs(s, a, resources=resources)) for a in ctx.approvals_of(agent.id)]
    blocks = ctx.blocks
    by_resource: dict[str, list[Capability]] = {}
    for pair in access.sorted(access.effective(agent.id)):
        live = tuple(basis for basis, pairs in coverage if pair in pairs and basis.live)
        expired = tuple(basis for basis, pairs in coverage if pair in pairs and not basis.live)
        carriers = _carriers(s, agent.id, pair, access.routes(agent.id, pair) or (access.explain(agent.id, pair),))
        match = blocks.match(make_request(s, agent.id, pair[0], pair[1]))
        by_resource.setdefault(pair[1], []).append(
            Capability(
                action=pair[0],
                resource=pair[1],
                weight=access.weight(pair),
                risk_level=access.risk(pair),
                carriers=carriers,
                tools=tuple(c.id for c in carriers if c.kind == "tool"),
                approvals=live,
                expired_approvals=expired,
                reapproval_triggers=_triggers(t for basis in live for t in basis.reapproval_triggers),
                blocked_by=() if match is None else (match.id,),
            )
        )
    return CapabilityMap(
        agent=agent.id,
        owner=agent.owner,
        business_purpose=agent.business_purpose,
        resources=tuple(_resource(s, rid, tuple(caps)) for rid, caps in by_resource.items()),
        revocation_triggers=_revocations(s, agent.id),
    )


def _carriers(scenario: Scenario, agent_id: str, pair: Pair, routes: Iterable[Route]) -> tuple[Carrier, ...]:
    seen: dict[str, None] = {}
    for route in routes:
        for hop in route:
            for node in (hop.source, hop.target):
                if node not in (agent_id, pair[1]):
                    seen.setdefault(node, None)
    return tuple(Carrier(node, scenario.kinds.get(node, "unknown")) for node in seen)


def _resource(scenario: Scenario, resource_id: str, capabilities: tuple[Capability, ...]) -> ResourceCapabilities:
    item = scenario.by_id.get(resource_id)
    kind = item.kind if isinstance(item, Dataset) else scenario.kinds.get(resource_id, "unknown")
    return ResourceCapabilities(
        resource=resource_id,
        kind=kind,
        sensitivity=getattr(item, "sensitivity", None),
        pii=bool(getattr(item, "pii", False)),
        environment=getattr(item, "environment", None),
        capabilities=capabilities,
    )


# -- IGA answers --------------------------------------------------------------------------------------------


def iga_answers(scenario: Scenario, agent_id: str, *, graph_index: AccessIndex | None = None) -> IgaAnswers:
    """The IGA review of one agent (KeyError for an id that is not an agent)."""
    return _iga(_context(scenario, graph_index), scenario.agent(agent_id))


def iga_report(
    scenario: Scenario, *, graph_index: AccessIndex | None = None, agents: Sequence[str] | None = None
) -> list[IgaAnswers]:
    """The IGA review of every agent in scenario order, or of `agents` in the order given (KeyError if unknown)."""
    ctx = _context(scenario, graph_index)
    return [_iga(ctx, agent) for agent in _agents(scenario, agents)]


def _iga(ctx: RuleContext, agent: Agent) -> IgaAnswers:
    s = ctx.scenario
    access = ctx.access
    effective = access.sorted(access.effective(agent.id))
    live = ctx.live_approvals_of(agent.id)
    return IgaAnswers(
        agent=agent.id,
        name=agent.name,
        owner=agent.owner,
        owner_status=_owner_status(s, agent),
        business_purpose=agent.business_purpose,
        approvals=tuple(_basis(s, a) for a in ctx.approvals_of(agent.id)),
        tools=_tools(ctx, agent, effective),
        data=_accesses(s, effective, (Dataset,)),
        held_credentials=_held(ctx, agent),
        readable_secrets=_accesses(s, effective, (Secret,)),
        reapproval_triggers=_triggers(t for a in live for t in a.reapproval_triggers),
        step_up=_step_ups(ctx, agent, effective),
        credentials=_credentials(ctx, agent, len(effective)),
        audit_logging=agent.audit_logging,
        revocation=_revocations(s, agent.id),
        blocked=_blocks(s, agent),
    )


def _owner_status(scenario: Scenario, agent: Agent) -> str:
    if agent.owner is None:
        return "missing"
    owner = scenario.by_id.get(agent.owner)
    if not isinstance(owner, Human):
        return "unknown"
    return "offboarded" if owner.offboarded else "active"


def _tools(ctx: RuleContext, agent: Agent, effective: list[Pair]) -> tuple[ToolAnswer, ...]:
    reachable = [r for a, r in effective if a == "execute" and ctx.scenario.kinds.get(r) == "tool"]
    ordered = list(dict.fromkeys([*agent.tools, *reachable]))
    answers = []
    for tool_id in ordered:
        tool = ctx.scenario.by_id.get(tool_id)
        if not isinstance(tool, Tool):
            continue
        answers.append(
            ToolAnswer(
                tool=tool.id,
                kind=tool.kind,
                external=tool.external,
                wired=tool.id in agent.tools,
                credential=tool.credential,
                runs_as=tool.runs_as,
                reaches=format_pairs(ctx.access.conduit(tool.id)),
            )
        )
    return tuple(answers)


def _accesses(scenario: Scenario, effective: list[Pair], kinds: tuple[type, ...]) -> tuple[AccessAnswer, ...]:
    actions: dict[str, list[str]] = {}
    for action, resource in effective:
        if isinstance(scenario.by_id.get(resource), kinds):
            actions.setdefault(resource, []).append(action)
    answers = []
    for resource, acts in actions.items():
        item = scenario.by_id[resource]
        answers.append(
            AccessAnswer(
                resource=resource,
                kind=item.kind if isinstance(item, Dataset) else "secret",
                sensitivity=getattr(item, "sensitivity", ""),
                pii=bool(getattr(item, "pii", False)),
                environment=getattr(item, "environment", ""),
                actions=tuple(acts),
            )
        )
    return tuple(answers)


_HELD_AT_ALL_TIMES = "held at all times"
_REPLACED_BY_TOKENS = "not held: replaced by per-task tokens issued to its workload identity"


def _held(ctx: RuleContext, agent: Agent) -> tuple[HeldCredentialAnswer, ...]:
    """The agent's own copies of secrets; token designs replace them, as the simulation does."""
    modes = [(d.label, d.credential_mode) for d in ctx.designs] or [(AS_MODELLED, "standing")]
    issued = tuple((label, _HELD_AT_ALL_TIMES if mode == "standing" else _REPLACED_BY_TOKENS) for label, mode in modes)
    return tuple(HeldCredentialAnswer(c.secret, c.stored_in, issued) for c in agent.credentials)


def _step_ups(ctx: RuleContext, agent: Agent, effective: list[Pair]) -> tuple[StepUpAnswer, ...]:
    """Per design, the agent's capabilities it steps up or denies inside the agent's tasks.

    Executing a tool is left out: tasks request the action the tool performs, never the tool itself.
    """
    decided: dict[str, dict[str, list[Pair]]] = {}
    for pair in effective:
        if ctx.scenario.kinds.get(pair[1]) == "tool":
            continue
        for gate in gates(ctx, agent.id, pair, hijacked=False):
            decided.setdefault(gate.design, {}).setdefault(gate.outcome, []).append(pair)
    answers = []
    for control in ctx.scenario.controls:
        outcomes = decided.get(control.label, {})
        answers.append(
            StepUpAnswer(
                design=control.label,
                kind=control.kind,
                rule=control.step_up_rule(),
                approver_pool=resolve_pool(ctx.scenario, control.requested_pool) if control.steps_up else None,
                stepped_up=format_pairs(outcomes.get("step_up", [])),
                denied=format_pairs(outcomes.get("deny", [])),
            )
        )
    return tuple(answers)


def _credentials(ctx: RuleContext, agent: Agent, permissions: int) -> tuple[CredentialAnswer, ...]:
    standing_parts = []
    if agent.roles:
        standing_parts.append(f"{'role' if len(agent.roles) == 1 else 'roles'} {', '.join(agent.roles)}")
    if agent.credentials:
        held = ", ".join(f"{c.secret} (copy in {c.stored_in})" for c in agent.credentials)
        standing_parts.append(f"held {'secret' if len(agent.credentials) == 1 else 'secrets'} {held}")
    if agent.runs_as is not None:
        standing_parts.append(f"service account {agent.runs_as}, which it runs as")
    standing = (
        "standing access through " + " and ".join(standing_parts)
        if standing_parts
        else "standing access (no roles, held secrets or service account)"
    )
    identity = agent.workload_identity or "none declared"
    modes = [(d.label, d.credential_mode, d.token_ttl) for d in ctx.designs] or [(AS_MODELLED, "standing", None)]
    answers = []
    for label, mode, ttl in modes:
        if mode == "standing":
            answers.append(
                CredentialAnswer(
                    design=label,
                    mode=mode,
                    issued=standing,
                    scope=f"all {permissions} effective permissions, at all times",
                    permissions=permissions,
                    token_ttl_s=None,
                    ends="ends only when a revocation trigger fires or a secret is rotated",
                )
            )
        else:
            lifetime = "its task ends" if ttl is None else f"{format_duration(ttl)} or when its task ends, if sooner"
            answers.append(
                CredentialAnswer(
                    design=label,
                    mode=mode,
                    issued=f"per task: the agent authenticates with its workload identity ({identity}) and "
                    "receives a token from the token service",
                    scope=f"the task's steps, within an entitlement of {permissions} permissions",
                    permissions=permissions,
                    token_ttl_s=ttl,
                    ends=f"each token expires after {lifetime}; revocation triggers end live tokens",
                )
            )
    return tuple(answers)


def _blocks(scenario: Scenario, agent: Agent) -> tuple[BlockAnswer, ...]:
    aliases = {"*", agent.id} | ({agent.runs_as} if agent.runs_as else set())
    return tuple(
        BlockAnswer(
            block=block.id,
            action=block.action,
            resource=block.resource,
            applies=_conditions(block),
            reason=block.reason,
        )
        for block in scenario.blocked_actions
        if block.identity in aliases
    )


def _conditions(block: BlockedAction) -> str:
    when = block.when
    if when is None:
        return "always"
    parts = []
    if when.amount_above is not None:
        parts.append(f"amount above {when.amount_above:g}")
    if when.environments:
        parts.append(f"in {', '.join(when.environments)}")
    if when.untrusted_input is not None:
        parts.append("for agents reading untrusted input" if when.untrusted_input else "for agents on trusted input")
    return "when " + " and ".join(parts) if parts else "always"


# -- shared -------------------------------------------------------------------------------------------------


def _agents(scenario: Scenario, agent_ids: Sequence[str] | None) -> list[Agent]:
    if agent_ids is None:
        return list(scenario.agents)
    return [scenario.agent(agent_id) for agent_id in agent_ids]


def _context(scenario: Scenario, graph_index: AccessIndex | None) -> RuleContext:
    return RuleContext(scenario=scenario, access=AccessView.of(scenario, graph_index))


def _basis(scenario: Scenario, approval: Approval) -> ApprovalBasis:
    return ApprovalBasis(
        approval=approval.id,
        approver=approval.approver,
        business_purpose=approval.business_purpose,
        granted=approval.granted.isoformat(),
        expires=None if approval.expires is None else approval.expires.isoformat(),
        live=approval_live(approval, as_of=scenario.as_of),
        reapproval_triggers=tuple(approval.reapproval_triggers),
    )


def _triggers(triggers: Iterable[str]) -> tuple[str, ...]:
    """Distinct triggers in the order the scenario language defines them."""
    present = set(triggers)
    return tuple(t for t in get_args(ReapprovalTrigger) if t in present)


def _revocations(scenario: Scenario, agent_id: str) -> tuple[RevocationAnswer, ...]:
    return tuple(
        RevocationAnswer(t.event, t.latency, format_duration(t.latency), t.identity)
        for t in scenario.revocation_triggers
        if t.identity in (agent_id, "*")
    )


def _plain(record: Any) -> dict[str, Any]:
    """A record as nested dicts (sequences stay tuples, which JSON writes as lists and Jinja loops over)."""
    data: dict[str, Any] = dataclasses.asdict(record)
    return data
