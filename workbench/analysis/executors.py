"""Where independent jobs run: in this process, on a pool of spawned processes, or on a dask cluster.

`simulate`, `sweep` and (through `simulate`) each report's replications spread their work through this
module, so the three back-ends behave the same everywhere: what every job needs (`shared`) is shipped to
each worker once (through the pool's initializer, or scattered to every dask worker), jobs are small
picklable values, a failed job is run once more before the run gives up (bad input, a `WorkbenchError`,
fails at once), and results come back in job order whatever order they finish in. A job's result must
depend only on `shared` and the job, never on which worker ran it; then a run gives the same result on
every back-end.

`open_executor` picks the back-end: a caller's `distributed.Client`, a `scheduler` address, a `LocalCluster`
started here, else `DASK_SCHEDULER_ADDRESS` from the environment when no worker count was asked for, else
`workers` processes (`workers=1`, and the default for library calls, runs in this process).

Clusters started here run without dask's statistical profiler; on clusters you start, setting
`distributed.worker.profile.enabled: false` saves the same 5-10%.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "RETRIES",
    "DaskExecutor",
    "Executor",
    "ExecutorError",
    "JobError",
    "ProcessExecutor",
    "SerialExecutor",
    "WorkerDied",
    "job_error",
    "open_executor",
    "reason",
]

S = TypeVar("S")
J = TypeVar("J")
R = TypeVar("R")

RETRIES = 1
"""Times a failed job is run again before the run gives up: enough for a lost worker, not for a bug."""
CONNECT_TIMEOUT = "20s"
"""How long to try reaching a dask scheduler before saying it cannot be reached."""
_QUIET_WORKERS = {"distributed.worker.profile.enabled": False}
"""Dask config for the clusters started here: the statistical profiler walks the deep generator stacks of
SimPy processes every few milliseconds, which costs 5-10% of a pure-Python simulation."""


class ExecutorError(WorkbenchError):
    """Work could not be spread: a bad worker count, or a dask scheduler that cannot be reached."""


class JobError(ExecutorError):
    """A job failed after its retry; `job` is the job, `reason` the last failure (`Type: message`)."""

    def __init__(self, job: Any, reason: str) -> None:
        self.job = job
        self.reason = reason
        super().__init__(job, reason)

    def __str__(self) -> str:
        return f"job {self.job!r} failed: {self.reason}"


def reason(error: BaseException) -> str:
    """`Type: message` of a job's failure, as error messages quote it."""
    return f"{type(error).__name__}: {error}"


def job_error(job: Any, error: BaseException) -> Exception:
    """The default `Failure`: a `WorkbenchError` as it was raised (bad input stays bad input), else `JobError`."""
    return error if isinstance(error, WorkbenchError) else JobError(job, reason(error))


Failure = Callable[[Any, BaseException], BaseException]
"""Builds the error raised for a job that failed for good, from the job and its last error.

A `WorkbenchError` (bad input, a broken policy file) fails at once, since running it again gives the same;
anything else is run once more first (a lost worker)."""


class WorkerDied(RuntimeError):
    """What `fail` is given for a job that was unfinished when a worker process died twice (segfault, the
    OOM killer); not a `WorkbenchError`, since nothing in the input is wrong."""


OnDone = Callable[[Any], None]
"""Called in this process with each job as it finishes (progress bars count with it)."""


class Executor(Protocol):
    """Runs `function(shared, job)` for every job; results in job order."""

    size: int
    """How many jobs can run at once: plan chunks with it."""

    def run(
        self,
        function: Callable[[S, J], R],
        shared: S,
        jobs: Sequence[J],
        *,
        on_done: OnDone | None = None,
        fail: Failure = job_error,
    ) -> list[R]: ...


class SerialExecutor:
    """Every job in this process, one after another: the reference the other back-ends must equal."""

    size = 1

    def run(
        self,
        function: Callable[[S, J], R],
        shared: S,
        jobs: Sequence[J],
        *,
        on_done: OnDone | None = None,
        fail: Failure = job_error,
    ) -> list[R]:
        results: list[R] = []
        for job in jobs:
            for attempt in range(RETRIES + 1):
                try:
                    results.append(function(shared, job))
                    break
                except Exception as error:
                    if attempt == RETRIES or isinstance(error, WorkbenchError):
                        raise fail(job, error) from error
            if on_done is not None:
                on_done(job)
        return results


# The pool's initializer leaves the function and shared input here, once per worker process, so each task
# carries only its small job. The parent process never reads or writes it.
_installed: list[tuple[Callable[[Any, Any], Any], Any]] = []


def _install(function: Callable[[Any, Any], Any], shared: Any) -> None:
    _installed[:] = [(function, shared)]


def _run_installed(job: Any) -> Any:
    function, shared = _installed[0]
    return function(shared, job)


