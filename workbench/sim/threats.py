"""Compromises: when they happen, what the attacker holds, could obtain and does, and when they end.

A threat source draws each compromise's time, detection delay and revocation delay from the threat's own
stream, so every design faces the same compromises. The attacker then acts for the whole dwell
(`Scenario.attacker`): one action per interval, what it has not yet used first and highest weight first,
asking the design for a token or a step-up where it must and asking again after the retry interval when
refused; it rides the agent's live tasks (their tokens and the intent they bring). Containment comes at
detection + revocation delay + the anomaly_detected revocation trigger's latency; without such a trigger a
hijacked agent's credentials are never revoked; a secret's rotation ends a leak early.

Exposure, the headline, integrates *obtainable* reach; held exposure integrates what the attacker holds
(compromise.py, exposure.py, docs/concepts.md).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np

from workbench.model import Agent, Dataset, Scenario, Secret, Threat, Tool
from workbench.model.common import Exponential
from workbench.sim.compromise import Compromise
from workbench.sim.governance import close_token, evaluate, request_token, review, revoke_tokens
from workbench.sim.offers import obtainable_now, refresh, refresh_agent
from workbench.sim.plan import Check, compile_checks
from workbench.sim.reach import Grant
from workbench.sim.records import CompromiseRecord, Event
from workbench.sim.state import Run, Task
from workbench.sim.streams import (
    HANDOFF,
    POISONING,
    SPREAD_DETECTION,
    SPREAD_REVOCATION,
    child_key,
    key_sampler,
    make_sampler,
    quantile,
    slot,
    unit,
)

__all__ = [
    "HIJACKS",
    "conclude",
    "contain",
    "hand_off",
    "read_poisoned",
    "responsible_agents",
    "spread",
    "threaten",
    "trigger_latency",
]

HIJACKS = ("prompt_injection", "insider_misuse")
"""Threat kinds in which someone else steers an agent, so its sub-tasks carry their input."""


def threaten(
    run: Run, threat: Threat, rng: np.random.Generator, keys: np.random.Generator
) -> Generator[Any, Any, None]:
    """Start a compromise of `threat`'s target at each of its times (Poisson rate or fixed) before the horizon."""
    env = run.env
    key = key_sampler(keys)
    detection = make_sampler(rng, threat.detection_delay)
    revocation = make_sampler(rng, threat.revocation_delay)
    if threat.at:
        times = iter(sorted(threat.at))
        gap = None
    else:
        times = iter(())
        gap = make_sampler(rng, Exponential(mean=1.0 / threat.rate)) if threat.rate else None
    while True:
        when = env.now + gap() if gap is not None else next(times, math.inf)
        if when >= run.horizon:
            return
        yield env.timeout(when - env.now)
        detect = detection()
        revoke = revocation()
        start(run, threat, detect, revoke, key())


