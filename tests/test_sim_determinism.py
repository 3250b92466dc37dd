"""Same scenario and seed, same results: across runs, processes, hash seeds and record-keeping modes."""

from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from workbench.analysis import simulate
from workbench.model import load_scenario
from workbench.sim import run_replication

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "customer-support.yaml"

DIGEST = """
import hashlib, sys
from workbench.analysis import simulate
from workbench.model import load_scenario
result = simulate(load_scenario(sys.argv[1]), replications=2, seed=5)
digest = hashlib.sha256()
for frame in (result.summary(), result.events, result.tasks, result.compromises):
    digest.update(frame.to_csv(index=False).encode())
print(digest.hexdigest())
"""


@pytest.fixture(scope="module")
def support():
    return load_scenario(SCENARIO)


def test_same_seed_same_results(support):
    first = run_replication(support, "intent_aware_jit", 0, np.random.SeedSequence(9))
    second = run_replication(support, "intent_aware_jit", 0, np.random.SeedSequence(9))
    assert first.summary == second.summary
    assert first.events == second.events
    assert first.tasks == second.tasks
    assert first.compromises == second.compromises


def test_a_seed_sequence_is_not_consumed(support):
    seed_seq = np.random.SeedSequence(9)
    first = run_replication(support, "jit", 0, seed_seq)
    second = run_replication(support, "jit", 0, seed_seq)
    assert first.summary == second.summary


@pytest.mark.slow
def test_results_do_not_depend_on_the_process_or_hash_seed():
    digests = set()
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", DIGEST, str(SCENARIO)], capture_output=True, text=True, env=env, check=True
        )
        digests.add(run.stdout.strip())
    assert len(digests) == 1


@pytest.mark.slow
def test_streaming_summary_equals_the_full_one(support):
    full = simulate(support, replications=2, seed=3)
    lean = simulate(support, replications=2, seed=3, keep_records=False)
    assert full.summary().equals(lean.summary())
    assert full.compromises.equals(lean.compromises)
    assert lean.tasks.empty and lean.events.empty


@pytest.mark.slow
def test_run_replication_ships_to_worker_processes(support):
    # Top-level function, plain inputs, picklable output: what a process or dask pool needs.
    payload = pickle.dumps((run_replication, support, "cedar", 1, np.random.SeedSequence(2)))
    function, *args = pickle.loads(payload)
    out = function(*args, keep_records=False)
    assert pickle.loads(pickle.dumps(out)).summary == out.summary
    assert out.summary == run_replication(support, "cedar", 1, np.random.SeedSequence(2), keep_records=False).summary
    assert hashlib.sha256(pickle.dumps(out.compromises)).hexdigest()
