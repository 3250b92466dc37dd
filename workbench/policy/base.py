"""The one protocol every control design implements, and the request/decision records it speaks.

A control design is a small object with a pure `decide(request, state, now)`; the simulation owns time,
queues and tokens and asks the design what to do. Designs never import simpy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from workbench.errors import Problem

__all__ = [
    "AccessRequest",
    "AccessState",
    "AllowAll",
    "ControlDesign",
    "CredentialMode",
    "Decision",
    "DenyAll",
    "Outcome",
]

Outcome = Literal["allow", "deny", "step_up"]
CredentialMode = Literal["standing", "task_token"]
"""standing: the identity acts with its standing permissions and held secrets (RBAC);
task_token: it authenticates with its workload identity and acts with a token scoped to the task (JIT)."""


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """One request for one action on one resource, with everything evaluated at request time."""

    principal: str  # agent id (or the compromised identity)
    action: str
    resource: str
    task_type: str | None = None  # None for requests outside any task (an attacker acting freely)
    in_intent: bool = True  # inside the task's declared intent
    risk_level: str = "low"  # low / medium / high / critical, from the scenario's weights
    risk_score: float = 0.0
    environment: str = "prod"
    amount: float | None = None
    via_tool: str | None = None
    on_behalf_of: str | None = None
    malicious: bool = False  # ground truth for the simulation only; designs must not read it


@dataclass(frozen=True, slots=True)
class AccessState:
    """What the requester holds at the moment of the request (kept small so decisions can be memoised)."""

    approval_live: bool = False  # a human approved this scope and the approval has not expired
    anomaly_flagged: bool = False  # the identity has been flagged by detection


@dataclass(frozen=True, slots=True)
class Decision:
    """The design's answer. `step_up` asks the simulation to route the request to an approver pool."""

    outcome: Outcome
    reason: str
    approver_pool: str | None = None
    policy_ids: tuple[str, ...] = field(default=())


@runtime_checkable
class ControlDesign(Protocol):
    """What the simulation needs from a control design."""

    # Read-only properties, so frozen dataclasses and plain attributes both satisfy the protocol.
    @property
    def label(self) -> str:
        """Name of the design in reports."""
        ...

    @property
    def kind(self) -> str:
        """The control kind, e.g. 'jit'."""
        ...

    @property
    def credential_mode(self) -> CredentialMode:
        """How the identity acts: with standing permissions, or with a task token."""
        ...

    @property
    def token_ttl(self) -> float | None:
        """Lifetime of a task token in seconds; None for designs without tokens."""
        ...

    @property
    def evaluates_at_request_time(self) -> bool:
        """Whether a standing-credential design consults the policy decision point (and pays an evaluation)
        on every request; False for designs that check locally and for free, like static RBAC."""
        ...

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """What its author should know about its inputs though they are valid (a Cedar policy that can never
        apply), each located; empty for designs without input files."""
        ...

    @property
    def reads_clock(self) -> bool:
        """Whether the same request in the same state may get another answer later (a policy on the hour);
        the simulation then asks again instead of memoising the answer."""
        ...

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        """Allow, deny or step up one request. Pure: same inputs, same answer."""
        ...

    def standing_permissions(self, identity: str) -> frozenset[tuple[str, str]]:
        """(action, resource) pairs the identity can exercise with no token and no request (RBAC's standing
        access; empty for JIT designs, whose agents hold nothing between tasks)."""
        ...


@dataclass
class AllowAll:
    """Null design for tests: every request is allowed with standing access; nothing is standing."""

    label: str = "allow_all"
    kind: str = "allow_all"
    credential_mode: CredentialMode = "standing"
    token_ttl: float | None = None
    evaluates_at_request_time: bool = False
    reads_clock: bool = False
    warnings: tuple[Problem, ...] = ()
    standing: Mapping[str, frozenset[tuple[str, str]]] = field(default_factory=dict)

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        return Decision("allow", "allow-all design")

    def standing_permissions(self, identity: str) -> frozenset[tuple[str, str]]:
        return self.standing.get(identity, frozenset())


@dataclass
class DenyAll:
    """Null design for tests: nothing is ever granted."""

    label: str = "deny_all"
    kind: str = "deny_all"
    credential_mode: CredentialMode = "task_token"
    token_ttl: float | None = None
    evaluates_at_request_time: bool = False
    reads_clock: bool = False
    warnings: tuple[Problem, ...] = ()

    def decide(self, request: AccessRequest, state: AccessState, now: float) -> Decision:
        return Decision("deny", "deny-all design")

    def standing_permissions(self, identity: str) -> frozenset[tuple[str, str]]:
        return frozenset()