def start(
    run: Run,
    threat: Threat,
    detect: float,
    revoke: float,
    key: int = 0,
    parent: Compromise | None = None,
    via: str = "",
) -> Compromise:
    """Begin a compromise now: fix its containment time and what it holds, start the attacker and the clock.

    `parent` is the compromise this one spread from (`via` says how), None for a threat's own.
    """
    env = run.env
    now = env.now
    scenario = run.scenario
    latency = trigger_latency(scenario, responsible_agents(scenario, threat.target))
    target = scenario.by_id.get(threat.target)
    until, how = math.inf, "horizon"
    if latency is not None:
        until, how = now + detect + revoke + latency, "revoked"
    elif isinstance(target, Secret | Tool):
        # A detected leaked key is rotated, a detected rogue tool disabled, by hand: no agent trigger needed.
        # A hijacked agent with no revocation trigger keeps what it holds (that is finding WB114's point).
        until, how = now + detect + revoke, "revoked"
    if isinstance(target, Secret):
        period = min((p for p in (target.rotation, target.lifetime) if p), default=None)
        if period:
            rotation = (math.floor(now / period) + 1) * period
            if rotation < until:
                until, how = rotation, "rotated"
    if until >= run.horizon:
        until, how = run.horizon, "horizon"
    comp = Compromise(len(run.compromises) + len(run.active), threat, now, now + detect, until, how)
    comp.key = key
    if parent is not None:
        comp.parent, comp.root, comp.via = parent.id, parent.root, via
    held(run, comp)
    if comp.agent is not None:
        live = run.live_tokens.get(comp.agent, {})
        comp.tokens = [t for t in live.values() if t.expires > now]
        run.watch.setdefault(comp.agent, []).append(comp)
        candidates = set(comp.base)
        if run.token_mode:
            candidates |= run.reach.effective(comp.agent)
        weight = run.reach.weight
        order = sorted((g for g in candidates if weight(*g) > 0), key=lambda g: (-weight(*g), g))
        comp.checks = compile_checks(scenario, run.reach, run.design, comp.agent, order)
    run.active.append(comp)
    refresh(run, comp)
    reachable = obtainable_now(run, comp)
    comp.reachable = reachable
    if run.keep_records:
        run.events.append(
            Event(
                "compromise",
                now,
                comp.target,
                reason=threat.id,
                purpose=threat.kind,
                outcome=via,
                task_id=comp.parent,
                weight=run.reach.score(reachable),
                value=float(len(reachable)),
            )
        )
    if comp.detected_at <= until:
        env.process(detect_compromise(run, comp))
    env.process(attack(run, comp))
    if comp.agent is not None:
        env.process(watch_state(run, comp))
    if until < run.horizon:
        env.process(contain(run, comp))
    return comp


def held(run: Run, comp: Compromise) -> None:
    """What the attacker holds outright: a hijacked agent's standing access and tools, a secret, a tool."""
    scenario, reach, design = run.scenario, run.reach, run.design
    target = scenario.by_id.get(comp.target)
    credentials: dict[Grant, str] = {}
    standing: frozenset[Grant] = frozenset()
    if isinstance(target, Agent):
        comp.agent = target.id
        # Only what the design leaves standing: under RBAC that includes what wired tools reach with their
        # own keys; under JIT the agent must hold a token to call a tool at all.
        standing = design.standing_permissions(target.id)
        for tool_id in target.tools:
            for grant in sorted(reach.conduit(tool_id) & standing):
                credentials.setdefault(grant, f"tool:{tool_id}")
        for grant in sorted(standing):
            credentials.setdefault(grant, "standing")
    elif isinstance(target, Secret):
        if run.token_mode and not _held_outside_agents(scenario, target.id):
            credentials = {}  # JIT replaced the agents' copies of this secret by workload identity
        else:
            credentials = dict.fromkeys(sorted(reach.compromise(target.id)), f"secret:{target.id}")
    elif isinstance(target, Tool):
        credentials = dict.fromkeys(sorted(reach.compromise(target.id)), f"tool:{target.id}")
    else:
        return
    blocked = frozenset(reach.index.pairs(reach.index.blocked_bits(comp.target)))
    allowed = {g: c for g, c in credentials.items() if g not in blocked}
    comp.credentials = allowed
    comp.base = frozenset(allowed)
    # Standing access behind a request-time check (RBAC with step-up) is obtainable only where the check allows.
    comp.free = frozenset(g for g in comp.base if not grant_gated(run, g, standing))


def _held_outside_agents(scenario: Scenario, secret_id: str) -> bool:
    if any(t.credential == secret_id for t in scenario.tools):
        return True
    return any(c.secret == secret_id for a in scenario.service_accounts for c in a.credentials)


def responsible_agents(scenario: Scenario, target: str) -> list[str]:
    """Agents whose revocation triggers cover a compromise of `target`."""
    item = scenario.by_id.get(target)
    if isinstance(item, Agent):
        return [item.id]
    if isinstance(item, Tool):
        return [a.id for a in scenario.agents if target in a.tools]
    if isinstance(item, Secret):
        tools = {t.id for t in scenario.tools if t.credential == target}
        return [
            a.id
            for a in scenario.agents
            if any(c.secret == target for c in a.credentials) or any(t in tools for t in a.tools)
        ]
    return []


