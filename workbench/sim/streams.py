"""Random-number streams, one per purpose, and cheap batched samplers for the scenario's distributions.

Common random numbers: every control design of a replication must see the same arrivals, step durations and
compromises, so each purpose (and each task type, threat or pool within it) gets its own stream derived from
the replication's `SeedSequence` by spawn key. Deriving by key (not `SeedSequence.spawn`, which mutates a
counter on the parent) gives the same streams however often and in whatever process a replication is run.

Samplers draw blocks of values at once: one numpy call per 1024 draws keeps the per-event cost of the
simulation near that of a bare SimPy model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from workbench.model.common import Constant, Exponential, LogNormal, Uniform

__all__ = [
    "APPROVALS",
    "ARRIVALS",
    "SERVICES",
    "THREATS",
    "WORK",
    "Sampler",
    "constant_or_sampler",
    "make_sampler",
    "stream",
    "uniform_sampler",
]

ARRIVALS = 0
"""Inter-arrival times, one stream per task type."""
WORK = 1
"""Step durations and the coin flips deciding improvised steps, one stream per task type."""
THREATS = 2
"""Compromise times, detection and revocation delays, one stream per threat."""
APPROVALS = 3
"""Review times and the vigilance of reviewers, one stream per approver pool."""
SERVICES = 4
"""Token issuance and policy evaluation times."""

BLOCK = 1024

Distribution = Constant | Exponential | LogNormal | Uniform
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
    return [float(dist.value)] * BLOCK


def _blocks(rng: np.random.Generator, draw: Callable[[np.random.Generator], list[float]]) -> Iterator[float]:
    while True:
        yield from draw(rng)


def make_sampler(rng: np.random.Generator, dist: Distribution) -> Sampler:
    """A zero-argument callable returning the next draw of `dist` from `rng` (constants need no draw)."""
    if isinstance(dist, Constant):
        value = float(dist.value)
        return lambda: value
    values = _blocks(rng, lambda g: _draw_block(g, dist))
    return values.__next__


def uniform_sampler(rng: np.random.Generator) -> Sampler:
    """Uniform(0, 1) draws, for coin flips."""
    values = _blocks(rng, lambda g: g.random(BLOCK).tolist())
    return values.__next__


def constant_or_sampler(rng: np.random.Generator, dist: Distribution) -> float | Sampler:
    """The constant itself when `dist` is constant (so hot paths can skip a call), else a sampler."""
    if isinstance(dist, Constant):
        return float(dist.value)
    return make_sampler(rng, dist)
