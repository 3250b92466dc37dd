"""Compromises: when they happen, what the attacker reaches and does, and when they are contained.

A threat source draws each compromise's time, detection delay and revocation delay from the threat's own
stream, so every design faces the same compromises. The attacker then works through what it can reach,
highest weight first, one action per `ATTACK_INTERVAL_S` (records.py), and obtains tokens where the design
issues them to it. Containment comes at detection + revocation delay + the anomaly_detected revocation
trigger's latency; without such a trigger credentials are never revoked (a leaked secret lives until its
rotation, a hijacked agent's standing access until the horizon); a secret's rotation ends a leak early.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np

from workbench.model import Agent, Scenario, Secret, Threat, Tool
from workbench.model.common import Exponential
from workbench.sim.governance import evaluate, request_token, review, revoke_tokens
from workbench.sim.plan import Check, compile_checks
from workbench.sim.reach import Grant
from workbench.sim.records import ATTACK_INTERVAL_S, CompromiseRecord, Event
from workbench.sim.state import Run, Task, Token
from workbench.sim.streams import key_sampler, make_sampler

__all__ = ["Compromise", "contain", "exposure_score_h", "threaten", "trigger_latency"]

Weight = Callable[[str, str], float]

COMPACT_AT = 1024
"""Tokens a compromise watches before it folds the ended ones into its exposure so far."""


class Compromise:
    """One compromise in progress: what the attacker holds and what it has done."""

    __slots__ = (
        "active",
        "agent",
        "base",
        "compact_at",
        "containment",
        "credentials",
        "denials",
        "detected_at",
        "exercised",
        "flagged",
        "id",
        "key",
        "obtained",
        "reachable",
        "rejections",
        "start",
        "swept_area",
        "swept_to",
        "target",
        "threat",
        "tokens",
        "until",
    )

    def __init__(self, cid: int, threat: Threat, start: float, detected_at: float, until: float, how: str) -> None:
        self.id = cid
        self.threat = threat
        self.target = threat.target
        self.agent: str | None = None
        self.start = start
        self.detected_at = detected_at
        self.until = until
        self.containment = how
        self.base: frozenset[Grant] = frozenset()  # held without asking: standing access, tools' keys
        self.credentials: dict[Grant, str] = {}  # which credential gives each base grant
        self.tokens: list[Token] = []  # tokens of the agent live at some point of the dwell
        self.exercised: dict[Grant, float] = {}
        self.obtained = 0
        self.denials = 0
        self.rejections = 0
        self.reachable: set[Grant] = set()  # at the moment of compromise
        self.flagged = False
        self.active = True
        self.key = 0  # names the substream of the attacker's requests (streams.unit)
        self.swept_to = start  # exposure before this time is already in swept_area
        self.swept_area = 0.0  # score-seconds
        self.compact_at = COMPACT_AT

    def add_token(self, token: Token, now: float, weight: Weight) -> None:
        """Watch a token of the agent issued during the dwell; fold ended ones into the exposure so far.

        A hijacked agent with a busy workload gets many tokens while its compromise goes unnoticed. Every
        change of reach before the earliest still-open token's issue is final, so the integral up to there
        is taken and the tokens that ended before it are dropped: memory stays bounded by the tokens open
        at once, not by all the tokens of the dwell.
        """
        self.tokens.append(token)
        if len(self.tokens) <= self.compact_at:
            return
        until = min([now, *(t.issued for t in self.tokens if t.end == math.inf)])
        if until > self.swept_to:
            self.swept_area += _area(self, self.swept_to, until, weight)
            self.swept_to = until
            self.tokens = [t for t in self.tokens if t.end == math.inf or min(t.end, t.expires) > until]
        self.compact_at = max(COMPACT_AT, 2 * len(self.tokens))


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


def start(run: Run, threat: Threat, detect: float, revoke: float, key: int = 0) -> Compromise:
    """Begin a compromise now: fix its reach and containment time, start the attacker and the clock."""
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
    held(run, comp)
    if comp.agent is not None:
        live = run.live_tokens.get(comp.agent, {})
        comp.tokens = [t for t in live.values() if t.expires > now]
        run.watch.setdefault(comp.agent, []).append(comp)
    run.active.append(comp)
    reachable = reach_now(run, comp)
    if run.keep_records:
        run.events.append(
            Event(
                "compromise",
                now,
                comp.target,
                reason=threat.id,
                purpose=threat.kind,
                weight=run.reach.score(reachable),
                value=float(len(reachable)),
            )
        )
    comp.reachable = reachable
    if comp.detected_at <= until:
        env.process(detect_compromise(run, comp))
    env.process(attack(run, comp))
    if until < run.horizon:
        env.process(contain(run, comp))
    return comp


def held(run: Run, comp: Compromise) -> None:
    """What the attacker holds outright: a hijacked agent's standing access and tools, a secret, a tool."""
    scenario, reach, design = run.scenario, run.reach, run.design
    target = scenario.by_id.get(comp.target)
    credentials: dict[Grant, str] = {}
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


