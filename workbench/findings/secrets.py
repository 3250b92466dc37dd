"""Rules about credentials: who holds them standing, how long they live, where copies sit, who shares them.

WB102 standing access to a secret, WB103 long-lived or never-rotated secret, WB104 secret stored in agent
config or code, WB108 identity or secret shared by several agents.
"""

from __future__ import annotations

from collections.abc import Iterator

from workbench.findings.context import RuleContext
from workbench.findings.finding import Finding
from workbench.findings.gates import standing_designs
from workbench.graph.vocabulary import Hop
from workbench.model import Secret, format_duration

__all__ = ["long_lived_secret", "secret_in_agent_config", "shared_identity", "standing_secret_access"]

_EXPOSED_STORES = ("agent_config", "code")


def standing_secret_access(ctx: RuleContext) -> Iterator[Finding]:
    """WB102: the agent holds a secret, or can read one, in a design where agents keep credentials standing.

    Held secrets are listed first (in credential order), then secrets readable through roles, accounts or
    tools. With no standing design in the scenario (every design issues task tokens) nothing is standing.
    """
    standing = standing_designs(ctx)
    if not standing:
        return
    access = ctx.access
    kinds = ctx.scenario.kinds
    read_secrets = access.mask(lambda action, resource: action == "read" and kinds[resource] == "secret")
    for agent in ctx.scenario.agents:
        held = [c.secret for c in agent.credentials]
        for index, credential in enumerate(agent.credentials):
            if credential.secret in held[:index]:
                continue
            yield ctx.finding(
                "WB102",
                agent.id,
                f"Agent '{agent.id}' holds secret '{credential.secret}' standing "
                f"(copy in {credential.stored_in}) in design(s) {', '.join(standing)}.",
                key={"secret": credential.secret},
                evidence={"how": "holds", "stored_in": credential.stored_in, "standing_in": " ".join(standing)},
                path=(Hop(agent.id, "holds_secret", credential.secret),),
                at=ctx.path_to(agent.id, "credentials", index),
            )
        readable = [r for _a, r in access.pairs(access.bits(agent.id) & read_secrets) if r not in held]
        for secret_id in readable:
            yield ctx.finding(
                "WB102",
                agent.id,
                f"Agent '{agent.id}' can read secret '{secret_id}' at any time in design(s) {', '.join(standing)}.",
                key={"secret": secret_id},
                evidence={"how": "reads", "standing_in": " ".join(standing)},
                path=access.explain(agent.id, ("read", secret_id)),
            )


def long_lived_secret(ctx: RuleContext) -> Iterator[Finding]:
    """WB103: lifetime or rotation period unbounded or above thresholds.secret_max_age."""
    limit = ctx.scenario.thresholds.secret_max_age
    for secret in ctx.scenario.secrets:
        problems = [
            (name, "never" if value is None else f"{format_duration(value)}")
            for name, value in (("lifetime", secret.lifetime), ("rotation", secret.rotation))
            if value is None or value > limit
        ]
        if not problems:
            continue
        described = "; ".join(
            f"{name} {'is unbounded' if value == 'never' else 'is ' + value}" for name, value in problems
        )
        yield ctx.finding(
            "WB103",
            secret.id,
            f"Secret '{secret.id}': {described} (limit {format_duration(limit)}).",
            evidence={
                "lifetime": format_duration(secret.lifetime),
                "rotation": format_duration(secret.rotation),
                "max_age": format_duration(limit),
            },
            at=ctx.path_to(secret.id, problems[0][0]),
        )


def secret_in_agent_config(ctx: RuleContext) -> Iterator[Finding]:
    """WB104: an agent keeps its copy of a secret in its config or code, or the master copy lives there."""
    for agent in ctx.scenario.agents:
        for index, credential in enumerate(agent.credentials):
            if credential.stored_in not in _EXPOSED_STORES:
                continue
            yield ctx.finding(
                "WB104",
                agent.id,
                f"Agent '{agent.id}' keeps its copy of secret '{credential.secret}' in {credential.stored_in}.",
                key={"secret": credential.secret},
                evidence={"stored_in": credential.stored_in},
                path=(Hop(agent.id, "holds_secret", credential.secret),),
                at=ctx.path_to(agent.id, "credentials", index, "stored_in"),
            )
    for secret in ctx.scenario.secrets:
        if secret.stored_in in _EXPOSED_STORES:
            yield ctx.finding(
                "WB104",
                secret.id,
                f"The master copy of secret '{secret.id}' is stored in {secret.stored_in}.",
                evidence={"stored_in": secret.stored_in},
                at=ctx.path_to(secret.id, "stored_in"),
            )


def shared_identity(ctx: RuleContext) -> Iterator[Finding]:
    """WB108: one workload identity, one service account (runs_as) or one held secret used by several agents.

    One finding per shared identity or secret, located where it is defined (the first agent, for a workload
    identity URI), listing every agent that shares it.
    """
    agents = ctx.scenario.agents
    by_uri: dict[str, list[str]] = {}
    by_account: dict[str, list[str]] = {}
    by_secret: dict[str, list[str]] = {}
    for agent in agents:
        if agent.workload_identity is not None:
            by_uri.setdefault(agent.workload_identity, []).append(agent.id)
        if agent.runs_as is not None:
            by_account.setdefault(agent.runs_as, []).append(agent.id)
        for secret in dict.fromkeys(c.secret for c in agent.credentials):
            by_secret.setdefault(secret, []).append(agent.id)
    for uri, sharing in by_uri.items():
        if len(sharing) > 1:
            yield ctx.finding(
                "WB108",
                sharing[0],
                f"Workload identity {uri} is shared by agents {', '.join(sharing)}.",
                key={"workload_identity": uri},
                evidence={"shared_as": "workload_identity", "agents": " ".join(sharing), "agent_count": len(sharing)},
                at=ctx.path_to(sharing[0], "workload_identity"),
            )
    for account, sharing in by_account.items():
        if len(sharing) > 1:
            yield ctx.finding(
                "WB108",
                account,
                f"Service account '{account}' is run as by agents {', '.join(sharing)}.",
                key={"shared_as": "service_account"},
                evidence={"agents": " ".join(sharing), "agent_count": len(sharing)},
            )
    for secret_id, sharing in by_secret.items():
        if len(sharing) > 1 and isinstance(ctx.scenario.by_id.get(secret_id), Secret):
            yield ctx.finding(
                "WB108",
                secret_id,
                f"Secret '{secret_id}' is held by agents {', '.join(sharing)}.",
                key={"shared_as": "secret"},
                evidence={"agents": " ".join(sharing), "agent_count": len(sharing)},
            )