class ProcessExecutor:
    """A pool of `size` spawned processes (safe whatever threads the parent runs: dask, notebooks).

    A failed job is resubmitted once; a pool whose worker died (segfault, OOM killer) is restarted once for
    the jobs not yet finished. `function` must be a module-level function, `shared` and jobs picklable.
    """

    def __init__(self, size: int) -> None:
        self.size = size

    def run(
        self,
        function: Callable[[S, J], R],
        shared: S,
        jobs: Sequence[J],
        *,
        on_done: OnDone | None = None,
        fail: Failure = job_error,
    ) -> list[R]:
        if self.size == 1 or len(jobs) <= 1:
            return SerialExecutor().run(function, shared, jobs, on_done=on_done, fail=fail)
        results: dict[int, R] = {}
        failures: Counter[int] = Counter()
        restarts = 0
        context = multiprocessing.get_context("spawn")
        while len(results) < len(jobs):
            remaining = [i for i in range(len(jobs)) if i not in results]
            broken = False
            pool = ProcessPoolExecutor(
                max_workers=min(self.size, len(remaining)),
                mp_context=context,
                initializer=_install,
                initargs=(function, shared),
            )
            try:
                running: dict[Future[R], int] = {pool.submit(_run_installed, jobs[i]): i for i in remaining}
                while running and not broken:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        index = running.pop(future)
                        try:
                            results[index] = future.result()
                        except BrokenProcessPool:
                            broken = True
                            continue
                        except Exception as error:
                            failures[index] += 1
                            if failures[index] > RETRIES or isinstance(error, WorkbenchError):
                                raise fail(jobs[index], error) from error
                            running[pool.submit(_run_installed, jobs[index])] = index
                            continue
                        if on_done is not None:
                            on_done(jobs[index])
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            if broken:
                restarts += 1
                if restarts > RETRIES:
                    lost = next(jobs[i] for i in range(len(jobs)) if i not in results)
                    died = WorkerDied("a worker process died twice; this job was among those unfinished")
                    raise fail(lost, died)
        return [results[i] for i in range(len(jobs))]


class DaskExecutor:
    """Jobs on a dask cluster: `shared` scattered to every worker once, each job submitted with `retries`."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.size = max(1, sum(client.nthreads().values()))

    def run(
        self,
        function: Callable[[S, J], R],
        shared: S,
        jobs: Sequence[J],
        *,
        on_done: OnDone | None = None,
        fail: Failure = job_error,
    ) -> list[R]:
        from distributed import as_completed

        client = self.client
        handle = client.scatter(shared, broadcast=True, hash=False)
        token = uuid.uuid4().hex[:8]
        futures = [
            client.submit(function, handle, job, retries=RETRIES, pure=False, key=f"workbench-{token}-{i}")
            for i, job in enumerate(jobs)
        ]
        position = {future.key: i for i, future in enumerate(futures)}
        results: dict[int, R] = {}
        try:
            for future in as_completed(futures):
                index = position[future.key]
                if future.status != "finished":
                    error = future.exception()
                    raise fail(jobs[index], error) from error
                results[index] = future.result()
                if on_done is not None:
                    on_done(jobs[index])
        finally:
            client.cancel([*futures, handle])
        return [results[i] for i in range(len(jobs))]


@contextmanager
def open_executor(
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    local_cluster: int | None = None,
    default_workers: int = 1,
) -> Iterator[SerialExecutor | ProcessExecutor | DaskExecutor]:
    """The back-end for these options, open for the duration of the block (a cluster started here stops).

    Dask when `client`, `scheduler` or `local_cluster` is given, or when none of those nor `workers` is and
    `DASK_SCHEDULER_ADDRESS` is set; otherwise `workers` processes (default `default_workers`), in this
    process when that is 1. Raises `ExecutorError` for a worker count below 1 or an unreachable scheduler.
    """
    for name, value in (("workers", workers), ("local_cluster", local_cluster)):
        if value is not None and value < 1:
            raise ExecutorError(f"{name}: need at least 1, got {value}")
    if client is None and scheduler is None and local_cluster is None and workers is None:
        scheduler = os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if client is not None:
        yield DaskExecutor(client)
    elif local_cluster is not None:
        with _local_cluster(local_cluster) as started:
            yield DaskExecutor(started)
    elif scheduler is not None:
        with _connect(scheduler) as connected:
            yield DaskExecutor(connected)
    else:
        size = default_workers if workers is None else workers
        if size < 1:
            raise ExecutorError(f"workers: need at least 1, got {size}")
        yield SerialExecutor() if size == 1 else ProcessExecutor(size)


@contextmanager
def _local_cluster(workers: int) -> Iterator[Client]:
    import logging

    import dask
    from distributed import Client, LocalCluster

    with (
        dask.config.set(_QUIET_WORKERS),  # read once, when the workers start
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,  # the simulation is pure Python: processes, not threads, give parallelism
            processes=True,
            dashboard_address=":0",  # an HTTP server always starts; on a free port, it never clashes
            silence_logs=logging.ERROR,
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as started,
    ):
        yield started


@contextmanager
def _connect(scheduler: str) -> Iterator[Client]:
    from distributed import Client

    try:
        connected = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise ExecutorError(f"cannot reach the dask scheduler at {scheduler}: {error}") from error
    with connected:
        yield connected