def reach_now(run: Run, comp: Compromise) -> set[Grant]:
    """What the attacker can exercise at this moment: what it holds plus the agent's live tokens."""
    now = run.env.now
    grants = set(comp.base)
    for token in comp.tokens:
        if token.issued <= now < token.expires and token.end > now:
            grants |= token.scope
    return grants


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


def attack(run: Run, comp: Compromise) -> Generator[Any, Any, None]:
    """The attacker: each reachable permission once, highest weight first, one action per interval."""
    env = run.env
    weight = run.reach.weight
    agent = comp.agent
    candidates = set(reach_now(run, comp))
    if agent is not None:
        candidates |= run.reach.effective(agent)
    order = sorted((g for g in candidates if weight(*g) > 0), key=lambda g: (-weight(*g), g))
    checks: dict[Grant, Check] = {}
    if agent is not None:
        checks = compile_checks(run.scenario, run.reach, run.design, agent, order)
    standing = frozenset() if agent is None else run.design.standing_permissions(agent)
    own = Task(-1, None, -1, env.now, comp.key)
    for attempt, grant in enumerate(order):
        if not comp.active:
            return
        credential = yield from obtain(run, comp, grant, checks.get(grant), standing, own, attempt)
        if credential is None or not comp.active:
            continue
        comp.exercised[grant] = weight(*grant)
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
        yield env.timeout(ATTACK_INTERVAL_S)


def obtain(
    run: Run, comp: Compromise, grant: Grant, check: Check | None, standing: frozenset[Grant], own: Task, at: int
) -> Generator[Any, Any, str | None]:
    """The credential the attacker uses for `grant`, asking the design where it must; None if refused."""
    env = run.env
    now = env.now
    for token in comp.tokens:
        if grant in token.scope and token.expires > now and token.end > now:
            return token.name
    credential = comp.credentials.get(grant)
    agent = comp.agent
    if check is None or agent is None:  # a leaked secret or a tool: used directly
        return credential
    if credential is not None and not grant_gated(run, grant, standing):
        return credential
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
    run.active.remove(comp)
    reach = run.reach
    reachable = comp.reachable
    exposure = exposure_score_h(comp, now, reach.weight)
    assets = {r for a, r in reachable if reach.weight(a, r) > 0}
    if run.keep_records:
        run.events.append(Event("containment", now, comp.target, reason=comp.threat.id, outcome=comp.containment))
    run.compromises.append(
        CompromiseRecord(
            compromise_id=comp.id,
            threat=comp.threat.id,
            threat_kind=comp.threat.kind,
            target=comp.target,
            compromised_s=comp.start,
            detected_s=comp.detected_at,
            contained_s=now,
            containment=comp.containment,
            dwell_s=now - comp.start,
            reachable_score=reach.score(reachable),
            reachable_permissions=len(reachable),
            reachable_assets=len(assets),
            realised_damage=float(sum(comp.exercised[g] for g in sorted(comp.exercised))),
            exercised_permissions=len(comp.exercised),
            exposure_score_h=exposure,
            tokens_obtained=comp.obtained,
            attacker_denials=comp.denials,
            attacker_rejections=comp.rejections,
        )
    )


def exposure_score_h(comp: Compromise, until: float, weight: Weight) -> float:
    """∫ score(reachable at t) dt from compromise to `until`, in score-hours."""
    return (comp.swept_area + _area(comp, comp.swept_to, until, weight)) / 3600.0


def _area(comp: Compromise, since: float, until: float, weight: Weight) -> float:
    """∫ score(reachable) dt over [since, until] in score-seconds, by a sweep over the watched tokens' lives."""
    base = comp.base
    base_score = float(sum(weight(*g) for g in sorted(base)))
    changes: list[tuple[float, int, int, frozenset[Grant]]] = []
    for token in comp.tokens:
        begin = max(token.issued, since)
        end = min(token.end, token.expires, until)
        if end > begin:
            changes.append((begin, 1, token.id, token.scope))
            changes.append((end, -1, token.id, token.scope))
    changes.sort()
    counts: dict[Grant, int] = {}
    extra = 0.0
    area = 0.0
    last = since
    for when, delta, _tid, scope in changes:
        area += (base_score + extra) * (when - last)
        last = when
        for grant in scope:
            if grant in base:
                continue
            count = counts.get(grant, 0) + delta
            counts[grant] = count
            if delta > 0 and count == 1:
                extra += weight(*grant)
            elif delta < 0 and count == 0:
                extra -= weight(*grant)
    area += (base_score + extra) * max(0.0, until - last)
    return area
