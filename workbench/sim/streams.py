"""Random-number streams, one per purpose, cheap batched samplers, and per-request substreams.

Common random numbers: every control design of a replication must see the same arrivals, step durations and
compromises, so each purpose (and each task type, threat or pool within it) gets its own stream derived from
the replication's `SeedSequence` by spawn key. Deriving by key (not `SeedSequence.spawn`, which mutates a
counter on the parent) gives the same streams however often and in whatever process a replication is run.

Samplers draw blocks of values at once: one numpy call per 1024 draws keeps the per-event cost of the
simulation near that of a bare SimPy model.

Governance times are drawn per request instead: designs make different requests in a different order, so a
shared stream would hand the same task different service times under different designs. Each task draws a
64-bit key when it arrives (from its task type's `KEYS` stream), and every request it makes has a slot (the
step, what is drawn, an item number); `unit(key, slot)` mixes the two with SplitMix64 into a uniform number
and the distribution's quantile function turns it into a time. A task's PDP evaluation at step 2 therefore
takes the same time in every design that makes it, whatever else happened before.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterator
from typing import TypeVar

import numpy as np

from workbench.model.common import Constant, Empirical, Exponential, LogNormal, Uniform

__all__ = [
    "ARRIVALS",
    "DECEPTION",
    "EVALUATION",
    "HANDOFF",
    "ISSUANCE",
    "KEYS",
    "POISONING",
    "REVIEW",
    "THREATS",
    "WORK",
    "Quantile",
    "Sampler",
    "TimeSource",
    "child_key",
    "constant_or_sampler",
    "key_sampler",
    "make_sampler",
    "quantile",
    "slot",
    "stream",
    "time_source",
    "uniform_sampler",
    "unit",
]

ARRIVALS = 0
"""Inter-arrival times, one stream per task type."""
WORK = 1
"""Step durations and the coin flips deciding improvised steps, one stream per task type."""
THREATS = 2
"""Compromise times, detection and revocation delays, one stream per threat."""
KEYS = 3
"""Keys of per-request substreams: one stream per task type, and (THREATS, i, KEYS) per threat."""

EVALUATION = 0
"""Slot kind: one policy evaluation (item = position in the scope)."""
REVIEW = 1
"""Slot kind: a human review's duration."""
ISSUANCE = 2
"""Slot kind: a token issuance."""
POISONING = 3
"""Slot kind: whether reading a poisoned dataset hijacks the reader."""
HANDOFF = 4
"""Slot kind: whether a hijacked delegator's sub-task hijacks its agent."""
DECEPTION = 5
"""Slot kind: whether a reviewer approves an attacker's request."""
SPREAD_DETECTION = 6
"""Slot kind: the detection delay of a compromise that spread from another (drawn from its threat's)."""
SPREAD_REVOCATION = 7
"""Slot kind: the revocation delay of a compromise that spread from another."""

_MASK = (1 << 64) - 1

BLOCK = 1024
T = TypeVar("T")

Distribution = Constant | Exponential | LogNormal | Uniform | Empirical
Sampler = Callable[[], float]


def stream(seed_seq: np.random.SeedSequence, *path: int) -> np.random.Generator:
    """The generator for one purpose, derived from the replication's seed without mutating it."""
    child = np.random.SeedSequence(
        entropy=seed_seq.entropy, spawn_key=(*seed_seq.spawn_key, *path), pool_size=seed_seq.pool_size
    )
    return np.random.Generator(np.random.PCG64(child))


def _draw_block(rng: np.random.Generator, dist: Distribution) -> list[float]:
    if isinstance(dist, Exponential):
        return rng.exponential(dist.mean, BLOCK).tolist()
    if isinstance(dist, LogNormal):
        return rng.lognormal(np.log(dist.median), dist.sigma, BLOCK).tolist()
    if isinstance(dist, Uniform):
        return rng.uniform(dist.low, dist.high, BLOCK).tolist()
    if isinstance(dist, Empirical):
        if dist.samples:
            return np.asarray(dist.samples, dtype=float)[rng.integers(0, len(dist.samples), BLOCK)].tolist()
        steps = len(dist.quantiles) - 1
        return np.interp(rng.random(BLOCK) * steps, np.arange(steps + 1), dist.quantiles).tolist()
    return [float(dist.value)] * BLOCK


