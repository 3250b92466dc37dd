"""The legitimate workload: task sources and the tasks they start.

A source process per task type creates tasks as they arrive (never all up front) and draws, at creation,
every random number the task will need: whether each improvised step is taken, each step's duration and the
same for its sub-tasks, and a key for the substream of its governance requests (streams.py). Arrivals do not
depend on the design, so every design sees the same tasks with the same durations and the same service and
review times (common random numbers), however governance delays them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np

from workbench.model.common import Exponential
from workbench.model.workload import ArrivalProfile
from workbench.sim.governance import close_token, deny, request_token, review
from workbench.sim.offers import refresh_agent
from workbench.sim.plan import Check, TaskPlan
from workbench.sim.records import TaskRecord
from workbench.sim.state import Run, Task
from workbench.sim.streams import (
    EVALUATION,
    child_key,
    constant_or_sampler,
    key_sampler,
    make_sampler,
    slot,
    uniform_sampler,
)
from workbench.sim.threats import hand_off, read_poisoned

__all__ = ["arrive", "make_drawer", "perform"]

Draws = list[Any]
"""Per step: a duration (negative if the step is not taken), or a sub-task's draws (None if not taken)."""


def make_drawer(plan: TaskPlan, rng: np.random.Generator) -> Callable[[], Draws]:
    """A function drawing everything one task of `plan` needs, from the task type's work stream."""
    coin = uniform_sampler(rng)
    parts: list[tuple[Any, float, Callable[[], Draws] | None]] = []
    for step in plan.steps:
        spec = plan.task_type.steps[step.index]
        if step.delegate is not None:
            parts.append((0.0, spec.probability, make_drawer(step.delegate, rng)))
        else:
            parts.append((constant_or_sampler(rng, spec.duration), spec.probability, None))

    def draw() -> Draws:
        out: Draws = []
        for duration, probability, sub in parts:
            taken = probability >= 1.0 or coin() < probability
            if sub is not None:
                out.append(sub() if taken else None)
            else:
                value = duration if duration.__class__ is float else duration()
                out.append(value if taken else -1.0)
        return out

    return draw


def arrive(
    run: Run, plan: TaskPlan, arrivals: np.random.Generator, work: np.random.Generator, keys: np.random.Generator
) -> Generator[Any, Any, None]:
    """Start tasks of `plan` at the task type's Poisson rate, fixed or replayed times, or profile, until the
    horizon."""
    env = run.env
    stats = run.stats
    draw = make_drawer(plan, work)
    key = key_sampler(keys)
    arrival = plan.task_type.arrival
    horizon = run.horizon
    fixed = arrival.fixed_times
    if fixed:
        for when in fixed:
            if when >= horizon:
                break
            if when > env.now:
                yield env.timeout(when - env.now)
            stats.tasks += 1
            env.process(perform(run, plan, draw(), -1, key()))
        return
    if arrival.profile is not None:
        yield from _arrive_by_profile(run, plan, arrival.profile, arrivals, draw, key)
        return
    rate = arrival.rate or 0.0
    if rate <= 0:
        return
    gap = make_sampler(arrivals, Exponential(mean=1.0 / rate))
    timeout = env.timeout
    process = env.process
    while True:
        wait = gap()
        if env.now + wait >= horizon:
            return
        yield timeout(wait)
        stats.tasks += 1
        process(perform(run, plan, draw(), -1, key()))


def _arrive_by_profile(
    run: Run,
    plan: TaskPlan,
    profile: ArrivalProfile,
    arrivals: np.random.Generator,
    draw: Callable[[], Draws],
    key: Callable[[], int],
) -> Generator[Any, Any, None]:
    """Arrivals of a non-homogeneous Poisson process by thinning (Lewis and Shedler): candidates at the
    week's peak rate, each kept with probability rate(t) / peak, so kept ones arrive at rate(t)."""
    peak = profile.peak
    if peak <= 0:
        return
    env = run.env
    horizon = run.horizon
    gap = make_sampler(arrivals, Exponential(mean=1.0 / peak))
    coin = uniform_sampler(arrivals)
    rate_at = profile.rate_at
    when = env.now
    while True:
        when += gap()
        if when >= horizon:
            return
        if coin() * peak >= rate_at(when):
            continue
        yield env.timeout(when - env.now)
        run.stats.tasks += 1
        env.process(perform(run, plan, draw(), -1, key()))


