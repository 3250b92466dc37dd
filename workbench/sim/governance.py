"""Processes that put requests through governance: policy evaluation, human review and token issuance.

Each is a generator used with `yield from` inside a task or attacker process, so its waits are charged to
the caller's `Task` and its outcome comes back as the generator's return value. `at` is the step of the task
making the request (-1: the token a task asks for when it starts; an attacker numbers its own requests):
with the task's key it names the request's substream, so its service and review times are the same in every
design that makes it (streams.py).

A request to a Resource with a free server is granted the moment it is made (`req.triggered`); the process
then goes straight on instead of yielding the request and being resumed at the same instant. Timing is
unchanged; a resume per governance visit is saved, which is most of their cost.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

from workbench.sim.offers import refresh_agent
from workbench.sim.plan import Check
from workbench.sim.records import Event
from workbench.sim.state import Run, Task, Token
from workbench.sim.streams import DECEPTION, EVALUATION, ISSUANCE, REVIEW, slot, unit

__all__ = ["close_token", "evaluate", "format_scope", "request_token", "review", "revoke_tokens"]

Process = Generator[Any, Any, Any]


def format_scope(checks: tuple[Check, ...]) -> str:
    """A scope as `action:resource` items joined by spaces, in request order."""
    return " ".join(f"{c.grant[0]}:{c.grant[1]}" for c in checks)


def evaluate(run: Run, task: Task, count: int, at: int) -> Process:
    """Queue at the policy decision point and evaluate `count` requests in one visit."""
    env = run.env
    desk = run.pdp
    start = env.now
    with desk.resource.request() as req:
        if not req.triggered:  # a free server grants at once: skip a resume (see module docstring)
            yield req
        now = env.now
        desk.waits.append(now - start)
        service = desk.service
        if service.__class__ is float:
            total = service * count
        else:
            total = 0.0
            key = task.key
            for item in range(count):
                total += service(key, slot(at, EVALUATION, item))  # type: ignore[operator]
        desk.busy += min(total, run.horizon - now)
        yield env.timeout(total)
    task.policy_wait += env.now - start
    task.evaluations += count
    run.stats.evaluations += count


def review(
    run: Run, task: Task, agent: str, pool_id: str | None, checks: tuple[Check, ...], purpose: str, at: int
) -> Process:
    """A human review of `checks` by pool `pool_id`; returns the approver's name, or None if not approved.

    Reviewers start reviews only within working hours: a request waits for the shift, and one still queued
    when the shift ends waits for the next (a review in progress is finished). The wait until a reviewer
    starts is bounded by the pool's timeout; a legitimate request is approved once reviewed, an attacker's
    (`purpose == "attacker"`) is rejected with the pool's `rejects_malicious` chance. A step-up of a scope that
    an approval suspended by an anomaly covers is that approval's re-approval: once approved, the approval is
    live again.
    """
    env = run.env
    stats = run.stats
    pool = run.pools.get(pool_id) if pool_id is not None else None
    if pool is None:
        task.outcome = "denied"
        task.reason = f"step-up to unknown approver pool {pool_id!r}"
        return None
    restores = _suspended_covering(run, checks, env.now) if purpose != "attacker" else ()
    if restores:
        purpose = "reapproval"
    stats.approvals += 1
    if purpose != "attacker":
        stats.step_ups += 1
        task.step_ups += 1
        if purpose == "reapproval":
            stats.reapprovals += 1
    start = env.now
    limit = pool.timeout
    deadline = start + limit
    shift = pool.until_shift(start)
    timed_out = False
    approver = ""
    review_s = 0.0
    if shift >= limit:
        yield env.timeout(limit)
        timed_out = True
    else:
        if shift > 0:
            yield env.timeout(shift)
        resource = pool.resource
        with resource.request() as req:
            if req.triggered:
                pass
            elif limit < math.inf:
                yield req | env.timeout(deadline - env.now)
                timed_out = not req.triggered
            else:
                yield req
            if not timed_out:
                # A reviewer freed after the shift ends keeps the request, first in line, for the next shift.
                closed = pool.until_shift(env.now)
                if closed > 0:
                    if env.now + closed >= deadline:
                        yield env.timeout(deadline - env.now)
                        timed_out = True
                    else:
                        yield env.timeout(closed)
            if not timed_out:
                pool.waits.append(env.now - start)
                approver = pool.free.popleft()
                review = pool.review
                review_s = review if review.__class__ is float else review(task.key, slot(at, REVIEW))  # type: ignore[operator]
                pool.busy += min(review_s, run.horizon - env.now)
                yield env.timeout(review_s)
                pool.free.append(approver)
    wait = env.now - start - review_s
    pool.queued += wait
    task.approval_wait += env.now - start
    if timed_out:
        pool.timeouts += 1
        stats.approval_timeouts += 1
        outcome = "timed_out"
        task.outcome = "timed_out"
        task.reason = f"approval by {pool.id} timed out after {limit:g}s"
    elif purpose == "attacker" and unit(task.key, slot(at, DECEPTION)) < pool.spec.rejects_malicious:
        stats.rejections += 1
        outcome = "rejected"
        task.outcome = "denied"
        task.reason = f"rejected by {approver}"
    else:
        outcome = "approved"
        if restores:
            run.suspended.difference_update(restores)
            refresh_agent(run, agent)
    if run.keep_records:
        plan = task.plan
        run.events.append(
            Event(
                "approval",
                env.now,
                agent,
                task_id=task.id,
                task_type="" if plan is None else plan.id,
                scope=format_scope(checks),
                approver_pool=pool.id,
                approver=approver,
                purpose=purpose,
                outcome=outcome,
                reason=" ".join(restores),
                wait_s=wait,
                duration_s=review_s,
            )
        )
    return approver if outcome == "approved" else None


def _suspended_covering(run: Run, checks: tuple[Check, ...], now: float) -> tuple[str, ...]:
    """Ids of suspended approvals that would cover one of `checks` at `now` (their re-approval is due)."""
    suspended = run.suspended
    if not suspended:
        return ()
    found: dict[str, None] = {}
    for check in checks:
        for start, end, approval in check.windows:
            if approval in suspended and start <= now < end:
                found[approval] = None
    return tuple(found)


def request_token(
    run: Run, task: Task, agent: str, checks: tuple[Check, ...], purpose: str, at: int, score: float | None = None
) -> Process:
    """Evaluate a scope, route step-ups to an approver, then queue for issuance; returns the Token or None.

    `purpose` is `task`, `improvised`, `reissue` or `attacker`; a step-up during a re-issue is a re-approval.
    """
    env = run.env
    yield from evaluate(run, task, len(checks), at)
    now = env.now
    flagged = agent in run.flagged
    stepped: list[Check] = []
    pool_id: str | None = None
    for check in checks:
        decision = check.decide(now, flagged, run.suspended)
        outcome = decision.outcome
        if outcome == "allow":
            continue
        if outcome == "deny":
            deny(run, task, agent, check, decision.reason, purpose)
            return None
        stepped.append(check)
        pool_id = pool_id or decision.approver_pool
    approver = ""
    if stepped:
        kind = "attacker" if purpose == "attacker" else "reapproval" if purpose == "reissue" else "step_up"
        approved = yield from review(run, task, agent, pool_id, tuple(stepped), kind, at)
        if approved is None:
            return None
        approver = approved
    desk = run.token_service
    start = env.now
    with desk.resource.request() as req:
        if not req.triggered:
            yield req
        now = env.now
        desk.waits.append(now - start)
        service = desk.service
        issuance: float = service if service.__class__ is float else service(task.key, slot(at, ISSUANCE))  # type: ignore[operator]
        desk.busy += min(issuance, run.horizon - now)
        yield env.timeout(issuance)
    task.token_wait += env.now - start
    now = env.now
    if score is None:
        score = sum(c.weight for c in checks)
    token = Token(run.token_id(), agent, task.id, checks, now, now + run.ttl, score)
    token.approver = approver
    token.pool = (pool_id or "") if approver else ""
    live = run.live_tokens.get(agent)
    if live is None:
        live = run.live_tokens[agent] = {}
    live[token.id] = token
    watchers = run.watch.get(agent)
    if watchers:
        weight = run.reach.weight
        for compromise in watchers:
            compromise.add_token(token, now, weight)
    run.stats.tokens_issued += 1
    task.tokens_issued += 1
    if run.keep_records:
        plan = task.plan
        run.events.append(
            Event(
                "token_issued",
                now,
                agent,
                credential=token.name,
                task_id=task.id,
                task_type="" if plan is None else plan.id,
                scope=format_scope(checks),
                purpose=purpose,
                expires_s=token.expires,
                approver=approver,
                approver_pool=token.pool,
            )
        )
    return token


def deny(run: Run, task: Task, agent: str, check: Check, reason: str, purpose: str) -> None:
    """Record a denied request and mark the task denied."""
    task.outcome = "denied"
    task.reason = f"{check.grant[0]}:{check.grant[1]} denied: {reason}"
    if run.keep_records:
        plan = task.plan
        run.events.append(
            Event(
                "denial",
                run.env.now,
                agent,
                task_id=task.id,
                task_type="" if plan is None else plan.id,
                action=check.grant[0],
                resource=check.grant[1],
                reason=reason,
                purpose=purpose,
            )
        )


def close_token(run: Run, token: Token, when: float, reason: str, *, revoked: bool = False) -> None:
    """End a token at `when` (expiry, task end, horizon or revocation) exactly once."""
    if token.end != math.inf:
        return
    token.end = when
    live = run.live_tokens.get(token.agent)
    if live is not None:
        live.pop(token.id, None)
    privilege = run.token_privilege
    privilege[token.agent] = privilege.get(token.agent, 0.0) + token.score * (when - token.issued)
    if run.keep_records:
        run.events.append(
            Event(
                "token_revoked" if revoked else "token_expired",
                when,
                token.agent,
                credential=token.name,
                task_id=token.task_id,
                reason=reason,
            )
        )


def revoke_tokens(run: Run, agent: str, reason: str) -> None:
    """Revoke every live token of `agent` now (a token already past its TTL just expires)."""
    now = run.env.now
    for token in list(run.live_tokens.get(agent, {}).values()):
        if token.expires <= now:
            close_token(run, token, token.expires, "ttl")
        else:
            close_token(run, token, now, reason, revoked=True)
