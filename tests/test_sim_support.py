"""Small scenarios and stand-in designs shared by the simulation tests (no tests of its own)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from workbench.model import Scenario
from workbench.policy.base import AccessRequest, AccessState, CredentialMode, Decision

__all__ = ["AlwaysStepUp", "TokenAllowAll", "anomaly_approved", "erlang_c_wait", "tiny"]

TINY: dict[str, Any] = {
    "schema_version": 1,
    "name": "tiny",
    "as_of": "2026-01-05",  # a Monday: t = 0 is Monday 00:00
    "humans": [{"id": "hana"}, {"id": "ivo"}],
    "agents": [{"id": "bot", "roles": ["reader"]}],
    "roles": [
        {
            "id": "reader",
            "permissions": [
                {"action": "read", "resource": "notes"},
                {"action": "write", "resource": "notes"},
                {"action": "read", "resource": "ledger"},
            ],
        }
    ],
    "datasets": [
        {"id": "notes", "sensitivity": "internal", "value": 1},  # read 1, write 2
        {"id": "ledger", "sensitivity": "confidential", "value": 2},  # read 6
    ],
    "services": {
        "token_service": {"issuance": "2s", "capacity": 1},
        "policy_decision_point": {"evaluation": "1s", "capacity": 1},
        "approver_pools": [{"id": "leads", "approvers": ["hana", "ivo"], "review_time": "60s"}],
    },
    "workload": {
        "task_types": [
            {
                "id": "note",
                "agent": "bot",
                "arrival": {"at": ["10s", "10.5s"]},
                "steps": [{"action": "read", "resource": "notes", "duration": "5s"}],
            }
        ]
    },
    "controls": [
        {"kind": "static_rbac"},
        {"kind": "rbac_step_up", "step_up_at": "medium", "approver_pool": "leads"},
        {"kind": "jit", "token_ttl": "1h", "approval_at": "critical"},
    ],
    "simulation": {"horizon": "1d", "replications": 2, "seed": 7},
}


def tiny(**changes: Any) -> Scenario:
    """The tiny scenario with top-level sections replaced by `changes`."""
    data = copy.deepcopy(TINY)
    data.update(copy.deepcopy(changes))
    return Scenario.model_validate(data)


def anomaly_approved(triggers: list[str]) -> Scenario:
    """bot's ledger reads approved up front; a hijack at 100 s is detected at 400 s; audits at 10, 1000, 2000 s."""
    return tiny(
        workload={
            "task_types": [
                {
                    "id": "audit",
                    "agent": "bot",
                    "arrival": {"at": ["10s", "1000s", "2000s"]},
                    "steps": [{"action": "read", "resource": "ledger", "duration": "5s"}],
                }
            ]
        },
        approvals=[
            {
                "id": "ledger-ok",
                "agent": "bot",
                "approver": "hana",
                "business_purpose": "monthly audit",
                "scope": [{"action": "read", "resource": "ledger"}],
                "granted": "2026-01-01",
                "reapproval_triggers": triggers,
            }
        ],
        threats=[{"id": "inj", "kind": "prompt_injection", "target": "bot", "at": ["100s"], "detection_delay": "300s"}],
        revocation_triggers=[{"identity": "bot", "event": "anomaly_detected"}],
    )


@dataclass
class AlwaysStepUp:
    """Every request needs a human from `pool` (for queueing tests); checked locally, at no PDP cost."""

    pool: str = "leads"
    label: str = "always_step_up"
    kind: str = "always_step_up"
    credential_mode: CredentialMode = "standing"
    token_ttl: float | None = None
    evaluates_at_request_time: bool = False
    reads_clock: bool = False
    warnings: tuple = ()

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        return Decision("step_up", "test", approver_pool=self.pool)

    def standing_permissions(self, identity: str) -> frozenset[tuple[str, str]]:
        return frozenset()


@dataclass
class TokenAllowAll:
    """Every token request is allowed (for token-service queueing tests); tokens never expire."""

    label: str = "token_allow_all"
    kind: str = "token_allow_all"
    credential_mode: CredentialMode = "task_token"
    token_ttl: float | None = None
    evaluates_at_request_time: bool = True
    reads_clock: bool = False
    warnings: tuple = ()

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        return Decision("allow", "test")

    def standing_permissions(self, identity: str) -> frozenset[tuple[str, str]]:
        return frozenset()


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C)."""
    import math

    a = arrival_rate / service_rate
    top = a**servers / math.factorial(servers) * servers / (servers - a)
    probability = top / (sum(a**k / math.factorial(k) for k in range(servers)) + top)
    return probability / (servers * service_rate - arrival_rate)
