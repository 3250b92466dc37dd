"""One replication of one design: build the run, start its sources, run to the horizon, close the books.

`run_replication` is a plain top-level function of plain inputs so that sweeps can ship it to process or
dask pools; it returns a `ReplicationOutput` of NamedTuple records, which pickles cheaply.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from workbench.model import Scenario
from workbench.policy.base import ControlDesign
from workbench.policy.factory import build_design
from workbench.sim.governance import close_token
from workbench.sim.plan import compile_tasks
from workbench.sim.reach import Grant, ReachIndex
from workbench.sim.records import CompromiseRecord, Event, PrivilegeRecord, ServiceRecord, TaskRecord
from workbench.sim.state import Run
from workbench.sim.streams import ARRIVALS, KEYS, THREATS, WORK, stream
from workbench.sim.summary import summarise
from workbench.sim.threats import conclude, threaten
from workbench.sim.workload import arrive

__all__ = ["ReplicationOutput", "design_for", "run_replication", "standing_source"]


@dataclass
class ReplicationOutput:
    """Everything one run produced: its identity, its summary row and its records."""

    scenario: str
    control: str
    kind: str
    replication: int
    seed: int
    horizon_s: float
    summary: dict[str, float]
    compromises: list[CompromiseRecord]
    services: list[ServiceRecord]
    privileges: list[PrivilegeRecord]
    tasks: list[TaskRecord] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    standing: dict[str, frozenset[Grant]] = field(default_factory=dict)
    keep_records: bool = True


def standing_source(reach: ReachIndex) -> Callable[[str], frozenset[Grant]]:
    """Effective permissions by identity, as policy designs expect them (unknown ids hold nothing)."""
    kinds = reach.scenario.kinds

    def standing(identity: str) -> frozenset[Grant]:
        if kinds.get(identity) in ("agent", "human", "service_account"):
            return reach.effective(identity)
        return frozenset()

    return standing


def design_for(scenario: Scenario, label: str, reach: ReachIndex | None = None) -> ControlDesign:
    """The scenario's control design named `label`, built by the policy factory."""
    for control in scenario.controls:
        if control.label == label:
            return build_design(scenario, control, standing=standing_source(reach or ReachIndex(scenario)))
    known = ", ".join(scenario.control_labels) or "none"
    raise KeyError(f"scenario '{scenario.name}' has no control design '{label}' (it has: {known})")


def run_replication(
    scenario: Scenario,
    design_label: str,
    replication: int,
    seed_seq: np.random.SeedSequence,
    *,
    keep_records: bool = True,
    design: ControlDesign | None = None,
    seed: int | None = None,
    reach: ReachIndex | None = None,
) -> ReplicationOutput:
    """Simulate `design_label` on one replication whose streams derive from `seed_seq`.

    Same scenario, design and `seed_seq` give identical output in any process. `design` overrides the
    scenario's own design of that label (tests inject null designs this way); `seed` is only the value
    written on every record (default: the seed sequence's entropy); `reach` saves recompiling the scenario's
    access index when many replications run in one process.
    """
    reach = reach or ReachIndex(scenario)
    if design is None:
        design = design_for(scenario, design_label, reach)
    plans = compile_tasks(scenario, reach, design)
    run = Run(
        scenario,
        design,
        reach,
        plans,
        replication=replication,
        seed=_recorded_seed(seed_seq) if seed is None else seed,
        keep_records=keep_records,
    )
    env = run.env
    for index, task in enumerate(scenario.workload.task_types):
        streams = (stream(seed_seq, ARRIVALS, index), stream(seed_seq, WORK, index), stream(seed_seq, KEYS, index))
        env.process(arrive(run, plans[task.id], *streams))
    for index, threat in enumerate(scenario.threats):
        env.process(threaten(run, threat, stream(seed_seq, THREATS, index), stream(seed_seq, THREATS, index, KEYS)))
    env.run(until=run.horizon)
    return close_books(run, design_label)


def _recorded_seed(seed_seq: np.random.SeedSequence) -> int:
    """The integer written as `seed` on records: the root entropy the replication's streams derive from."""
    entropy = seed_seq.entropy
    if isinstance(entropy, int):
        return entropy
    return int(np.asarray(entropy, dtype=np.uint64).sum()) if entropy is not None else 0


def close_books(run: Run, label: str) -> ReplicationOutput:
    """End what is still open at the horizon and assemble the run's output."""
    horizon = run.horizon
    for compromise in list(run.active):
        conclude(run, compromise)
    for agent in sorted(run.live_tokens):
        for token in list(run.live_tokens[agent].values()):
            if token.expires <= horizon:
                close_token(run, token, token.expires, "ttl")
            else:
                close_token(run, token, horizon, "horizon")
    services = [run.token_service.record(horizon), run.pdp.record(horizon)]
    services += [pool.record(horizon) for pool in run.pools.values()]
    privileges, standing = privilege_records(run)
    compromises = sorted(run.compromises, key=lambda c: c.compromise_id)
    scenario = run.scenario
    return ReplicationOutput(
        scenario=scenario.name,
        control=label,
        kind=run.design.kind,
        replication=run.replication,
        seed=run.seed,
        horizon_s=horizon,
        summary=summarise(run.stats, compromises, services, privileges),
        compromises=compromises,
        services=services,
        privileges=privileges,
        tasks=run.tasks,
        events=run.events,
        standing=standing,
        keep_records=run.keep_records,
    )


def privilege_records(run: Run) -> tuple[list[PrivilegeRecord], dict[str, frozenset[Grant]]]:
    """Standing and token privilege of every agent, service account and tool over the run.

    Agents hold what the design leaves standing; service accounts and tools keep their access in every
    design (JIT for agents does not take a tool's key away).
    """
    scenario, reach, design = run.scenario, run.reach, run.design
    horizon = run.horizon
    rows: list[PrivilegeRecord] = []
    standing: dict[str, frozenset[Grant]] = {}
    identities: list[tuple[str, str, frozenset[Grant]]] = []
    for agent in scenario.agents:
        identities.append((agent.id, "agent", design.standing_permissions(agent.id)))
    for account in scenario.service_accounts:
        identities.append((account.id, "service_account", reach.effective(account.id)))
    for tool in scenario.tools:
        identities.append((tool.id, "tool", reach.compromise(tool.id)))
    for identity, kind, grants in identities:
        score = reach.score(grants)
        standing[identity] = grants
        rows.append(
            PrivilegeRecord(
                identity=identity,
                identity_kind=kind,
                standing_permissions=len(grants),
                standing_score=score,
                standing_privilege_score_s=score * horizon if math.isfinite(horizon) else math.inf,
                token_privilege_score_s=run.token_privilege.get(identity, 0.0),
            )
        )
    return rows, standing
