"""How much work a simulation will do, estimated before it starts, and the budget it must fit in.

Every number of a valid scenario is finite and bounded, but products of them need not be small: 1,000 weeks
at 1,000 tasks a second, 100,000 replications, or task types that each delegate two sub-tasks (a chain of
30 is a billion sub-tasks per task) all validate, then run for days or until memory runs out. So before any
replication starts, `check_work` estimates the expected number of simulation events and refuses (a located
`ScenarioError`, exit 3) a run whose estimate exceeds the budget, naming the fields that drive it.

One event, in this estimate, is one unit of the simulation's work, each costing a bounded number of SimPy
events and at most one record:

- a task arriving (root or sub-task), and each step it takes, its sub-tasks' steps included, weighted by
  each step's `probability` (the expansion of sub-tasks is computed over the delegation graph, which the
  model keeps acyclic, so a fan-out of 2 over 60 levels is 2^60 and refused, not enumerated);
- a compromise starting, each action of its attacker over the dwell (`attacker.action_interval`), each
  retry of a refused permission (`attacker.retry_interval`, per permission the attacker may ask for) and an
  hourly refresh of what the design offers; the same for every identity the compromise may spread to
  (delegated sub-tasks, poisoned datasets, readable secrets), each at most a horizon of dwell, since an
  identity is compromised at most once at a time.

The estimate is per replication and design, then multiplied by replications and designs. Expected values,
not bounds: a Poisson count can exceed its mean, which the budget's property test allows for.
The default budget is `DEFAULT_MAX_EVENTS`; a scenario raises it with `simulation.max_events`, a command with
`--max-events` (which wins).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.errors import Problem, ScenarioError
from workbench.model import Scenario
from workbench.model.common import Constant, Distribution, Empirical, Exponential, LogNormal, Uniform
from workbench.model.threats import Threat
from workbench.model.yaml_safe import format_path
from workbench.sim.reach import ReachIndex
from workbench.sim.threats import responsible_agents, trigger_latency

__all__ = [
    "DEFAULT_MAX_EVENTS",
    "Driver",
    "WorkEstimate",
    "check_work",
    "enforce_budget",
    "estimate_work",
    "mean_duration",
]

DEFAULT_MAX_EVENTS = 20_000_000
"""Events a run may be expected to take without asking: about ten minutes of one core, and a few GB of
records at most. The shipped scenarios need well under a tenth of it (`make report` prints nothing)."""

_CLOCK_REFRESH_S = 3600.0
"""A design that reads the clock is asked again every hour of a compromise (sim.threats.watch_state)."""

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Driver:
    """One source of work: where it is declared and how many events (per replication and design) it adds."""

    path: YamlPath
    events: float
    what: str


@dataclass(frozen=True)
class WorkEstimate:
    """Expected events of a simulation: per replication and design, and in total."""

    per_replication: float
    replications: int
    designs: int
    drivers: tuple[Driver, ...]  # largest first

    @property
    def total(self) -> float:
        """Expected events of the whole run: per replication × replications × designs."""
        return self.per_replication * self.replications * self.designs

    def __add__(self, other: WorkEstimate) -> WorkEstimate:
        """Two runs of the same replications and designs (two points of a sweep) as one."""
        drivers = tuple(sorted((*self.drivers, *other.drivers), key=lambda d: -d.events))
        return WorkEstimate(self.per_replication + other.per_replication, self.replications, self.designs, drivers)


def mean_duration(distribution: Distribution) -> float:
    """Mean of a duration distribution, in seconds."""
    if isinstance(distribution, Constant):
        return float(distribution.value)
    if isinstance(distribution, Exponential):
        return float(distribution.mean)
    if isinstance(distribution, LogNormal):
        return float(distribution.median) * math.exp(distribution.sigma**2 / 2)
    if isinstance(distribution, Uniform):
        return (float(distribution.low) + float(distribution.high)) / 2
    if isinstance(distribution, Empirical):
        return distribution.mean
    raise TypeError(f"unknown distribution {type(distribution).__name__}")  # pragma: no cover


def _arrivals(rate: float | None, at: Sequence[float], horizon: float) -> float:
    """Expected arrivals before the horizon: a Poisson rate, or the fixed times that fall inside it."""
    if at:
        return float(sum(1 for when in at if when < horizon))
    return (rate or 0.0) * horizon


def _task_costs(scenario: Scenario) -> dict[str, float]:
    """Expected events of one task of each type: itself, its steps and (recursively) its sub-tasks."""
    by_id = {task.id: task for task in scenario.workload.task_types}
    costs: dict[str, float] = {}

    def cost(task_id: str) -> float:
        known = costs.get(task_id)
        if known is not None:
            return known
        costs[task_id] = math.inf  # a cycle (the model refuses them) would count as unbounded, not recurse
        task = by_id.get(task_id)
        total = 1.0
        if task is not None:
            for step in task.steps:
                total += step.probability * (cost(step.delegate) if step.delegate is not None else 1.0)
        costs[task_id] = total
        return total

    for task_id in by_id:
        cost(task_id)
    return costs


def _grants(scenario: Scenario, reach: ReachIndex, target: str) -> frozenset[tuple[str, str]]:
    """The permissions an attacker holding `target` may use or ask for."""
    grants = reach.compromise(target)
    if scenario.kinds.get(target) == "agent":
        grants = grants | reach.effective(target)
    return grants


def _attack_grants(scenario: Scenario, reach: ReachIndex, target: str) -> int:
    """How many permissions an attacker holding `target` may ask for (each retried on refusal)."""
    return max(len(_grants(scenario, reach, target)), 1)


def _spreads(scenario: Scenario, reach: ReachIndex) -> dict[str, set[str]]:
    """Identity -> identities a compromise of it may spread to directly (sim.threats.spread): the agents of
    sub-tasks it delegates with a handoff chance, readers of datasets it may poison, secrets it may read."""
    task_agent = {task.id: task.agent for task in scenario.workload.task_types}
    delegates: dict[str, set[str]] = {}
    readers: dict[str, set[str]] = {}
    for task in scenario.workload.task_types:
        for step in task.steps:
            if step.delegate is not None and step.handoff > 0 and step.delegate in task_agent:
                delegates.setdefault(task.agent, set()).add(task_agent[step.delegate])
            elif step.action == "read" and step.resource is not None:
                readers.setdefault(step.resource, set()).add(task.agent)
    poisonable = {d.id for d in scenario.datasets if d.hijacks_readers > 0}
    secrets = {s.id for s in scenario.secrets}
    out: dict[str, set[str]] = {}
    identities = {*task_agent.values(), *(a.id for a in scenario.agents), *secrets, *(t.id for t in scenario.tools)}
    for identity in identities:
        targets = set(delegates.get(identity, ()))
        for action, resource in _grants(scenario, reach, identity):
            if action == "write" and resource in poisonable:
                targets |= readers.get(resource, set())
            elif action == "read" and resource in secrets:
                targets.add(resource)
        targets.discard(identity)
        if targets:
            out[identity] = targets
    return out


def _reachable(spreads: dict[str, set[str]], start: str) -> set[str]:
    """Every identity a compromise of `start` may spread to, directly or through others (not `start`)."""
    seen: set[str] = set()
    frontier = [start]
    while frontier:
        for nxt in spreads.get(frontier.pop(), ()):
            if nxt not in seen and nxt != start:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def estimate_work(
    scenario: Scenario,
    *,
    replications: int | None = None,
    designs: int | None = None,
    reach: ReachIndex | None = None,
) -> WorkEstimate:
    """Expected events of simulating `scenario`: `replications` (default the scenario's) × `designs`
    (default every design of the scenario) replications; pure, and fast (no event is simulated)."""
    horizon = float(scenario.simulation.horizon)
    reach = reach or ReachIndex(scenario)
    drivers: list[Driver] = []
    costs = _task_costs(scenario)
    for index, task in enumerate(scenario.workload.task_types):
        arrivals = task.arrival.expected(horizon)
        if arrivals > 0:
            field = next(name for name in ("at", "replay", "profile", "rate") if getattr(task.arrival, name))
            expansion = f"{costs[task.id]:.3g} events each" + (
                ", sub-tasks included" if any(s.delegate for s in task.steps) else ""
            )
            drivers.append(
                Driver(
                    ("workload", "task_types", index, "arrival", field),
                    arrivals * costs[task.id],
                    f"task type {task.id!r}: {arrivals:,.3g} tasks × {expansion}",
                )
            )
    attacker = scenario.attacker
    interval, retry = float(attacker.action_interval), float(attacker.retry_interval)

    def dwell_of(threat: Threat, target: str) -> float:
        latency = trigger_latency(scenario, responsible_agents(scenario, target))
        if scenario.kinds.get(target) == "agent" and latency is None:
            return horizon  # a hijacked agent nobody revokes acts until the horizon
        delays = mean_duration(threat.detection_delay) + mean_duration(threat.revocation_delay)
        return min(delays + (latency or 0.0), horizon)

    def per_second(target: str) -> float:
        """Attacker events per second of dwell: actions, retries of each permission, clock refreshes."""
        return 1.0 / interval + _attack_grants(scenario, reach, target) / retry + 1.0 / _CLOCK_REFRESH_S

    spreads = _spreads(scenario, reach)
    for index, threat in enumerate(scenario.threats):
        compromises = _arrivals(threat.rate, threat.at, horizon)
        if compromises <= 0:
            continue
        dwell = dwell_of(threat, threat.target)
        grants = _attack_grants(scenario, reach, threat.target)
        per_compromise = 1.0 + dwell * per_second(threat.target)
        # Each identity it may spread to is compromised at most once at a time: at most a horizon of dwell.
        cascade = _reachable(spreads, threat.target)
        spread = sum(
            compromises + min(compromises * dwell_of(threat, other), horizon) * per_second(other) for other in cascade
        )
        field = "at" if threat.at else "rate"
        drivers.append(
            Driver(
                ("threats", index, field),
                compromises * per_compromise + spread,
                f"threat {threat.id!r}: {compromises:,.3g} compromises × {per_compromise:,.3g} attacker events "
                f"(dwell {dwell:,.0f} s, one action per {interval:g} s, {grants} permission(s) retried "
                f"every {retry:g} s)"
                + (f", and {spread:,.3g} as it spreads to {len(cascade)} more" if cascade else ""),
            )
        )
    drivers.sort(key=lambda d: -d.events)
    n = scenario.simulation.replications if replications is None else replications
    k = len(scenario.controls) if designs is None else designs
    return WorkEstimate(sum(d.events for d in drivers), n, k, tuple(drivers))


def check_work(
    scenario: Scenario,
    *,
    replications: int | None = None,
    designs: int | None = None,
    max_events: int | None = None,
    reach: ReachIndex | None = None,
) -> WorkEstimate:
    """The estimate, if it fits the budget; otherwise a `ScenarioError` located at the fields driving it.

    The budget is `max_events` (the command line's `--max-events`), else the scenario's
    `simulation.max_events`, else `DEFAULT_MAX_EVENTS`.
    """
    estimate = estimate_work(scenario, replications=replications, designs=designs, reach=reach)
    return enforce_budget(scenario, estimate, max_events)


def enforce_budget(scenario: Scenario, estimate: WorkEstimate, max_events: int | None = None) -> WorkEstimate:
    """`estimate`, if it fits the budget (as in `check_work`); otherwise the located `ScenarioError`."""
    budget = max_events or scenario.simulation.max_events or DEFAULT_MAX_EVENTS
    if estimate.total <= budget:
        return estimate
    summary = (
        f"the simulation would take about {estimate.total:,.3g} events ({estimate.per_replication:,.3g} per "
        f"replication × {estimate.replications:,} replications × {estimate.designs} designs), more than the "
        f"budget of {budget:,}; shorten simulation.horizon, lower the rates or replications, or raise the "
        "budget with simulation.max_events or --max-events"
    )
    located: list[tuple[YamlPath, str]] = [(("simulation", "horizon"), summary)]
    if estimate.replications > 1:
        located.append((("simulation", "replications"), f"{estimate.replications:,} replications multiply the work"))
    for driver in estimate.drivers[:3]:
        share = driver.events / estimate.per_replication if math.isfinite(estimate.per_replication) else 1.0
        located.append((driver.path, f"{driver.what}: {share:.0%} of the work"))
    problems = []
    for path, message in located:
        file, line, column = scenario.locate(path)
        problems.append(Problem(file, line, column, format_path(path), message, "work-budget"))
    raise ScenarioError(problems)
