"""The governance services requests queue at: token service, policy decision point and approver pools.

Each is a SimPy `Resource` that also keeps the time-integrals of busy servers and queue length, so
utilisation and the time-averaged queue length come out exact without sampling the queue.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections import deque

import numpy as np
import simpy

from workbench.model import ApproverPool
from workbench.model.workload import WorkingHours
from workbench.sim.records import ServiceRecord
from workbench.sim.streams import Sampler, constant_or_sampler, uniform_sampler

__all__ = ["Desk", "MonitoredResource", "Pool", "seconds_until_shift"]

DAY = 86400.0


class MonitoredResource(simpy.Resource):
    """A Resource that integrates its number of users and its queue length over time."""

    def __init__(self, env: simpy.Environment, capacity: int = 1) -> None:
        super().__init__(env, capacity)
        self.busy_area = 0.0
        self.queue_area = 0.0
        self.requests = 0
        self._last = env.now

    def observe(self) -> None:
        """Account for the time since the last change; call before every change of users or queue."""
        now = self._env.now
        elapsed = now - self._last
        if elapsed:
            self.busy_area += len(self.users) * elapsed
            self.queue_area += len(self.put_queue) * elapsed
            self._last = now

    def request(self) -> simpy.resources.resource.Request:
        """Ask for a server (use as `with res.request() as req: yield req`)."""
        self.observe()
        self.requests += 1
        return simpy.resources.resource.Request(self)

    def release(self, request: simpy.resources.resource.Request) -> simpy.resources.resource.Release:
        """Give a server back (the `with` block does this)."""
        self.observe()
        return simpy.resources.resource.Release(self, request)


class Desk:
    """A service with a fixed service-time distribution: the token service or the policy decision point."""

    def __init__(self, env: simpy.Environment, name: str, capacity: int, service: float | Sampler) -> None:
        self.name = name
        self.resource = MonitoredResource(env, capacity)
        self.service = service
        self.waits = array("d")

    def record(self, horizon: float) -> ServiceRecord:
        """Load on this service over a run of length `horizon`."""
        return _record(self.name, self.resource, self.waits, horizon, 0)


class Pool:
    """An approver pool: `servers` reviewers, their shift, their review times and their vigilance."""

    def __init__(self, env: simpy.Environment, pool: ApproverPool, rng: np.random.Generator, as_of: dt.date) -> None:
        self.id = pool.id
        self.spec = pool
        self.resource = MonitoredResource(env, pool.servers)
        self.review = constant_or_sampler(rng, pool.review_time)
        self.vigilance = uniform_sampler(rng)
        self.timeout = math.inf if pool.timeout is None else pool.timeout
        self.hours = pool.working_hours
        self.first_weekday = as_of.weekday()
        names = list(pool.approvers) + [f"{pool.id}#{i}" for i in range(len(pool.approvers), pool.servers)]
        self.free = deque(names[: pool.servers])
        self.waits = array("d")
        self.timeouts = 0

    def until_shift(self, now: float) -> float:
        """Seconds a request arriving at `now` waits before any reviewer is on shift (0 if one is)."""
        if self.hours is None:
            return 0.0
        return seconds_until_shift(self.hours, self.first_weekday, now)

    def record(self, horizon: float) -> ServiceRecord:
        """Load on this pool over a run of length `horizon`."""
        return _record(f"approver_pool:{self.id}", self.resource, self.waits, horizon, self.timeouts)


def seconds_until_shift(hours: WorkingHours, first_weekday: int, now: float) -> float:
    """Time from `now` to the next moment inside working hours; t = 0 is midnight of a `first_weekday`."""
    day = math.floor(now / DAY)
    for ahead in range(8):
        weekday = (first_weekday + day + ahead) % 7
        if hours.weekdays_only and weekday >= 5:
            continue
        opens = (day + ahead) * DAY + hours.start_hour * 3600.0
        closes = (day + ahead) * DAY + hours.end_hour * 3600.0
        if now < closes:
            return max(0.0, opens - now)
    raise AssertionError("working hours always open within a week")  # pragma: no cover


def _record(name: str, resource: MonitoredResource, waits: array, horizon: float, timeouts: int) -> ServiceRecord:
    resource.observe()
    span = horizon if horizon > 0 else 1.0
    values = np.frombuffer(waits, dtype=float) if len(waits) else np.zeros(0)
    return ServiceRecord(
        service=name,
        servers=int(resource.capacity),
        requests=resource.requests,
        utilisation=resource.busy_area / (resource.capacity * span),
        queue_length_mean=resource.queue_area / span,
        wait_mean_s=float(values.mean()) if values.size else 0.0,
        wait_p95_s=float(np.percentile(values, 95)) if values.size else 0.0,
        timeouts=timeouts,
    )
