"""The scenario: one organisation's agents, their access and work, the threats, and the designs to compare."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import Field, PrivateAttr, model_validator

from workbench.model.access import Approval, BlockedAction, Delegation, RevocationTrigger, Role
from workbench.model.assets import Dataset, Secret, Tool
from workbench.model.common import MAX_WEIGHT, Action, Id, Prose, Sensitivity, StrictModel, Text
from workbench.model.controls import Control
from workbench.model.durations import Duration
from workbench.model.identities import Agent, Human, ServiceAccount
from workbench.model.observed import Observed
from workbench.model.threats import Attacker, Threat
from workbench.model.workload import Services, Workload
from workbench.model.yaml_safe import FileProblem, contained_path, locate_in

T = TypeVar("T")

__all__ = [
    "MAX_EVENTS",
    "MAX_REPLICATIONS",
    "MAX_SEED",
    "SCHEMA_VERSION",
    "AcceptedRisk",
    "Budget",
    "Scenario",
    "Simulation",
    "SourceInfo",
    "Thresholds",
    "Weights",
]

SCHEMA_VERSION = 1
MAX_REPLICATIONS = 100_000
"""Most replications per design a scenario (or `--replications`) may ask for."""
MAX_SEED = 2**63 - 1
"""Largest root seed: seeds are stored in 64-bit integer columns."""
MAX_EVENTS = 10**12
"""Largest work budget a scenario (or `--max-events`) may set: far beyond what a machine simulates in a day."""

EntityKind = Literal[
    "agent", "human", "service_account", "tool", "dataset", "secret", "role",
    "delegation", "approval", "blocked_action", "task_type", "threat", "approver_pool",
]  # fmt: skip

ENTITY_SECTIONS: dict[str, EntityKind] = {
    "agents": "agent",
    "humans": "human",
    "service_accounts": "service_account",
    "tools": "tool",
    "datasets": "dataset",
    "secrets": "secret",
    "roles": "role",
    "delegations": "delegation",
    "approvals": "approval",
    "blocked_actions": "blocked_action",
    "threats": "threat",
}
"""Top-level sections whose items carry an `id`, and the kind of entity each holds."""


class Simulation(StrictModel):
    """How long to simulate, how often, from which seed."""

    horizon: Duration = Field(7 * 86400.0, gt=0, description="Simulated time per replication.")
    replications: int = Field(20, ge=1, le=MAX_REPLICATIONS, description="Independent replications per design.")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Root seed; replication seeds are spawned from it.")
    max_events: int | None = Field(
        None,
        ge=1,
        le=MAX_EVENTS,
        description="Work budget: most expected simulation events (over all replications and designs) a run "
        "may take before it is refused; default 20 million. `--max-events` overrides it.",
    )


class Thresholds(StrictModel):
    """Limits above which findings are raised."""

    exposure: float = Field(
        1000.0,
        ge=0,
        le=1e15,
        description="Mean exposure per compromise (weighted asset-hours) above which WB203 fires.",
    )
    token_lifetime_ratio: float = Field(
        4.0, ge=1, le=MAX_WEIGHT, description="Token lifetime over task duration above which WB202 fires."
    )
    secret_max_age: Duration = Field(90 * 86400.0, description="Secret lifetime or rotation period limit.")
    broad_service_account_resources: int = Field(
        10, ge=1, le=1_000_000_000, description="A service account reaching at least this many resources is broad."
    )


class Budget(StrictModel):
    """What the organisation can afford a control design to cost its legitimate work and its approvers.

    A design whose mean over the replications breaks a limit is not eligible for the report's verdict, which
    names the limit it breaks; a limit left out is no limit. Say in a comment where each number comes from
    (an SLA, a staffing plan, what users tolerate).
    """

    latency_p95: Annotated[Duration, Field(gt=0)] | None = Field(
        None, description="Most mean p95 task latency (`latency_p95_s`) a design may have, e.g. '20m'."
    )
    approver_utilisation: float | None = Field(
        None,
        gt=0,
        le=1,
        description="Most mean approver utilisation (busy share of working time, every pool together), e.g. 0.5.",
    )
    denied_rate: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Most mean share of legitimate tasks denied or timed out, e.g. 0.02.",
    )


def _default_sensitivity_weights() -> dict[Sensitivity, float]:
    return {"public": 0.1, "internal": 1.0, "confidential": 3.0, "restricted": 10.0}


def _default_action_weights() -> dict[Action, float]:
    return {"read": 1.0, "write": 2.0, "send": 2.0, "execute": 2.0, "delete": 3.0, "transfer": 4.0}


class Weights(StrictModel):
    """How blast-radius scores weigh sensitivity and action criticality; unlisted keys keep their defaults."""

    sensitivity: dict[Sensitivity, float] = Field(
        default_factory=_default_sensitivity_weights, description="Weight of each sensitivity level."
    )
    action: dict[Action, float] = Field(
        default_factory=_default_action_weights, description="Criticality of each action."
    )

    @model_validator(mode="after")
    def _complete(self) -> Weights:
        for name, defaults in (
            ("sensitivity", _default_sensitivity_weights()),
            ("action", _default_action_weights()),
        ):
            given = getattr(self, name)
            if any(not 0 <= value <= MAX_WEIGHT for value in given.values()):
                raise ValueError(f"{name} weights must be between 0 and {MAX_WEIGHT:,.0f}")
            object.__setattr__(self, name, {**defaults, **given})
        return self


class AcceptedRisk(StrictModel):
    """A finding the organisation has knowingly accepted, until an expiry date."""

    finding: str = Field(pattern=r"^WB\d{3}$", description="Finding rule id, e.g. WB103.")
    entity: Id | None = Field(
        None, description="Entity (or control design, for simulation findings) covered; none for every entity."
    )
    justification: Prose = Field(min_length=1, description="Why the risk is accepted.")
    owner: Id = Field(description="Human who accepted the risk.")
    expires: dt.date = Field(description="Date after which the finding is raised again.")


class SourceInfo:
    """Where a scenario came from, and the line and column of every YAML or JSON value.

    `positions` is the table itself (YAML records it while parsing), or anything with a `locate(path)`
    method (JSON finds positions only when first asked).
    """

    def __init__(self, file: str, positions: dict[tuple[str | int, ...], tuple[int, int]] | _Locator) -> None:
        self.file = file
        self.positions = positions

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """Line and column of the node at `path`, or of its nearest located ancestor."""
        if isinstance(self.positions, dict):
            return locate_in(self.positions, path)
        return self.positions.locate(path)


class _Locator(Protocol):
    def locate(self, path: Sequence[str | int]) -> tuple[int, int]: ...


class Scenario(StrictModel):
    """One organisation's agents, identities, assets, access, workload, threats and control designs."""

    schema_version: Literal[1] = Field(description="Version of the scenario language; must be 1.")
    name: Id = Field(description="Short name, used in report paths.")
    title: Text | None = Field(None, description="Human title for reports.")
    description: Prose | None = Field(None, description="What the scenario models and what to look for.")
    as_of: dt.date = Field(description="The date the scenario describes; expiry is judged against it.")
    humans: list[Human] = Field(default_factory=list, description="People who own, approve and delegate.")
    service_accounts: list[ServiceAccount] = Field(default_factory=list, description="Non-human accounts.")
    agents: list[Agent] = Field(default_factory=list, description="The AI agents being modelled.")
    tools: list[Tool] = Field(default_factory=list, description="Tools, APIs and MCP servers.")
    datasets: list[Dataset] = Field(default_factory=list, description="Datasets and systems.")
    secrets: list[Secret] = Field(default_factory=list, description="Credentials: keys, tokens, passwords.")
    roles: list[Role] = Field(default_factory=list, description="Named bundles of permissions.")
    delegations: list[Delegation] = Field(
        default_factory=list, description="Authority lent agent to agent or human to agent."
    )
    approvals: list[Approval] = Field(default_factory=list, description="Human sign-offs of agents and their scope.")
    blocked_actions: list[BlockedAction] = Field(
        default_factory=list, description="Actions denied even with valid credentials."
    )
    revocation_triggers: list[RevocationTrigger] = Field(
        default_factory=list, description="Events that revoke live credentials."
    )
    services: Services = Field(default_factory=Services, description="Token service, PDP and approver pools.")
    workload: Workload = Field(default_factory=Workload, description="Task types the agents run.")
    threats: list[Threat] = Field(default_factory=list, description="Compromises injected into the simulation.")
    attacker: Attacker = Field(
        default_factory=Attacker, description="How a compromised identity's attacker acts and retries."
    )
    controls: list[Control] = Field(default_factory=list, description="Control designs to compare.")
    simulation: Simulation = Field(default_factory=Simulation, description="Horizon, replications and seed.")
    budget: Budget = Field(
        default_factory=Budget,
        description="Limits on what a design may cost (p95 latency, approver utilisation, denied rate): a design "
        "that breaks one is not eligible for the report's verdict.",
    )
    thresholds: Thresholds = Field(default_factory=Thresholds, description="Limits above which findings fire.")
    weights: Weights = Field(default_factory=Weights, description="Blast-radius score weights.")
    accepted_risks: list[AcceptedRisk] = Field(
        default_factory=list, description="Findings knowingly accepted, with expiry."
    )
    observed: Observed | None = Field(
        None, description="Use observed in traces (`workbench import traces` writes it), for least privilege."
    )

    _source: SourceInfo | None = PrivateAttr(None)
    _base_dir: Path | None = PrivateAttr(None)
    _derived: dict[str, Any] = PrivateAttr(default_factory=dict)

    # -- where things are -------------------------------------------------------------------------------

    @property
    def source(self) -> SourceInfo | None:
        """File and node positions, when the scenario was loaded from YAML."""
        return self._source

    def locate(self, path: Sequence[str | int]) -> tuple[str, int, int]:
        """(file, line, column) of a YAML path; ('<memory>', 1, 1) for scenarios built in Python."""
        if self._source is None:
            return ("<memory>", 1, 1)
        line, column = self._source.locate(path)
        return (self._source.file, line, column)

    @property
    def base_dir(self) -> Path | None:
        """Folder that files referenced by the scenario (Cedar policies) are relative to."""
        return self._base_dir

    def resolve_file(self, relative: str) -> Path:
        """Absolute path of a file the scenario references; ValueError if it would leave the scenario's folder.

        Checked here, where every referenced file is opened, and not only when the scenario was loaded: a
        sweep or `model_copy` can put another path into a scenario after it was validated.
        """
        if self._base_dir is None:
            raise ValueError("scenario was not loaded from a file; it cannot reference files")
        try:
            return contained_path(self._base_dir, relative)
        except FileProblem as problem:
            raise FileProblem(f"{relative!r} {problem.message}", problem.code) from None

    def entity_counts(self) -> tuple[tuple[str, int], ...]:
        """(plural label, count) of every kind of item the scenario holds, in file order: for summaries."""
        return (
            ("agents", len(self.agents)),
            ("humans", len(self.humans)),
            ("service accounts", len(self.service_accounts)),
            ("tools", len(self.tools)),
            ("datasets", len(self.datasets)),
            ("secrets", len(self.secrets)),
            ("roles", len(self.roles)),
            ("delegations", len(self.delegations)),
            ("approvals", len(self.approvals)),
            ("blocked actions", len(self.blocked_actions)),
            ("task types", len(self.workload.task_types)),
            ("threats", len(self.threats)),
        )

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Scenario:
        """A copy, with `update` applied as pydantic does (unvalidated), and with fresh lookups.

        The lookups (`kinds`, `by_id`, entity paths) are cached on the instance; pydantic's copy would carry
        them over unchanged, so a copy with other agents would still answer with the old ones.
        """
        copied = super().model_copy(update=update, deep=deep)
        for name in _CACHED_LOOKUPS:
            copied.__dict__.pop(name, None)
        copied._derived = {}
        return copied

    def derived(self, key: str, build: Callable[[Scenario], T]) -> T:
        """`build(self)`, computed once per scenario and kept on it under `key`.

        Layers above the model cache what they derive from a whole scenario here (the compiled access index
        behind `blast_radius(scenario, ...)`), so asking again in a notebook loop costs nothing. Copies start
        empty, and pickles leave it out: a worker process rebuilds what it needs.
        """
        if key not in self._derived:
            self._derived[key] = build(self)
        return self._derived[key]

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        private = state.get("__pydantic_private__")
        if private:
            state["__pydantic_private__"] = {**private, "_derived": {}}
        return state

    def path_of(self, entity_id: str) -> tuple[str | int, ...]:
        """YAML path of the entity with this id (e.g. ('agents', 3)); () if unknown."""
        return self._entity_paths.get(entity_id, ())

    # -- lookups ----------------------------------------------------------------------------------------

    def iter_entities(self) -> Iterator[tuple[EntityKind, tuple[str | int, ...], StrictModel]]:
        """Every entity with an id, with its kind and YAML path, in file order."""
        for section, kind in ENTITY_SECTIONS.items():
            for index, item in enumerate(getattr(self, section)):
                yield kind, (section, index), item
        for index, task in enumerate(self.workload.task_types):
            yield "task_type", ("workload", "task_types", index), task
        for index, pool in enumerate(self.services.approver_pools):
            yield "approver_pool", ("services", "approver_pools", index), pool

    @cached_property
    def _entity_paths(self) -> dict[str, tuple[str | int, ...]]:
        paths: dict[str, tuple[str | int, ...]] = {}
        for _kind, path, item in self.iter_entities():
            paths.setdefault(item.id, path)  # type: ignore[attr-defined]
        return paths

    @cached_property
    def kinds(self) -> dict[str, EntityKind]:
        """Kind of every entity by id (first definition wins; duplicates are a load error)."""
        kinds: dict[str, EntityKind] = {}
        for kind, _path, item in self.iter_entities():
            kinds.setdefault(item.id, kind)  # type: ignore[attr-defined]
        return kinds

    @cached_property
    def by_id(self) -> dict[str, StrictModel]:
        """Every entity by id."""
        found: dict[str, StrictModel] = {}
        for _kind, _path, item in self.iter_entities():
            found.setdefault(item.id, item)  # type: ignore[attr-defined]
        return found

    def agent(self, agent_id: str) -> Agent:
        """The agent with this id (KeyError if none)."""
        item = self.by_id[agent_id]
        if not isinstance(item, Agent):
            raise KeyError(agent_id)
        return item

    def __repr__(self) -> str:
        return (
            f"Scenario(name={self.name!r}, agents={len(self.agents)}, tools={len(self.tools)}, "
            f"datasets={len(self.datasets)}, secrets={len(self.secrets)}, controls={self.control_labels!r})"
        )

    def _repr_html_(self) -> str:
        from workbench.model.display import scenario_html

        return scenario_html(self)

    @property
    def control_labels(self) -> list[str]:
        """Names of the control designs, in scenario order."""
        return [control.label for control in self.controls]


_CACHED_LOOKUPS = tuple(name for name, member in vars(Scenario).items() if isinstance(member, cached_property))
"""Every cached lookup of a Scenario, found rather than listed, so a new one cannot be forgotten."""