def trigger_latency(scenario: Scenario, agents: list[str]) -> float | None:
    """Latency of the fastest anomaly_detected revocation trigger for any of `agents`; None if none applies."""
    latencies = [
        t.latency
        for t in scenario.revocation_triggers
        if t.event == "anomaly_detected" and (t.identity == "*" or t.identity in agents)
    ]
    return min(latencies) if latencies else None


def watch_state(run: Run, comp: Compromise) -> Generator[Any, Any, None]:
    """Refresh the offer when something the design reads changes by the clock alone: a scenario approval
    starting or lapsing, and the hour of day for a design that reads the clock."""
    env = run.env
    edges: set[float] = set()
    checks = list(comp.checks.values())
    for plan in run.plans.values():
        if plan.agent == comp.agent:
            checks.extend(plan.scope_checks)
    for check in checks:
        for begin, end, _approval in check.windows:
            edges.update(t for t in (begin, end) if comp.start < t < comp.until)
    if run.design.reads_clock:
        first = (math.floor(comp.start / 3600.0) + 1) * 3600.0
        edges.update(t for t in np.arange(first, comp.until, 3600.0).tolist())
    for when in sorted(edges):
        if not comp.active:
            return
        yield env.timeout(when - env.now)
        refresh(run, comp)


def detect_compromise(run: Run, comp: Compromise) -> Generator[Any, Any, None]:
    """Flag the compromised agent at detection: designs see `anomaly_flagged` from then on.

    Its approvals with the `anomaly` re-approval trigger are suspended until a human approves again.
    """
    yield run.env.timeout(comp.detected_at - run.env.now)
    if not comp.active:
        return
    if comp.agent is not None:
        run.flagged[comp.agent] = run.flagged.get(comp.agent, 0) + 1
        comp.flagged = True
    if run.keep_records:
        run.events.append(Event("detection", run.env.now, comp.target, reason=comp.threat.id))
    if comp.agent is not None:
        for approval in run.anomaly_approvals.get(comp.agent, ()):
            if approval not in run.suspended:
                run.suspended.add(approval)
                if run.keep_records:
                    run.events.append(Event("approval_suspended", run.env.now, comp.agent, reason=approval))
        refresh_agent(run, comp.agent)


def attack(run: Run, comp: Compromise) -> Generator[Any, Any, None]:
    """The attacker, for the whole dwell: one action per interval, what it has used least first, highest
    weight first; a refused permission is asked for again after the retry interval."""
    env = run.env
    weight = run.reach.weight
    spec = run.scenario.attacker
    interval, retry = float(spec.action_interval), float(spec.retry_interval)
    if comp.agent is not None:
        order = list(comp.checks)
    else:
        order = sorted((g for g in comp.base if weight(*g) > 0), key=lambda g: (-weight(*g), g))
    if not order:
        return
    rank = {g: i for i, g in enumerate(order)}
    uses = dict.fromkeys(order, 0)
    not_before = dict.fromkeys(order, 0.0)
    standing = frozenset() if comp.agent is None else run.design.standing_permissions(comp.agent)
    own = Task(-1, None, -1, env.now, comp.key)
    attempt = 0
    while comp.active:
        now = env.now
        ready = [g for g in order if not_before[g] <= now]
        if not ready:
            yield env.timeout(min(not_before.values()) - now)
            continue
        grant = min(ready, key=lambda g: (uses[g], rank[g]))
        credential = yield from obtain(run, comp, grant, standing, own, attempt)
        attempt += 1
        if not comp.active:
            return
        if credential is None:
            not_before[grant] = env.now + retry
            continue
        uses[grant] += 1
        comp.exercises += 1
        first = grant not in comp.exercised
        comp.exercised[grant] = comp.exercised.get(grant, 0.0) + weight(*grant)
        if run.keep_records:
            run.events.append(
                Event(
                    "attack",
                    env.now,
                    comp.target,
                    credential=credential,
                    action=grant[0],
                    resource=grant[1],
                    weight=weight(*grant),
                    reason=comp.threat.id,
                )
            )
        if first:
            spread_by_use(run, comp, grant)
        yield env.timeout(interval)


