"""`simulate()`: inputs checked like a sweep's, and the same result on every back-end of the executors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_report_support import small_support, write_scenario
from test_sweep import busy

from workbench.analysis import SimulationParameterError, runs_frame, simulate, tasks_frame
from workbench.report import report_scenarios


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"controls": ["nope"]}, r"^controls: unknown design 'nope' \(scenario has: static_rbac, "),
        ({"controls": []}, r"^controls: no design to run"),
        ({"controls": "jit"}, r"^controls: give a list of design labels, not the string 'jit'$"),
        ({"replications": 0}, r"^replications: need a whole number of at least 1, got 0$"),
        ({"replications": -1}, r"^replications: need a whole number of at least 1, got -1$"),
        ({"replications": 2.5}, r"^replications: need a whole number of at least 1, got 2\.5$"),
        ({"seed": -3}, r"^seed: need a non-negative whole number, got -3$"),
    ],
)
def test_bad_options_are_named(options, message):
    with pytest.raises(SimulationParameterError, match=message) as info:
        simulate(busy(), **options)
    assert isinstance(info.value, ValueError)


def test_every_bad_option_is_reported_at_once():
    with pytest.raises(SimulationParameterError) as info:
        simulate(busy(), ["nope"], -1, -1)
    assert [p.split(":")[0] for p in info.value.problems] == ["controls", "replications", "seed"]


def test_progress_is_reported_per_finished_block():
    done: list[int] = []
    simulate(busy(), replications=3, seed=1, on_done=done.append)
    assert done == [3] * len(busy().controls)  # in this process: one block per design
    runs: list[tuple[int, int]] = []
    watched = simulate(busy(), replications=3, seed=1, progress=lambda d, t: runs.append((d, t)))
    total = 3 * len(busy().controls)
    assert runs == [(d, total) for d in range(1, total + 1)]  # watched: every run
    same(watched, simulate(busy(), replications=3, seed=1))


def same(a, b) -> None:
    pd.testing.assert_frame_equal(runs_frame(a.runs), runs_frame(b.runs))
    pd.testing.assert_frame_equal(tasks_frame(a.runs), tasks_frame(b.runs))
    assert (a.controls, a.replications, a.seed, a.baseline) == (b.controls, b.replications, b.seed, b.baseline)


@pytest.mark.slow
def test_a_process_pool_gives_the_serial_result():
    serial = simulate(busy(), replications=5, seed=3)
    done: list[int] = []
    same(simulate(busy(), replications=5, seed=3, workers=2, on_done=done.append), serial)
    assert sum(done) == 5 * len(busy().controls)


@pytest.mark.slow
def test_report_replications_on_workers_give_the_same_bytes(tmp_path: Path):
    path = write_scenario(tmp_path, small_support(simulation={"horizon": "6h", "replications": 3, "seed": 7}))
    _, serial = report_scenarios([path], root=tmp_path)
    _, pooled = report_scenarios([path], root=tmp_path, workers=2)
    assert pooled == serial
