"""The governance services requests queue at: token service, policy decision point and approver pools.

Each is a plain SimPy `Resource` plus running sums: busy server-seconds (service times, clipped at the
horizon) give utilisation, and queueing seconds give the time-averaged queue length by Little's law
(mean number waiting = total time spent waiting / length of the run). Summing at the moment of service keeps
the per-request cost at two float additions instead of wrapping every request and release.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections import deque

import numpy as np
import simpy

from workbench.model import ApproverPool
from workbench.model.common import Distribution
from workbench.model.workload import WorkingHours
from workbench.sim.records import ServiceRecord
from workbench.sim.streams import TimeSource, time_source

__all__ = ["Desk", "Pool", "ServiceResource", "seconds_until_shift"]

DAY = 86400.0


class _Granted(simpy.resources.resource.Request):
    """A request granted on the spot: built without joining the queue or scheduling an event."""

    def __init__(self, resource: ServiceResource) -> None:  # deliberately not Request.__init__
        env = resource._env
        self.env = env
        self.callbacks = []
        self.resource = resource
        self.proc = env.active_process
        self.usage_since = env.now
        self._ok = True
        self._value = None

    def __exit__(self, exc_type: object, exc_value: object, traceback: object) -> None:
        # Never queued, so nothing to cancel; release unless the generator is being torn down (as Request).
        if exc_type is not GeneratorExit:
            self.resource.release(self)


class _Users(dict[simpy.resources.resource.Request, None]):
    """The requests holding a server, in grant order, with O(1) removal.

    SimPy keeps them in a list, so every release scans it; an approver pool sized for a large organisation
    has hundreds of reviewers, and that scan became the largest cost of a run. Only the list operations a
    Resource uses are provided.
    """

    def append(self, request: simpy.resources.resource.Request) -> None:
        self[request] = None

    def remove(self, request: simpy.resources.resource.Request) -> None:
        try:
            del self[request]
        except KeyError:
            raise ValueError(request) from None


class ServiceResource(simpy.Resource):
    """A SimPy Resource that grants and releases an uncontended request without scheduling an event.

    In a plain Resource, a request made while a server is free is still scheduled as an event (that nobody
    but the requester waits on), and every release is an event whose only job is to grant the next queued
    request. Here, when nobody queues, the grant is marked on the request at once (`req.triggered` is true;
    callers skip `yield req`) and a release just frees the server; with a queue, both take the ordinary path,
    so FIFO order and every time are those of `simpy.Resource`. Use it exactly like one:
    `with res.request() as req: ...`. Governance visits are most of a run's events; this halves them.
    """

    def __init__(self, env: simpy.Environment, capacity: int = 1) -> None:
        super().__init__(env, capacity)
        self._holders = _Users()
        self.users = self._holders  # type: ignore[assignment]  # the list operations SimPy uses, O(1) remove

    def request(self) -> simpy.resources.resource.Request:
        """Ask for a server; granted on the spot (no event) when one is free and nobody is waiting."""
        if not self.put_queue and len(self.users) < self.capacity:
            granted = _Granted(self)
            self.users.append(granted)
            return granted
        return simpy.resources.resource.Request(self)

    def release(self, request: simpy.resources.resource.Request) -> simpy.resources.resource.Release:
        """Free the server; only when someone queues is a release event needed to hand it over."""
        if self.put_queue:
            return super().release(request)
        self._holders.pop(request, None)
        return None  # type: ignore[return-value]  # Request.__exit__ ignores it


class Desk:
    """A service with a fixed service-time distribution: the token service or the policy decision point.

    `service` is the constant service time, or a function of a request's (key, slot) (streams.time_source).
    """

    def __init__(self, env: simpy.Environment, name: str, capacity: int, service: Distribution) -> None:
        self.name = name
        self.resource = ServiceResource(env, capacity)
        self.service: float | TimeSource = time_source(service)
        self.waits = array("d")
        self.busy = 0.0  # server-seconds of service, up to the horizon
        self.horizon = math.inf

    def record(self, horizon: float) -> ServiceRecord:
        """Load on this service over a run of length `horizon`."""
        return _record(self.name, int(self.resource.capacity), self.waits, sum(self.waits), self.busy, horizon, 0)


class Pool:
    """An approver pool: `servers` reviewers, their shift and their review times (per request, by key and slot)."""

    def __init__(self, env: simpy.Environment, pool: ApproverPool, as_of: dt.date) -> None:
        self.id = pool.id
        self.spec = pool
        self.resource = ServiceResource(env, pool.servers)
        self.review: float | TimeSource = time_source(pool.review_time)
        self.timeout = math.inf if pool.timeout is None else pool.timeout
        self.hours = pool.working_hours
        self.first_weekday = as_of.weekday()
        names = list(pool.approvers) + [f"{pool.id}#{i}" for i in range(len(pool.approvers), pool.servers)]
        self.free = deque(names[: pool.servers])
        self.waits = array("d")  # of requests a reviewer took up
        self.queued = 0.0  # seconds waited by every request, timed out or not
        self.busy = 0.0
        self.timeouts = 0

    def until_shift(self, now: float) -> float:
        """Seconds a request arriving at `now` waits before any reviewer is on shift (0 if one is)."""
        if self.hours is None:
            return 0.0
        return seconds_until_shift(self.hours, self.first_weekday, now)

    def record(self, horizon: float) -> ServiceRecord:
        """Load on this pool over a run of length `horizon`."""
        name = f"approver_pool:{self.id}"
        return _record(name, self.spec.servers, self.waits, self.queued, self.busy, horizon, self.timeouts)


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


def _record(
    name: str, servers: int, waits: array, queued: float, busy: float, horizon: float, timeouts: int
) -> ServiceRecord:
    span = horizon if horizon > 0 else 1.0
    values = np.frombuffer(waits, dtype=float) if len(waits) else np.zeros(0)
    return ServiceRecord(
        service=name,
        servers=servers,
        requests=len(waits) + timeouts,
        utilisation=busy / (servers * span),
        queue_length_mean=queued / span,
        wait_mean_s=float(values.mean()) if values.size else 0.0,
        wait_p95_s=float(np.percentile(values, 95)) if values.size else 0.0,
        timeouts=timeouts,
    )