def riding_check(run: Run, comp: Compromise, grant: Grant) -> Check | None:
    """The in-intent request template of a live task of the agent that covers `grant`, if any: the attacker
    steering a running task asks in that task's name."""
    agent = comp.agent
    for plan_id in run.running.get(agent or "", {}):
        for check in run.plans[plan_id].scope_checks:
            if check.grant == grant:
                return check
    return None


def obtain(
    run: Run, comp: Compromise, grant: Grant, standing: frozenset[Grant], own: Task, at: int
) -> Generator[Any, Any, str | None]:
    """The credential the attacker uses for `grant`, asking the design where it must; None if refused."""
    env = run.env
    now = env.now
    agent = comp.agent
    if agent is None:  # a leaked secret or a tool: used directly
        return comp.credentials.get(grant)
    lapsed = []
    for token in run.live_tokens.get(agent, {}).values():
        if grant in token.scope:
            if token.expires > now:
                return token.name
            if token.task_id < 0:
                lapsed.append(token)
    for token in lapsed:  # the attacker's own lapsed tokens: nobody else will close them
        close_token(run, token, token.expires, "ttl")
    credential = comp.credentials.get(grant)
    if credential is not None and not grant_gated(run, grant, standing):
        return credential
    check = riding_check(run, comp, grant) or comp.checks[grant]
    if credential is not None:  # standing access behind a request-time check (RBAC with step-up)
        yield from evaluate(run, own, 1, at)
        decision = check.decide(env.now, agent in run.flagged, run.suspended)
        if decision.outcome == "allow":
            return credential
        if decision.outcome == "deny":
            comp.denials += 1
            return None
        approver = yield from review(run, own, agent, decision.approver_pool, (check,), "attacker", at)
        if approver is None:
            comp.rejections += 1
            return None
        return credential
    if not run.token_mode:
        return None
    rejections_before = run.stats.rejections
    token = yield from request_token(run, own, agent, (check,), "attacker", at)
    if token is None:
        if run.stats.rejections > rejections_before:
            comp.rejections += 1
        else:
            comp.denials += 1
        return None
    comp.obtained += 1  # request_token already handed it to every watcher of the agent, this one included
    return token.name


def grant_gated(run: Run, grant: Grant, standing: frozenset[Grant]) -> bool:
    """Whether using standing `grant` passes the design's request-time check (the agent's requests do,
    whichever credential then carries them out)."""
    return run.evaluates and grant in standing


def contain(run: Run, comp: Compromise) -> Generator[Any, Any, None]:
    """End the compromise at its containment time."""
    yield run.env.timeout(comp.until - run.env.now)
    conclude(run, comp)