def _blocks(rng: np.random.Generator, draw: Callable[[np.random.Generator], list[T]]) -> Iterator[T]:
    while True:
        yield from draw(rng)


def make_sampler(rng: np.random.Generator, dist: Distribution) -> Sampler:
    """A zero-argument callable returning the next draw of `dist` from `rng` (constants need no draw)."""
    if isinstance(dist, Constant):
        value = float(dist.value)
        return lambda: value
    values = _blocks(rng, lambda g: _draw_block(g, dist))
    return values.__next__


def key_sampler(rng: np.random.Generator) -> Callable[[], int]:
    """Uniform 63-bit integers, for task and compromise keys."""

    def block(g: np.random.Generator) -> list[int]:
        return g.integers(0, 1 << 63, BLOCK, dtype=np.int64).tolist()

    values = _blocks(rng, block)
    return values.__next__


def _mix(value: int) -> int:
    """SplitMix64's finaliser: a bijection of 64-bit integers that scatters nearby inputs."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def child_key(key: int, *parts: int) -> int:
    """A key derived from `key` and integers (a sub-task's from its parent's and the step's index)."""
    for part in parts:
        key = _mix(key ^ _mix(part & _MASK))
    return key


def slot(step: int, kind: int, item: int = 0) -> int:
    """The slot of one draw of a task's request: its step (-1: the task's own token), kind and item."""
    return ((step + 1) << 24) | (kind << 16) | item


def unit(key: int, where: int) -> float:
    """A uniform number in (0, 1) for slot `where` of the substream `key`; the same inputs, the same number."""
    return ((_mix(key ^ _mix(where)) >> 11) + 0.5) * 2.0**-53


Quantile = Callable[[float], float]
_NORMAL = statistics.NormalDist()


def quantile(dist: Distribution) -> Quantile:
    """The quantile function of `dist`: maps a uniform number in (0, 1) to a draw."""
    if isinstance(dist, Exponential):
        mean = float(dist.mean)
        return lambda u: -mean * math.log(u)
    if isinstance(dist, LogNormal):
        median, sigma, inverse = float(dist.median), float(dist.sigma), _NORMAL.inv_cdf
        return lambda u: median * math.exp(sigma * inverse(u))
    if isinstance(dist, Uniform):
        low, span = float(dist.low), float(dist.high) - float(dist.low)
        return lambda u: low + span * u
    if isinstance(dist, Empirical):
        return _empirical_quantile(dist)
    value = float(dist.value)
    return lambda u: value


def _empirical_quantile(dist: Empirical) -> Quantile:
    """The inverse of the empirical CDF: the sorted samples as steps, or the quantiles joined by lines."""
    if dist.samples:
        ordered = sorted(float(v) for v in dist.samples)
        last = len(ordered) - 1
        return lambda u: ordered[min(int(u * len(ordered)), last)]
    values = [float(v) for v in dist.quantiles]
    steps = len(values) - 1

    def inverse(u: float) -> float:
        where = u * steps
        index = min(int(where), steps - 1)
        return values[index] + (where - index) * (values[index + 1] - values[index])

    return inverse


TimeSource = Callable[[int, int], float]
"""(key, slot) -> a time: the draw of one request's substream."""


def time_source(dist: Distribution) -> float | TimeSource:
    """The constant itself when `dist` is constant (hot paths skip the call), else (key, slot) -> draw."""
    if isinstance(dist, Constant):
        return float(dist.value)
    inverse = quantile(dist)
    return lambda key, where: inverse(unit(key, where))


def uniform_sampler(rng: np.random.Generator) -> Sampler:
    """Uniform(0, 1) draws, for coin flips."""
    values = _blocks(rng, lambda g: g.random(BLOCK).tolist())
    return values.__next__


def constant_or_sampler(rng: np.random.Generator, dist: Distribution) -> float | Sampler:
    """The constant itself when `dist` is constant (so hot paths can skip a call), else a sampler."""
    if isinstance(dist, Constant):
        return float(dist.value)
    return make_sampler(rng, dist)
