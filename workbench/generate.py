"""Synthetic organisations: plain scenario dicts with the shape of a real agent estate, at any size.

Benchmarks and property tests need organisations far larger than anyone writes by hand, and with the
structure that makes access analysis hard: broad legacy service accounts that many agents run as, secrets
shared across agents, tools holding their own keys (confused deputies), overlapping roles, delegation chains
(scoped, attenuated, unscoped, expired), untrusted-input agents and restricted datasets. Everything is drawn
from one `numpy.random.Generator` seeded explicitly, so a seed names an organisation.

Catalogues (datasets, roles, tools, secrets, accounts, humans) grow with the square root of the number of
agents, so a 100k-agent organisation is a dense graph, as real ones are. Popularity is skewed (a few roles,
accounts and secrets are used by many agents), which makes hubs.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from workbench.model.common import ACTIONS

__all__ = ["generate_organisation"]

_SENSITIVITIES = ("public", "internal", "confidential", "restricted")
_ENVIRONMENTS = ("prod", "staging", "dev", "legacy")
_SECRET_KINDS = ("api_key", "oauth_client", "database_credential", "cloud_access_key", "personal_access_token")
_FRAMEWORKS = ("langgraph", "crewai", "autogen", "custom")
_DATA_ACTIONS = ("read", "write", "delete", "send", "transfer")
_AS_OF = "2026-06-30"


BUSY_DESIGNS: tuple[dict[str, Any], ...] = (
    {"kind": "static_rbac"},
    {"kind": "rbac_step_up"},
    {"kind": "jit", "token_ttl": "15m"},
    {"kind": "intent_aware_jit", "token_ttl": "15m"},
    {"kind": "jit", "name": "jit-5m", "token_ttl": "5m"},
)
"""The designs of a busy organisation: every built-in kind that needs no policy file, and a short-TTL JIT."""


def generate_organisation(n_agents: int, *, seed: int, task_rate: str | float | None = None) -> dict[str, Any]:
    """A scenario dict for an organisation of `n_agents` agents; it validates as a `Scenario`.

    The dict holds only YAML-safe values (str, int, float, bool, lists, dicts), so `yaml.safe_dump` writes
    it as a scenario file. Same `n_agents`, `seed` and `task_rate`, same dict.

    By default three agents have a task type (an estate's shape, for access analysis). With `task_rate` (a
    rate such as `"6/h"`, or per second) the organisation is busy: every agent runs one task type at that
    rate, whose steps use what its roles, its account's roles and its credentials grant, and the scenario
    compares the five `BUSY_DESIGNS` with an approver pool sized for the load. Everything else is the same
    organisation as without it: the workload draws nothing from the generator.
    """
    if n_agents < 1:
        raise ValueError("an organisation needs at least one agent")
    return _Organisation(n_agents, np.random.default_rng(seed), seed).scenario(task_rate)


def _popularity(count: int, skew: float) -> np.ndarray:
    """Zipf-like choice probabilities: item 0 is the most popular."""
    weights = 1.0 / np.arange(1, count + 1) ** skew
    return np.asarray(weights / weights.sum())


class _Organisation:
    """Draws one organisation; each method builds one section, in a fixed order of draws."""

    def __init__(self, n_agents: int, rng: np.random.Generator, seed: int) -> None:
        self.n = n_agents
        self.rng = rng
        self.seed = seed
        root = math.sqrt(n_agents)
        self.n_humans = max(3, math.ceil(root))
        self.n_datasets = max(4, math.ceil(root))
        self.n_secrets = max(3, math.ceil(root / 2))
        self.n_tools = max(3, math.ceil(root / 2))
        self.n_roles = max(3, math.ceil(root))
        self.n_accounts = max(2, math.ceil(root / 3))
        width = max(4, len(str(n_agents)))
        self.agent_ids = [f"agent-{i:0{width}d}" for i in range(n_agents)]
        self.human_ids = [f"person-{i:04d}" for i in range(self.n_humans)]
        self.dataset_ids = [f"data-{i:04d}" for i in range(self.n_datasets)]
        self.secret_ids = [f"key-{i:04d}" for i in range(self.n_secrets)]
        self.tool_ids = [f"tool-{i:04d}" for i in range(self.n_tools)]
        self.role_ids = [f"role-{i:04d}" for i in range(self.n_roles)]
        self.account_ids = [f"svc-{i:04d}" for i in range(self.n_accounts)]

    # -- helpers ------------------------------------------------------------------------------------------

    def pick(self, ids: list[str], count: int, *, skew: float = 1.0) -> list[str]:
        """`count` distinct ids (fewer if there are not enough), popular ones more often, in draw order."""
        count = min(count, len(ids))
        if count <= 0:
            return []
        drawn = self.rng.choice(len(ids), size=count, replace=False, p=_popularity(len(ids), skew))
        return [ids[i] for i in drawn.tolist()]

    def data_permissions(self, low: int, high: int) -> list[dict[str, str]]:
        count = int(self.rng.integers(low, high + 1))
        datasets = self.pick(self.dataset_ids, count, skew=0.7)
        actions = self.rng.choice(len(_DATA_ACTIONS), size=len(datasets), p=[0.5, 0.25, 0.1, 0.1, 0.05])
        return [{"action": _DATA_ACTIONS[a], "resource": d} for d, a in zip(datasets, actions.tolist(), strict=True)]

    def grouped(self, counts: np.ndarray, ids: list[str], skew: float) -> list[list[str]]:
        """Per row, `counts[row]` ids drawn by popularity, duplicates removed (rows stay short, ids repeat)."""
        drawn = self.rng.choice(len(ids), size=int(counts.sum()), p=_popularity(len(ids), skew)).tolist()
        out: list[list[str]] = []
        start = 0
        for count in counts.tolist():
            out.append([ids[i] for i in dict.fromkeys(drawn[start : start + count])])
            start += count
        return out

    # -- sections -----------------------------------------------------------------------------------------

    def scenario(self, task_rate: str | float | None = None) -> dict[str, Any]:
        humans = self.humans()
        datasets = self.datasets()
        roles = self.roles()
        secrets = self.secrets()
        accounts = self.service_accounts()
        tools = self.tools()
        agents = self.agents()
        delegations = self.delegations()
        approvals = self.approvals()
        if task_rate is None:
            workload = self.workload(agents, roles)
        else:
            workload = self.busy_workload(agents, roles, accounts, secrets, task_rate)
        scenario = {
            "schema_version": 1,
            "name": f"generated-{self.n}-{self.seed}",
            "title": f"Generated organisation of {self.n} agents (seed {self.seed})",
            "as_of": _AS_OF,
            "humans": humans,
            "service_accounts": accounts,
            "agents": agents,
            "tools": tools,
            "datasets": datasets,
            "secrets": secrets,
            "roles": roles,
            "delegations": delegations,
            "approvals": approvals,
            "services": {
                "approver_pools": [
                    {"id": "approvers", "approvers": self.human_ids[:3], "review_time": "5m", "timeout": "1h"}
                ]
            },
            "workload": workload,
            "threats": self.threats(agents, tools),
            "controls": [{"kind": "static_rbac"}, {"kind": "jit", "token_ttl": "15m"}],
            "simulation": {"horizon": "1d", "replications": 2, "seed": self.seed},
        }
        if task_rate is not None:
            scenario["name"] = f"generated-{self.n}-{self.seed}-busy"
            scenario["title"] = f"Generated organisation of {self.n} busy agents (seed {self.seed}, {task_rate})"
            scenario["controls"] = [dict(design) for design in BUSY_DESIGNS]
            scenario["services"] = {"approver_pools": [self.busy_pool(len(workload["task_types"]), task_rate)]}
        return scenario

    def humans(self) -> list[dict[str, Any]]:
        teams = max(2, math.ceil(self.n_humans / 5))
        offboarded = (self.rng.random(self.n_humans) < 0.05).tolist()
        team_of = self.rng.integers(0, teams, self.n_humans).tolist()
        return [
            {"id": h, "team": f"team-{team_of[i]:02d}", "offboarded": offboarded[i] and i >= 3}
            for i, h in enumerate(self.human_ids)
        ]

    def datasets(self) -> list[dict[str, Any]]:
        count = self.n_datasets
        sensitivity = self.rng.choice(4, size=count, p=[0.15, 0.4, 0.3, 0.15]).tolist()
        sensitivity[0] = 3  # every organisation has at least one restricted dataset
        value = np.round(np.maximum(0.5, self.rng.lognormal(0.5, 0.8, count)), 1).tolist()
        pii = (self.rng.random(count) < 0.3).tolist()
        system = (self.rng.random(count) < 0.1).tolist()
        return [
            {
                "id": d,
                "kind": "system" if system[i] else "dataset",
                "sensitivity": _SENSITIVITIES[sensitivity[i]],
                "value": value[i],
                "pii": pii[i],
            }
            for i, d in enumerate(self.dataset_ids)
        ]

    def roles(self) -> list[dict[str, Any]]:
        roles = []
        for i, role in enumerate(self.role_ids):
            permissions = self.data_permissions(2, 8)
            if self.rng.random() < 0.4:
                permissions += [{"action": "execute", "resource": t} for t in self.pick(self.tool_ids, 2)]
            if self.rng.random() < 0.1:
                permissions.append({"action": "read", "resource": self.pick(self.secret_ids, 1)[0]})
            if i == 0:  # the legacy admin role every broad account ends up with
                permissions = [{"action": "read", "resource": "*"}, *permissions]
            roles.append({"id": role, "permissions": permissions})
        return roles

    def secrets(self) -> list[dict[str, Any]]:
        secrets = []
        for secret in self.secret_ids:
            entry: dict[str, Any] = {
                "id": secret,
                "kind": _SECRET_KINDS[int(self.rng.integers(len(_SECRET_KINDS)))],
                "grants": self.data_permissions(1, 4),
                "lifetime": "never" if self.rng.random() < 0.4 else "90d",
                "rotation": "never" if self.rng.random() < 0.5 else "30d",
                "stored_in": ("vault", "env", "agent_config", "code")[int(self.rng.choice(4, p=[0.5, 0.2, 0.2, 0.1]))],
                "sensitivity": "restricted" if self.rng.random() < 0.2 else "confidential",
            }
            if self.rng.random() < 0.5:
                entry["authenticates_as"] = self.pick(self.account_ids, 1, skew=1.2)[0]
            secrets.append(entry)
        return secrets

    def service_accounts(self) -> list[dict[str, Any]]:
        accounts = []
        for i, account in enumerate(self.account_ids):
            legacy = i < 2
            roles = self.pick(self.role_ids, max(3, self.n_roles // 4) if legacy else int(self.rng.integers(1, 3)))
            if i == 0:
                roles = ["role-0000", *[r for r in roles if r != "role-0000"]]
            credentials = [
                {"secret": s, "stored_in": "env"} for s in self.pick(self.secret_ids, int(self.rng.integers(0, 3)))
            ]
            accounts.append(
                {
                    "id": account,
                    "owner": self.pick(self.human_ids, 1)[0],
                    "environment": "legacy" if legacy else "prod",
                    "legacy": legacy,
                    "roles": roles,
                    "credentials": credentials,
                }
            )
        return accounts

    def tools(self) -> list[dict[str, Any]]:
        tools = []
        for tool in self.tool_ids:
            accesses = []
            for dataset in self.pick(self.dataset_ids, int(self.rng.integers(1, 4)), skew=0.7):
                actions = self.rng.choice(len(_DATA_ACTIONS), size=int(self.rng.integers(1, 3)), replace=False)
                accesses.append({"resource": dataset, "actions": [_DATA_ACTIONS[a] for a in sorted(actions.tolist())]})
            if self.rng.random() < 0.1:
                accesses.append({"resource": self.pick(self.secret_ids, 1)[0], "actions": ["read"]})
            entry: dict[str, Any] = {
                "id": tool,
                "kind": ("tool", "mcp_server", "api")[int(self.rng.integers(3))],
                "actions": [a for a in ACTIONS if any(a in access["actions"] for access in accesses)],
                "external": bool(self.rng.random() < 0.2),
                "accesses": accesses,
            }
            if self.rng.random() < 0.4:
                entry["credential"] = self.pick(self.secret_ids, 1)[0]
            if self.rng.random() < 0.15:
                entry["runs_as"] = self.pick(self.account_ids, 1)[0]
            tools.append(entry)
        return tools

    def agents(self) -> list[dict[str, Any]]:
        n, rng = self.n, self.rng
        roles = self.grouped(rng.integers(0, 4, n), self.role_ids, 0.9)
        runs_as = (rng.random(n) < 0.5).tolist()
        account = rng.choice(self.n_accounts, size=n, p=_popularity(self.n_accounts, 1.5)).tolist()
        credentials = self.grouped(rng.choice(3, size=n, p=[0.5, 0.35, 0.15]), self.secret_ids, 1.2)
        stored = rng.choice(3, size=n, p=[0.4, 0.3, 0.3]).tolist()
        tools = self.grouped(rng.integers(0, 4, n), self.tool_ids, 1.0)
        untrusted = (rng.random(n) < 0.15).tolist()
        environment = rng.choice(4, size=n, p=[0.7, 0.15, 0.1, 0.05]).tolist()
        autonomy = rng.integers(0, 3, n).tolist()
        owner = rng.integers(0, self.n_humans, n).tolist()
        framework = rng.integers(0, len(_FRAMEWORKS), n).tolist()
        audited = (rng.random(n) < 0.6).tolist()
        agents = []
        for i, agent in enumerate(self.agent_ids):
            entry: dict[str, Any] = {
                "id": agent,
                "owner": self.human_ids[owner[i]],
                "environment": _ENVIRONMENTS[environment[i]],
                "autonomy": ("low", "medium", "high")[autonomy[i]],
                "untrusted_input": untrusted[i] or i == 0,
                "framework": _FRAMEWORKS[framework[i]],
                "roles": roles[i],
                "credentials": [
                    {"secret": s, "stored_in": ("vault", "env", "agent_config")[stored[i]]} for s in credentials[i]
                ],
                "tools": tools[i],
                "audit_logging": audited[i],
            }
            if runs_as[i]:
                entry["runs_as"] = self.account_ids[account[i]]
            if i % 2 == 0:
                entry["workload_identity"] = f"spiffe://org.example/{entry['environment']}/agents/{agent}"
            agents.append(entry)
        return agents

    def delegations(self) -> list[dict[str, Any]]:
        """Pipelines (agent chains, delegator before delegate, so no loops) and human-to-agent delegations."""
        pairs: list[tuple[str, str]] = []
        if self.n >= 2:
            for _ in range(max(1, self.n // 40)):
                length = int(self.rng.integers(2, 5))
                chain = sorted(self.rng.choice(self.n, size=min(length, self.n), replace=False).tolist())
                pairs += [(self.agent_ids[a], self.agent_ids[b]) for a, b in itertools.pairwise(chain)]
        for _ in range(max(1, self.n // 40)):
            human = self.human_ids[int(self.rng.integers(self.n_humans))]
            pairs.append((human, self.agent_ids[int(self.rng.integers(self.n))]))
        delegations = []
        for i, (delegator, delegate) in enumerate(pairs):
            entry: dict[str, Any] = {"id": f"delegation-{i:05d}", "delegator": delegator, "delegate": delegate}
            if self.rng.random() < 0.6:
                entry["scope"] = self.data_permissions(1, 3)
                entry["attenuated"] = bool(self.rng.random() < 0.8)
            draw = self.rng.random()
            if draw < 0.2:
                entry["expires"] = "2026-01-31"  # lapsed before as_of
            elif draw < 0.5:
                entry["expires"] = "2027-01-31"
            delegations.append(entry)
        return delegations

    def approvals(self) -> list[dict[str, Any]]:
        approvals = []
        for i, index in enumerate(sorted(set(self.rng.choice(self.n, size=max(1, self.n // 20)).tolist()))):
            approvals.append(
                {
                    "id": f"approval-{i:05d}",
                    "agent": self.agent_ids[index],
                    "approver": self.human_ids[int(self.rng.integers(self.n_humans))],
                    "business_purpose": "Generated business purpose",
                    "scope": self.data_permissions(1, 3),
                    "granted": "2025-07-01",
                    "expires": "2026-03-31" if self.rng.random() < 0.3 else "2027-06-30",
                }
            )
        return approvals

    def workload(self, agents: list[dict[str, Any]], roles: list[dict[str, Any]]) -> dict[str, Any]:
        """A few task types whose steps stay inside what their agent's roles grant."""
        granted = {role["id"]: [p for p in role["permissions"] if p["resource"] != "*"] for role in roles}
        task_types: list[dict[str, Any]] = []
        for agent in agents:
            steps = [
                {"action": p["action"], "resource": p["resource"], "duration": "2s"}
                for role in agent["roles"]
                for p in granted[role]
            ][:4]
            if len(steps) >= 2:
                task_types.append(
                    {
                        "id": f"task-{len(task_types):02d}",
                        "agent": agent["id"],
                        "arrival": {"rate": "6/h"},
                        "steps": steps,
                    }
                )
            if len(task_types) == 3:
                break
        return {"task_types": task_types}

    def busy_workload(
        self,
        agents: list[dict[str, Any]],
        roles: list[dict[str, Any]],
        accounts: list[dict[str, Any]],
        secrets: list[dict[str, Any]],
        task_rate: str | float,
    ) -> dict[str, Any]:
        """One task type per agent, of up to four steps it is granted (by its roles, its account's roles or
        its credentials); an agent granted nothing reads the first dataset (and is denied, as it would be)."""
        granted = {role["id"]: [p for p in role["permissions"] if p["resource"] != "*"] for role in roles}
        account_roles = {account["id"]: account["roles"] for account in accounts}
        grants = {secret["id"]: [p for p in secret["grants"] if p["resource"] != "*"] for secret in secrets}
        task_types = []
        for agent in agents:
            held = [p for role in agent["roles"] for p in granted[role]]
            held += [p for role in account_roles.get(agent.get("runs_as", ""), []) for p in granted[role]]
            held += [p for credential in agent["credentials"] for p in grants[credential["secret"]]]
            unique = list({(p["action"], p["resource"]): p for p in held}.values())[:4]
            if not unique:
                unique = [{"action": "read", "resource": self.dataset_ids[0]}]
            steps = [{"action": p["action"], "resource": p["resource"], "duration": "2s"} for p in unique]
            task_types.append({"id": f"task-{agent['id']}", "agent": agent["id"], "arrival": {"rate": task_rate}})
            task_types[-1]["steps"] = steps
        return {"task_types": task_types}

    def busy_pool(self, task_types: int, task_rate: str | float) -> dict[str, Any]:
        """The approver pool, with enough reviewers for every task to ask for approval at utilisation 0.5."""
        per_second = _per_second(task_rate)
        size = max(3, math.ceil(task_types * per_second * 300 / 0.5))
        return {"id": "approvers", "approvers": self.human_ids[:3], "size": size, "review_time": "5m", "timeout": "1h"}

    def threats(self, agents: list[dict[str, Any]], tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        threats: list[dict[str, Any]] = [
            {
                "id": "injection",
                "kind": "prompt_injection",
                "target": next(a["id"] for a in agents if a["untrusted_input"]),
                "rate": "1/7d",
                "detection_delay": "2h",
            },
            {
                "id": "key-leak",
                "kind": "key_leak",
                "target": self.secret_ids[0],
                "at": ["12h"],
                "detection_delay": "1d",
            },
        ]
        with_key = [t["id"] for t in tools if "credential" in t]
        if with_key:
            threats.append(
                {
                    "id": "tool-takeover",
                    "kind": "tool_compromise",
                    "target": with_key[0],
                    "at": ["6h"],
                    "detection_delay": "4h",
                }
            )
        return threats


def _per_second(rate: str | float) -> float:
    """A rate as the scenario reads it (`"6/h"`, or a number per second), in events per second."""
    from workbench.model.workload import Arrival

    arrival = Arrival.model_validate({"rate": rate})
    return float(arrival.rate or 0.0)