def conclude(run: Run, comp: Compromise) -> None:
    """Revoke (if a trigger applies), unflag, and record what the compromise cost."""
    if not comp.active:
        return
    comp.active = False
    now = min(run.env.now, comp.until)
    agent = comp.agent
    if agent is not None:
        if comp.containment == "revoked":
            revoke_tokens(run, agent, f"containment of {comp.threat.id}")
            if comp.flagged:
                remaining = run.flagged[agent] - 1
                if remaining:
                    run.flagged[agent] = remaining
                else:
                    del run.flagged[agent]
        watchers = run.watch.get(agent, [])
        if comp in watchers:
            watchers.remove(comp)
        refresh_agent(run, agent)  # another compromise of the agent may now see it unflagged
    run.active.remove(comp)
    for dataset in [d for d, source in run.poisoned.items() if source is comp]:
        del run.poisoned[dataset]  # incident response restores what the attacker wrote
    reach = run.reach
    weight = reach.weight
    reachable = comp.reachable
    assets = {r for a, r in reachable if weight(a, r) > 0}
    if run.keep_records:
        run.events.append(Event("containment", now, comp.target, reason=comp.threat.id, outcome=comp.containment))
    exercised = comp.exercised
    run.compromises.append(
        CompromiseRecord(
            compromise_id=comp.id,
            threat=comp.threat.id,
            threat_kind=comp.threat.kind,
            target=comp.target,
            parent_compromise=comp.parent,
            root_compromise=comp.root,
            spread=comp.via,
            compromised_s=comp.start,
            detected_s=comp.detected_at,
            contained_s=now,
            containment=comp.containment,
            dwell_s=now - comp.start,
            reachable_score=reach.score(reachable),
            reachable_permissions=len(reachable),
            reachable_assets=len(assets),
            exposure_score_h=comp.obtainable_score_h(now, weight),
            held_exposure_score_h=comp.held_score_h(now, weight),
            realised_damage=float(sum(exercised[g] for g in sorted(exercised))),
            realised_damage_distinct=float(sum(weight(*g) for g in sorted(exercised))),
            exercised_permissions=len(exercised),
            attacker_actions=comp.exercises,
            tokens_obtained=comp.obtained,
            attacker_denials=comp.denials,
            attacker_rejections=comp.rejections,
        )
    )


def spread(run: Run, parent: Compromise, kind: str, target: str, key: int, via: str) -> Compromise | None:
    """Start a compromise of `target` caused by `parent`, unless `target` is compromised already.

    Its detection and revocation delays are drawn from the parent's threat, independently, from the
    substream `key`; its containment follows its own target's triggers and rotation.
    """
    if any(c.target == target for c in run.active):
        return None  # each identity is compromised at most once at a time
    threat = parent.threat.model_copy(update={"kind": kind, "target": target})
    detect = quantile(threat.detection_delay)(unit(key, slot(-1, SPREAD_DETECTION)))
    revoke = quantile(threat.revocation_delay)(unit(key, slot(-1, SPREAD_REVOCATION)))
    return start(run, threat, detect, revoke, key, parent=parent, via=via)


def hand_off(run: Run, agent: str, sub_agent: str, handoff: float, key: int, at: int) -> None:
    """A task of hijacked `agent` delegates to `sub_agent`: the sub-task carries the attacker's input."""
    for comp in run.watch.get(agent, ()):
        if comp.threat.kind in HIJACKS and (handoff >= 1.0 or unit(key, slot(at, HANDOFF)) < handoff):
            spread(run, comp, "prompt_injection", sub_agent, child_key(key, at), "delegation")
            return


def spread_by_use(run: Run, comp: Compromise, grant: Grant) -> None:
    """The attacker's first use of a pair may spread it: writing a dataset agents take instructions from
    poisons it; reading a secret leaks it for use from outside."""
    action, resource = grant
    item = run.scenario.by_id.get(resource)
    if action == "write" and isinstance(item, Dataset) and item.hijacks_readers > 0:
        run.poisoned.setdefault(resource, comp)
    elif action == "read" and isinstance(item, Secret):
        # The leak's substream is keyed by which secret it is (its place in the scenario), so that two
        # secrets read by one attacker draw independent detection and revocation delays.
        position = run.scenario.secrets.index(item)
        spread(run, comp, "key_leak", resource, child_key(comp.key, 1, position), f"secret:{resource}")


def read_poisoned(run: Run, agent: str, dataset: str, key: int, at: int) -> None:
    """A task of `agent` read a poisoned dataset: it is hijacked with the dataset's `hijacks_readers` chance."""
    source = run.poisoned.get(dataset)
    item = run.scenario.by_id.get(dataset)
    if source is None or not isinstance(item, Dataset):
        return
    if unit(key, slot(at, POISONING)) < item.hijacks_readers:
        spread(run, source, "prompt_injection", agent, child_key(key, at, 1), f"poisoned:{dataset}")
