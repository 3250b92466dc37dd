"""The benchmark suite: targets, rows, skipped and failed groups, results.json; small runs of our own groups."""

from __future__ import annotations

import json
import math
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from benchmarks import report as report_bench
from benchmarks import sweep as sweep_bench
from benchmarks.suite import ROW_KEYS, Target, _child, format_table, main, normalise, run_suite

REPO = Path(__file__).resolve().parents[1]


def test_targets_read_and_judge_one_field():
    target = Target.parse("ratio >= 1.7")
    assert str(target) == "ratio >= 1.7"
    assert target.met({"ratio": 1.8}) is True
    assert target.met({"ratio": 1.2}) is False
    assert target.met({"ratio": None}) is None
    assert target.met({"ratio": math.nan}) is None
    seconds = Target.parse("value <= 20 s")
    assert str(seconds) == "value <= 20 s" and seconds.met({"value": 20.0}) is True
    with pytest.raises(ValueError, match="not a target expression"):
        Target.parse("faster please")


def test_rows_are_completed_with_targets_and_met():
    row = normalise({"name": "cpu_s_jit", "value": 31.0, "unit": "s", "baseline": 30.0, "ratio": 1.03})
    assert list(row) == list(ROW_KEYS)
    assert row["target"] == "value <= 30 s" and row["met"] is False
    own = normalise({"name": "x", "value": 2.0, "unit": "s", "ratio": math.inf, "target": "value <= 3 s"})
    assert own["met"] is True and own["ratio"] is None
    free = normalise({"name": "sweep_100_replications_1_worker", "value": 1.0, "unit": "s"})
    assert free["target"] is None and free["met"] is None
    ratio = normalise({"name": "blast_radius_all_agents_10k_vs_naive_all_agents", "value": 0.05, "ratio": 60.0})
    assert ratio["target"] == "ratio >= 100" and ratio["met"] is False
    extra = normalise({"name": "y", "value": 1, "unit": "s", "met": False, "target": "value <= 3 s", "size": 9})
    assert extra["met"] is False and extra["size"] == 9  # a group's own verdict and extra keys are kept


def test_suite_skips_absent_groups_reports_failures_and_writes_json(tmp_path):
    def fine() -> list[dict[str, object]]:
        return [{"name": "quick", "value": 1.0, "unit": "s", "baseline": 2.0, "ratio": 2.0, "target": "ratio >= 1.5"}]

    def broken() -> list[dict[str, object]]:
        raise RuntimeError("no luck")

    out = tmp_path / "results.json"
    echoed: list[str] = []
    rows, ok = run_suite(
        ["fine", "not_written_yet", "broken"],
        runners={"fine": fine, "broken": broken},
        out=out,
        echo=echoed.append,
    )
    assert not ok
    assert [row["name"] for row in rows] == ["quick", "not_written_yet", "broken"]
    assert rows[0]["met"] is True
    assert rows[1]["note"] == "skipped: benchmarks/not_written_yet.py is not there yet" and rows[1]["met"] is None
    assert rows[2]["note"] == "failed: RuntimeError: no luck"
    written = json.loads(out.read_text())
    assert written == rows and all(list(row) == list(ROW_KEYS) for row in written)
    table = format_table(rows)
    assert table.splitlines()[0].startswith("benchmark")
    assert "met" in table and "skipped" in table
    assert any("# fine" in line for line in echoed)


@pytest.mark.parametrize(
    ("run", "outcome", "status"),
    [
        (
            lambda: [{"name": "n", "value": np.float64(1.5), "unit": "s"}],
            {"rows": [{"name": "n", "value": 1.5, "unit": "s"}]},
            0,
        ),
        (None, {"skipped": "benchmarks/fake_group.py has no run()"}, 0),
        (lambda: 1 / 0, {"error": "ZeroDivisionError: division by zero"}, 1),
    ],
    ids=["rows", "no run", "raises"],
)
def test_a_group_process_reports_rows_skips_and_errors(tmp_path, monkeypatch, run, outcome, status):
    module = types.ModuleType("benchmarks.fake_group")
    if run is not None:
        module.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "benchmarks.fake_group", module)
    report = tmp_path / "rows.json"
    assert _child("fake_group", str(report)) == status
    assert json.loads(report.read_text()) == outcome


def test_unknown_group_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--only", "nope"])
    assert info.value.code == 2
    assert "unknown group nope" in capsys.readouterr().err


@pytest.mark.slow
def test_sweep_benchmark_rows():
    rows = sweep_bench.run(
        replications=3,
        grid={"simulation.horizon": ["1h"], "token_ttl": ["5m", "1h"]},
        min_chunk_s=0.01,
        repeats=1,
        patience_s=0,  # never wait for a quiet machine in a test
    )
    by_name = {row["name"]: normalise(row) for row in rows}
    assert set(by_name) == {
        "machine_parallelism_2_processes",
        "sweep_3_replications_1_worker",
        "sweep_3_replications_2_workers_speedup",
        "sweep_3_replications_dask_local_cluster_2_vs_process_pool_2",
        "sweep_3_replications_dask_local_cluster_2_cold_start_vs_process_pool_2",
    }
    speedup = by_name["sweep_3_replications_2_workers_speedup"]
    assert speedup["target"] == "ratio >= 1.7"
    assert speedup["met"] is (speedup["ratio"] >= 1.7)  # judged from the ratio it reports, not a constant
    assert speedup["ratio"] == pytest.approx(speedup["baseline"] / speedup["value"], rel=0.05, abs=0.01)  # rounded
    dask = by_name["sweep_3_replications_dask_local_cluster_2_vs_process_pool_2"]
    assert dask["target"] == "ratio <= 1.1" and dask["baseline"] == speedup["value"]


@pytest.mark.slow
def test_report_benchmark_row_and_deadline():
    [row] = report_bench.run(agents=8, timeout_s=120)
    if str(row.get("note", "")).startswith("skipped"):
        pytest.skip(row["note"])
    row = normalise(row)
    assert row["name"] == "report_8_agents_collect_render_write"
    assert row["value"] > 0 and row["baseline"] > 0 and row["met"] is True
    assert "collect" in row["note"]
    [late] = report_bench.run(agents=8, timeout_s=0.001)
    assert late["value"] is None and late["met"] is False and late["note"] == "did not finish within 0.001 s"


def test_report_benchmark_is_skipped_without_the_report_api(monkeypatch):
    monkeypatch.setattr(report_bench, "_missing_api", lambda: "workbench.report has no public collect yet")
    [row] = report_bench.run(agents=8)
    assert normalise(row)["note"] == "skipped: workbench.report has no public collect yet"
    assert normalise(row)["met"] is None
