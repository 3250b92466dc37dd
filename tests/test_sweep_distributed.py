"""Dask: a LocalCluster and a separately started scheduler with workers give the serial rows (sweeps and
`simulate`); the dask executor retries and reports failures as the others do.

Everything listens on loopback only, is bounded by timeouts, and is shut down by the fixtures that start it.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from test_executors import JOBS, Flaky, flaky
from test_sweep import GRID, busy

from workbench.analysis import runs_frame, simulate
from workbench.analysis.executors import DaskExecutor, ExecutorError, JobError
from workbench.analysis.sweep import sweep

pytestmark = pytest.mark.slow  # end to end: runs in `make test`, not in `make test-fast`

distributed = pytest.importorskip("distributed")

START_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def serial() -> pd.DataFrame:
    return sweep(busy(), GRID, replications=3, seed=3, workers=1)


@pytest.fixture(scope="module")
def local_client() -> Iterator[distributed.Client]:
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster, timeout=START_TIMEOUT_S) as client,
    ):
        client.wait_for_workers(2, timeout=START_TIMEOUT_S)
        yield client


def test_local_cluster_equals_serial(local_client, serial):
    pd.testing.assert_frame_equal(
        sweep(busy(), GRID, replications=3, seed=3, client=local_client, chunk_size=2), serial
    )


def test_simulate_on_a_cluster_equals_serial(local_client):
    serial = simulate(busy(), replications=3, seed=3)
    spread = simulate(busy(), replications=3, seed=3, client=local_client)
    pd.testing.assert_frame_equal(runs_frame(spread.runs), runs_frame(serial.runs))
    assert [len(run.tasks) for run in spread.runs] == [len(run.tasks) for run in serial.runs]


def test_dask_retries_a_failed_job(local_client, tmp_path):
    done: list[int] = []
    executor = DaskExecutor(local_client)
    assert executor.run(flaky, Flaky(str(tmp_path / "m")), JOBS, on_done=done.append) == [0, 1, 4, 9]
    assert sorted(done) == JOBS


def test_dask_reports_a_job_that_fails_after_its_retry(local_client, tmp_path):
    with pytest.raises(JobError, match=r"^job \d failed: RuntimeError: flaky worker$"):
        DaskExecutor(local_client).run(flaky, Flaky(str(tmp_path / "m"), always=True), JOBS)


def test_sweep_starts_and_stops_its_own_local_cluster(serial):
    pd.testing.assert_frame_equal(sweep(busy(), GRID, replications=3, seed=3, local_cluster=2), serial)


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`dask scheduler` and two `dask worker` processes on loopback, stopped (then killed) afterwards."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env, "cwd": folder}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(scheduler_file)],
            **quiet,
        )
    ]  # fmt: skip
    try:
        address = _wait_for_address(scheduler_file, processes[0])
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "2", "--nthreads", "1",
                 "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(folder)],
                **quiet,
            )
        )  # fmt: skip
        with distributed.Client(address, timeout=START_TIMEOUT_S) as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT_S)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_for_address(scheduler_file: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dask scheduler exited with {process.returncode}")
        if scheduler_file.is_file():
            try:
                return str(json.loads(scheduler_file.read_text())["address"])
            except (json.JSONDecodeError, KeyError):
                pass  # still being written
        time.sleep(0.1)
    raise TimeoutError("dask scheduler did not start")


def test_separate_scheduler_equals_serial(scheduler_address, serial):
    pd.testing.assert_frame_equal(
        sweep(busy(), GRID, replications=3, seed=3, scheduler=scheduler_address, chunk_size=1), serial
    )


def test_scheduler_from_the_environment(scheduler_address, serial, monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", scheduler_address)
    pd.testing.assert_frame_equal(sweep(busy(), GRID, replications=3, seed=3), serial)


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(importlib.import_module("workbench.analysis.executors"), "CONNECT_TIMEOUT", "2s")
    with pytest.raises(ExecutorError, match=r"cannot reach the dask scheduler at tcp://127\.0\.0\.1:9"):
        sweep(busy(), {}, replications=1, scheduler="tcp://127.0.0.1:9")
    with pytest.raises(ExecutorError, match=r"cannot reach the dask scheduler at tcp://127\.0\.0\.1:9"):
        simulate(busy(), replications=1, scheduler="tcp://127.0.0.1:9")