def perform(run: Run, plan: TaskPlan, draws: Draws, parent_id: int, key: int) -> Generator[Any, Any, Task]:
    """Run one task: obtain its token (JIT designs), then take its steps in order; returns the Task."""
    env = run.env
    task = Task(run.task_id(), plan, parent_id, env.now, key)
    agent = plan.agent
    running = run.running.get(agent)
    if running is None:
        running = run.running[agent] = {}
    count = running.get(plan.id, 0)
    running[plan.id] = count + 1
    if not count and run.watch.get(agent):  # a task type starts running: its intent may now be obtainable
        refresh_agent(run, agent)
    ok = True
    token_mode = run.token_mode
    if token_mode and plan.scope_checks:
        token = yield from request_token(run, task, agent, plan.scope_checks, "task", -1, plan.scope_score)
        if token is None:
            ok = False
        else:
            task.tokens.append(token)
    if ok:
        flagged = run.flagged
        evaluates = run.evaluates
        timeout = env.timeout
        desk = run.pdp
        pdp = desk.resource
        stats = run.stats
        horizon = run.horizon
        for step, drawn in zip(plan.steps, draws, strict=True):
            if step.delegate is not None:
                if drawn is None:
                    continue
                if run.watch.get(agent):
                    handoff = plan.task_type.steps[step.index].handoff
                    hand_off(run, agent, step.delegate.agent, handoff, key, step.index)
                sub = yield env.process(perform(run, step.delegate, drawn, task.id, child_key(key, step.index)))
                task.token_wait += sub.token_wait
                task.policy_wait += sub.policy_wait
                task.approval_wait += sub.approval_wait
                if sub.outcome:
                    task.outcome = sub.outcome
                    task.reason = f"sub-task {sub.id} ({sub.plan.id}): {sub.reason}"
                    ok = False
                    break
                continue
            if drawn < 0:
                continue
            check = step.check
            assert check is not None  # only delegating steps have none
            if token_mode:
                ok = yield from authorise(run, task, agent, check, step.index)
            else:
                if evaluates:
                    # evaluate(run, task, 1), inlined: this visit is on every step of request-time designs
                    start = env.now
                    with pdp.request() as req:
                        if not req.triggered:
                            yield req
                        now = env.now
                        desk.waits.append(now - start)
                        service = desk.service
                        seconds = (
                            service if service.__class__ is float else service(key, slot(step.index, EVALUATION))  # type: ignore[operator]
                        )
                        desk.busy += min(seconds, horizon - now)
                        yield timeout(seconds)
                    task.policy_wait += env.now - start
                    task.evaluations += 1
                    stats.evaluations += 1
                decision = check.decide(env.now, agent in flagged, run.suspended)
                outcome = decision.outcome
                if outcome == "deny":
                    deny(run, task, agent, check, decision.reason, "step")
                    ok = False
                elif outcome == "step_up":
                    pool = decision.approver_pool
                    approver = yield from review(run, task, agent, pool, (check,), "step_up", step.index)
                    ok = approver is not None
            if not ok:
                break
            task.steps_taken += 1
            if run.poisoned and step.grant[0] == "read" and step.grant[1] in run.poisoned:
                read_poisoned(run, agent, step.grant[1], key, step.index)
            if not step.in_intent:
                task.improvised += 1
            task.work += drawn
            yield timeout(drawn)
    finish(run, task, plan, ok)
    return task


def authorise(run: Run, task: Task, agent: str, check: Check, at: int) -> Generator[Any, Any, bool]:
    """Make sure a live token of the task covers `grant`: improvise a request, or re-issue an expired one."""
    env = run.env
    now = env.now
    grant = check.grant
    held = None
    for token in task.tokens:
        if grant in token.scope:
            held = token
            break
    if held is not None and held.expires > now and held.end == math.inf:
        return True
    if held is None:
        run.stats.improvised_requests += 1
        checks: tuple[Check, ...] = (check,)
        purpose = "improvised"
    else:
        close_token(run, held, held.expires, "ttl")
        task.tokens.remove(held)
        run.stats.reissues += 1
        checks = held.checks
        purpose = "reissue"
    token = yield from request_token(run, task, agent, checks, purpose, at)
    if token is None:
        return False
    task.tokens.append(token)
    return True


def finish(run: Run, task: Task, plan: TaskPlan, ok: bool) -> None:
    """Close the task's tokens and record how it ended."""
    now = run.env.now
    agent = plan.agent
    running = run.running[agent]
    left = running[plan.id] - 1
    if left:
        running[plan.id] = left
    else:
        del running[plan.id]
        if run.watch.get(agent):  # the last task of its type ended: its intent is no longer obtainable
            refresh_agent(run, agent)
    for token in task.tokens:
        if token.expires <= now:
            close_token(run, token, token.expires, "ttl")
        else:
            close_token(run, token, now, "task_end")
    stats = run.stats
    overhead = task.token_wait + task.policy_wait + task.approval_wait
    outcome = "completed" if ok else task.outcome or "denied"
    if task.parent_id < 0:
        if ok:
            stats.completed += 1
        elif outcome == "timed_out":
            stats.timed_out += 1
        else:
            stats.denied += 1
        stats.latencies.append(now - task.arrival)
        stats.overheads.append(overhead)
        stats.token_wait += task.token_wait
        stats.policy_wait += task.policy_wait
        stats.approval_wait += task.approval_wait
    if run.keep_records:
        run.tasks.append(
            TaskRecord(
                task.id,
                plan.id,
                plan.agent,
                task.parent_id,
                task.arrival,
                now,
                outcome,
                "" if ok else task.reason,
                now - task.arrival,
                task.work,
                task.token_wait,
                task.policy_wait,
                task.approval_wait,
                overhead,
                task.steps_taken,
                task.improvised,
                task.step_ups,
                task.tokens_issued,
                task.evaluations,
            )
        )
    task.outcome = "" if ok else outcome
