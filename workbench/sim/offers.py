"""What the design would hand a compromised agent on request, without a human, as it changes over time.

The offer is re-read wherever its inputs change: the agent's live tasks (their intent), its flag, a suspended
approval restored, and, by the clock alone, a scenario approval starting or lapsing or the hour of day for a
design that reads it (threats.watch_state). Each change closes one `Offer` span and opens the next, which the
exposure integral sweeps with the tokens (compromise.py).
"""

from __future__ import annotations

from workbench.sim.compromise import Compromise
from workbench.sim.reach import Grant
from workbench.sim.state import Run

__all__ = ["obtainable_now", "offered", "refresh", "refresh_agent"]


def offered(run: Run, comp: Compromise) -> frozenset[Grant]:
    """What the design would give the attacker now on request, without a human: its own requests and the
    in-intent requests of the agent's live tasks, in the agent's state now (flagged, approvals, the clock)."""
    agent = comp.agent
    if agent is None or not (run.token_mode or run.evaluates):
        return frozenset()
    now = run.env.now
    flagged = agent in run.flagged
    suspended = run.suspended
    out: set[Grant] = set()
    for grant, check in comp.checks.items():
        if check.decide(now, flagged, suspended).outcome == "allow":
            out.add(grant)
    for plan_id in run.running.get(agent, {}):
        for check in run.plans[plan_id].scope_checks:
            grant = check.grant
            if grant not in out and grant in comp.checks and check.decide(now, flagged, suspended).outcome == "allow":
                out.add(grant)
    if not run.token_mode:
        out &= comp.base  # a request-time check on standing access issues nothing new
    return frozenset(out)


def refresh(run: Run, comp: Compromise) -> None:
    """Re-read what the design would give the attacker now; called wherever that can change."""
    if comp.active and comp.agent is not None:
        run.offer_serial -= 1
        comp.offer_now(offered(run, comp), run.env.now, run.offer_serial, run.reach.weight)


def refresh_agent(run: Run, agent: str) -> None:
    """Refresh every live compromise of `agent` (its tasks, flag or approvals changed)."""
    for comp in run.watch.get(agent, ()):
        refresh(run, comp)


def obtainable_now(run: Run, comp: Compromise) -> set[Grant]:
    """Obtainable reach now: what it may use unchecked, the agent's live tokens, and what the design offers."""
    now = run.env.now
    grants = set(comp.free)
    for token in comp.tokens:
        if token.issued <= now < token.expires and token.end > now:
            grants |= token.scope
    if comp.offer is not None:
        grants |= comp.offer.scope
    return grants
