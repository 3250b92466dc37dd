"""Rules only an import can raise: they read the inventory facts `workbench import` records (provenance,
fingerprints) and point at the line of the original file, so a code-scanning alert opens the MCP config or
the IAM dump, not the generated scenario.

WB120 inline secret in an MCP client config, WB121 the same secret in several MCP configs, WB122 remote MCP
server with a static credential header, WB123 an agent service's IAM role allowed every action, WB124 a
Kubernetes agent bound to cluster-admin.
"""

from __future__ import annotations

from collections.abc import Iterator

from workbench.findings.context import RuleContext
from workbench.findings.finding import Finding
from workbench.model.common import Provenance

__all__ = [
    "agent_role_with_every_action",
    "cluster_admin_agent",
    "inline_mcp_secret",
    "shared_mcp_secret",
    "static_mcp_header",
]


def inline_mcp_secret(ctx: RuleContext) -> Iterator[Finding]:
    """WB120: a secret's value is written in an MCP client config; one finding per place it is written."""
    for secret in ctx.scenario.secrets:
        if secret.fingerprint is None:
            continue
        for where in secret.provenance:
            if where.source != "mcp":
                continue
            yield ctx.finding(
                "WB120",
                secret.id,
                f"Secret '{secret.id}' is written inline in {where.file} at {where.pointer}: anyone who can read "
                "the file (backups, dotfile repositories, other local processes) has the key.",
                key={"file": where.file, "pointer": where.pointer},
                origin=where,
            )


def shared_mcp_secret(ctx: RuleContext) -> Iterator[Finding]:
    """WB121: one key (the same fingerprint) written into several MCP client configs."""
    for secret in ctx.scenario.secrets:
        if secret.fingerprint is None:
            continue
        files = list(dict.fromkeys(w.file for w in secret.provenance if w.source == "mcp"))
        if len(files) < 2:
            continue
        first = next(w for w in secret.provenance if w.source == "mcp")
        yield ctx.finding(
            "WB121",
            secret.id,
            f"Secret '{secret.id}' is the same key in {len(files)} MCP client configs ({', '.join(files[:5])}"
            f"{', ...' if len(files) > 5 else ''}): one leak exposes every client, and revoking it breaks them all.",
            evidence={"configs": len(files)},
            origin=first,
        )


def static_mcp_header(ctx: RuleContext) -> Iterator[Finding]:
    """WB122: a remote MCP server authenticated by a fixed header (a bearer token or API key) in the config."""
    headers: dict[str, list[tuple[str, Provenance]]] = {}
    for secret in ctx.scenario.secrets:
        for where in secret.provenance:
            if where.source == "mcp" and "/headers/" in where.pointer:
                headers.setdefault(where.file, []).append((secret.id, where))
    for tool in ctx.scenario.tools:
        if tool.kind != "mcp_server" or not tool.external:
            continue
        for server in tool.provenance:
            for secret_id, where in headers.get(server.file, []):
                if not where.pointer.startswith(server.pointer + "/headers/"):
                    continue
                yield ctx.finding(
                    "WB122",
                    tool.id,
                    f"Remote MCP server '{tool.id}' is called with a static credential header from {where.file} "
                    f"({where.pointer}, secret '{secret_id}'): it never expires with the task and is replayable "
                    "by anyone who reads it.",
                    key={"file": where.file, "pointer": where.pointer},
                    evidence={"secret": secret_id},
                    origin=where,
                )


def agent_role_with_every_action(ctx: RuleContext) -> Iterator[Finding]:
    """WB123: an agent runs as an imported IAM role whose policies allow every action (`*`)."""
    by_id = ctx.scenario.by_id
    for agent in ctx.scenario.agents:
        if agent.runs_as is None or not any(w.source == "aws-iam" for w in agent.provenance):
            continue
        account = by_id.get(agent.runs_as)
        for role_id in getattr(account, "roles", []):
            role = by_id.get(role_id)
            everything = [p for p in getattr(role, "permissions", []) if p.action == "*"]
            if not everything:
                continue
            named = sorted({p.resource for p in everything})
            resources = ", ".join(named) if len(named) <= 3 else f"{len(named)} resources ({', '.join(named[:3])}, ...)"
            yield ctx.finding(
                "WB123",
                agent.id,
                f"Agent '{agent.id}' runs as IAM role '{agent.runs_as}', whose policy '{role_id}' allows every "
                f"action on {resources}: a hijacked agent is an administrator.",
                key={"role": role_id},
                evidence={"service_account": agent.runs_as},
                origin=next((w for w in getattr(role, "provenance", []) if w.source == "aws-iam"), None),
            )


def cluster_admin_agent(ctx: RuleContext) -> Iterator[Finding]:
    """WB124: a Kubernetes agent runs as a service account whose binding grants every action on everything in
    the cluster: on `*`, or on every resource the Kubernetes import found (a namespace's admin is not)."""
    by_id = ctx.scenario.by_id
    cluster = {d.id for d in ctx.scenario.datasets if any(w.source == "k8s" for w in d.provenance)}
    for agent in ctx.scenario.agents:
        if agent.runs_as is None or not any(w.source == "k8s" for w in agent.provenance):
            continue
        account = by_id.get(agent.runs_as)
        for role_id in getattr(account, "roles", []):
            role = by_id.get(role_id)
            everything = {p.resource for p in getattr(role, "permissions", []) if p.action == "*"}
            if "*" not in everything and not (cluster and cluster <= everything):
                continue
            yield ctx.finding(
                "WB124",
                agent.id,
                f"Agent '{agent.id}' runs as '{agent.runs_as}', which binding '{role_id}' makes cluster-admin: a "
                "hijacked agent controls the whole cluster.",
                key={"binding": role_id},
                evidence={"service_account": agent.runs_as},
                origin=next((w for w in getattr(role, "provenance", []) if w.source == "k8s"), None),
            )
