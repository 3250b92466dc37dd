"""The shared executors: every back-end gives the serial results, in job order; failures retried once, then
reported with the job; bad input (a WorkbenchError) is not retried; a dead worker is survived once."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from workbench.analysis.executors import (
    ExecutorError,
    JobError,
    ProcessExecutor,
    SerialExecutor,
    open_executor,
)
from workbench.errors import WorkbenchError


@dataclass(frozen=True)
class Flaky:
    """Shared input of `flaky`: how the first attempt anywhere fails (a marker file remembers it across
    processes)."""

    marker: str
    always: bool = False
    die: bool = False
    bad_input: bool = False


def flaky(shared: Flaky, job: int) -> int:
    if shared.bad_input:
        Path(shared.marker).with_suffix(f".{job}.{os.getpid()}.{time.monotonic_ns()}").touch()
        raise WorkbenchError("bad input")
    if shared.always or not os.path.exists(shared.marker):
        Path(shared.marker).touch()
        if shared.die:
            os._exit(3)  # a worker process that dies, as on a segfault or the OOM killer
        raise RuntimeError("flaky worker")
    return job * job


def slow_first(shared: None, job: int) -> int:
    time.sleep(0.3 if job == 0 else 0.0)  # the first job finishes last
    return job * 10


def named(job: int, error: BaseException) -> Exception:
    return RuntimeError(f"job {job}: {type(error).__name__}: {error}")


JOBS = [0, 1, 2, 3]


def test_serial_runs_every_job_in_order_and_reports_each_as_done(tmp_path):
    done: list[int] = []
    Path(tmp_path / "m").touch()  # no failure
    assert SerialExecutor().run(flaky, Flaky(str(tmp_path / "m")), JOBS, on_done=done.append) == [0, 1, 4, 9]
    assert done == JOBS


def test_serial_retries_a_failed_job_once(tmp_path):
    assert SerialExecutor().run(flaky, Flaky(str(tmp_path / "m")), JOBS) == [0, 1, 4, 9]


def test_a_job_failing_twice_is_reported_with_the_job(tmp_path):
    with pytest.raises(JobError, match=r"^job 0 failed: RuntimeError: flaky worker$") as info:
        SerialExecutor().run(flaky, Flaky(str(tmp_path / "m"), always=True), JOBS)
    assert info.value.job == 0
    with pytest.raises(RuntimeError, match=r"^job 0: RuntimeError: flaky worker$"):
        SerialExecutor().run(flaky, Flaky(str(tmp_path / "m"), always=True), JOBS, fail=named)


def test_bad_input_fails_at_once_as_itself(tmp_path):
    with pytest.raises(WorkbenchError, match=r"^bad input$"):
        SerialExecutor().run(flaky, Flaky(str(tmp_path / "m"), bad_input=True), JOBS)
    assert len(list(tmp_path.iterdir())) == 1  # one attempt, not two


def test_worker_counts_below_one_are_refused():
    with pytest.raises(ExecutorError, match="workers: need at least 1, got 0"), open_executor(workers=0):
        pass
    with pytest.raises(ExecutorError, match="local_cluster: need at least 1, got -1"), open_executor(local_cluster=-1):
        pass


def test_backend_choice(monkeypatch):
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    with open_executor() as executor:
        assert isinstance(executor, SerialExecutor)
    with open_executor(workers=3) as executor:
        assert isinstance(executor, ProcessExecutor) and executor.size == 3
    with open_executor(default_workers=2) as executor:
        assert isinstance(executor, ProcessExecutor) and executor.size == 2
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:9")
    with open_executor(workers=1) as executor:  # a worker count asked for wins over the environment
        assert isinstance(executor, SerialExecutor)


@pytest.mark.slow
def test_process_pool_gives_results_in_job_order_whatever_finishes_first():
    done: list[int] = []
    assert ProcessExecutor(2).run(slow_first, None, JOBS, on_done=done.append) == [0, 10, 20, 30]
    assert sorted(done) == JOBS and done[-1] == 0


@pytest.mark.slow
@pytest.mark.parametrize("die", [False, True], ids=["raises", "dies"])
def test_process_pool_retries_a_failed_job_once(tmp_path, die):
    done: list[int] = []
    assert ProcessExecutor(2).run(flaky, Flaky(str(tmp_path / "m"), die=die), JOBS, on_done=done.append) == [0, 1, 4, 9]
    assert sorted(done) == JOBS


@pytest.mark.slow
def test_process_pool_reports_a_job_failing_twice(tmp_path):
    with pytest.raises(JobError, match=r"^job \d failed: RuntimeError: flaky worker$") as info:
        ProcessExecutor(2).run(flaky, Flaky(str(tmp_path / "m"), always=True), JOBS)
    assert info.value.job in JOBS


@pytest.mark.slow
def test_process_pool_does_not_retry_bad_input(tmp_path):
    with pytest.raises(WorkbenchError, match=r"^bad input$"):
        ProcessExecutor(2).run(flaky, Flaky(str(tmp_path / "m"), bad_input=True), [0])  # one job: in-process
    with pytest.raises(WorkbenchError, match=r"^bad input$"):
        ProcessExecutor(2).run(flaky, Flaky(str(tmp_path / "n"), bad_input=True), JOBS)
    attempts = [p.name.split(".")[1] for p in tmp_path.iterdir() if p.name.startswith("n.")]
    assert attempts and len(attempts) == len(set(attempts))  # no job ran twice
