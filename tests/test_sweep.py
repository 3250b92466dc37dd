"""Sweeps: grid resolution and validation, determinism whatever the workers, chunks or order, retries, Pareto."""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from test_sim_support import tiny

from workbench.analysis import ID_COLUMNS, simulate
from workbench.analysis.sweep import (
    POINT_COLUMN,
    SHORTHANDS,
    SweepParameterError,
    SweepTaskError,
    pareto_frontier,
    sweep,
    sweep_summary,
)
from workbench.model import Scenario, load_scenario
from workbench.sim import RUN_METRICS

REPO = Path(__file__).resolve().parents[1]
# The module itself, not the package's `sweep` (the function, once workbench.analysis exports it).
sweep_module = importlib.import_module("workbench.analysis.sweep")


def busy() -> Scenario:
    """The tiny scenario with Poisson work, so replications differ, and a step-up design that queues."""
    return tiny(
        workload={
            "task_types": [
                {
                    "id": "note",
                    "agent": "bot",
                    "arrival": {"rate": "20/h"},
                    "steps": [
                        {"action": "read", "resource": "notes", "duration": {"dist": "exponential", "mean": "30s"}},
                        {"action": "read", "resource": "ledger", "duration": "10s", "probability": 0.3},
                    ],
                }
            ]
        },
        threats=[{"id": "inj", "kind": "prompt_injection", "target": "bot", "rate": "6/d", "detection_delay": "1h"}],
        simulation={"horizon": "6h", "replications": 3, "seed": 11},
    )


GRID = {"approvers": [1, 2], "token_ttl": ["1m", "1h"]}


@pytest.fixture(scope="module")
def serial() -> pd.DataFrame:
    return sweep(busy(), GRID, replications=4, seed=3, workers=1)


# -- the frame ----------------------------------------------------------------------------------------------


def test_one_long_row_per_point_design_and_replication(serial):
    scenario = busy()
    assert list(serial.columns) == [POINT_COLUMN, "approvers", "token_ttl", *ID_COLUMNS, "kind", *RUN_METRICS]
    assert len(serial) == 4 * len(scenario.controls) * 4
    assert serial.attrs["parameters"] == ["approvers", "token_ttl"]
    points = serial.drop_duplicates(POINT_COLUMN)[[POINT_COLUMN, "approvers", "token_ttl"]]
    # values as the scenario validated them: durations in seconds; points in itertools.product order
    assert points.to_records(index=False).tolist() == [(0, 1, 60.0), (1, 1, 3600.0), (2, 2, 60.0), (3, 2, 3600.0)]
    assert set(serial["seed"]) == {3}
    assert serial["control"].drop_duplicates().tolist() == scenario.control_labels
    first = serial[serial[POINT_COLUMN] == 0]
    assert first["replication"].tolist() == [0, 1, 2, 3] * len(scenario.controls)


def test_a_sweep_without_parameters_is_simulate(serial):
    scenario = busy()
    swept = sweep(scenario, {}, replications=3, seed=5, workers=1)
    simulated = simulate(scenario, replications=3, seed=5, keep_records=False).summary()
    pd.testing.assert_frame_equal(swept.drop(columns=POINT_COLUMN), simulated)


def test_parameters_change_what_they_name(serial):
    means = serial.groupby(["approvers", "token_ttl", "control"])["tokens_issued"].mean()
    # static RBAC issues no tokens; JIT issues them; the TTL changes how many are re-issued mid-task
    assert (means.xs("static_rbac", level="control") == 0).all()
    assert (means.xs("jit", level="control") > 0).all()
    util = serial[serial["control"] == "rbac_step_up"].groupby("approvers")["approver_utilisation"].mean()
    assert util[2] < util[1]


def test_common_random_numbers_across_points_and_designs(serial):
    """Approvers and TTLs do not touch static RBAC: with the same seeds, its runs are identical at every point."""
    static = serial[serial["control"] == "static_rbac"].set_index([POINT_COLUMN, "replication"])[list(RUN_METRICS)]
    by_point = [static.xs(point, level=POINT_COLUMN) for point in range(4)]
    for other in by_point[1:]:
        pd.testing.assert_frame_equal(other, by_point[0])
    # and the arrivals seen by every design in one replication are the same
    tasks = serial[serial[POINT_COLUMN] == 0].pivot(index="replication", columns="control", values="tasks")
    assert (tasks.nunique(axis=1) == 1).all()


def test_values_are_exact_not_rounded_through_their_human_form():
    scenario = tiny(services={**tiny().services.model_dump(), "token_service": {"issuance": 1.23456789}})
    assert Scenario.model_validate(scenario.model_dump()).services.token_service.issuance.value == 1.23456789  # type: ignore[union-attr]
    assert Scenario.model_validate_json(scenario.model_dump_json()).services.token_service.issuance.value == 1.23456789  # type: ignore[union-attr]
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        loaded = load_scenario(path)
        assert Scenario.model_validate(loaded.model_dump()).model_dump() == loaded.model_dump(), path.name
        assert Scenario.model_validate_json(loaded.model_dump_json()).model_dump() == loaded.model_dump(), path.name


# -- determinism: workers, chunks, order, more replications ---------------------------------------------------


@pytest.mark.slow
def test_process_pool_of_two_equals_serial(serial):
    pooled = sweep(busy(), GRID, replications=4, seed=3, workers=2, chunk_size=3)
    pd.testing.assert_frame_equal(pooled, serial)


@pytest.mark.parametrize("chunk_size", [1, 2, 4])
def test_chunking_does_not_change_results(serial, chunk_size):
    pd.testing.assert_frame_equal(sweep(busy(), GRID, replications=4, seed=3, workers=1, chunk_size=chunk_size), serial)


def test_spawned_seeds_are_prefix_stable():
    short = np.random.SeedSequence(42).spawn(3)
    long = np.random.SeedSequence(42).spawn(7)
    for a, b in zip(short, long, strict=False):
        assert a.entropy == b.entropy and a.spawn_key == b.spawn_key
        assert (a.generate_state(4) == b.generate_state(4)).all()


def test_adding_replications_keeps_the_earlier_rows(serial):
    more = sweep(busy(), GRID, replications=6, seed=3, workers=1)
    earlier = more[more["replication"] < 4].reset_index(drop=True)
    pd.testing.assert_frame_equal(earlier, serial)


@pytest.mark.slow
def test_cedar_policies_are_found_by_spawned_workers():
    scenario = load_scenario(REPO / "scenarios" / "customer-support.yaml")
    grid = {"simulation.horizon": ["2h"], "controls.cedar.token_ttl": ["5m", "30m"]}
    serial = sweep(scenario, grid, replications=2, seed=1, controls=["cedar"], workers=1)
    pooled = sweep(scenario, grid, replications=2, seed=1, controls=["cedar"], workers=2, chunk_size=1)
    pd.testing.assert_frame_equal(pooled, serial)
    assert serial["controls.cedar.token_ttl"].tolist() == [300.0, 300.0, 1800.0, 1800.0]


# -- failures: retried once (tests/test_executors.py), then reported with grid point and seed ---------------


def test_the_public_error_names_grid_point_design_and_seed(monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(sweep_module, "run_replication", broken)
    with pytest.raises(SweepTaskError) as info:
        sweep(busy(), {"approvers": [2]}, replications=2, seed=9, controls=["jit"], workers=1)
    message = str(info.value)
    assert "grid point 0 (approvers=2)" in message and "'jit'" in message and "seed 9" in message
    assert "ZeroDivisionError: boom" in message
    assert info.value.parameters == {"approvers": 2}


# -- bad grids ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({"controls.jit.token_tt": ["1m"]}, r"controls\.jit\.token_tt: no 'token_tt' in controls\.jit; did you mean"),
        ({"controls.jitt.token_ttl": ["1m"]}, r"no 'jitt' in controls; did you mean 'jit'"),
        ({"services.approver_pools.leads.size": ["many"]}, r"services\.approver_pools\.leads\.size='many': .*integer"),
        ({"token_ttl": ["soon"]}, r"token_ttl='soon': controls\[2\]\.jit\.token_ttl: 'soon' is not a duration"),
        ({"step_up_at": ["extreme"]}, r"step_up_at='extreme': .*'low', 'medium', 'high' or 'critical'"),
        ({"simulation.seed": [1]}, r"simulation\.seed: pass seed="),
        ({"controls.jit.kind": ["cedar"]}, r"'kind' identifies an entity"),
        ({"controls.jit.approver_pool": ["nobody"]}, r"approver_pool='nobody': .*unknown approver pool 'nobody'"),
        ({"simulation.horizon.days": [1]}, r"'simulation\.horizon' is a value, it has no 'days'"),
        ({"approvers": []}, r"approvers: no values given"),
        ({"replication": [1]}, r"replication: clashes with a result column"),
    ],
)
def test_bad_parameters_are_named(grid, message):
    with pytest.raises(SweepParameterError, match=message):
        sweep(busy(), grid, replications=1, workers=1)


def test_every_bad_parameter_is_reported_at_once():
    with pytest.raises(SweepParameterError) as info:
        sweep(busy(), {"nope": [1], "approvers": ["x"], "token_ttl": ["1m", "never-ish"]}, replications=1, workers=1)
    assert len(info.value.problems) == 3
    assert isinstance(info.value, ValueError)


def test_shorthands_need_something_to_set():
    scenario = tiny(controls=[{"kind": "static_rbac"}], services={})
    with pytest.raises(SweepParameterError, match="approvers: the scenario has no approver pools"):
        sweep(scenario, {"approvers": [1]}, workers=1)
    with pytest.raises(SweepParameterError, match="token_ttl: the scenario has no jit or intent_aware_jit or cedar"):
        sweep(scenario, {"token_ttl": ["1m"]}, workers=1)
    assert set(SHORTHANDS) == {"approvers", "token_ttl", "step_up_at"}


def test_unknown_design_and_values_that_only_clash_together():
    with pytest.raises(SweepParameterError, match=r"controls: unknown design cedar \(scenario has: static_rbac"):
        sweep(busy(), {}, controls=["cedar"], workers=1)
    services = busy().services.model_dump()
    services["approver_pools"][0]["working_hours"] = {"start_hour": 9, "end_hour": 17}
    scenario = tiny(services=services)
    pool = "services.approver_pools.leads.working_hours"
    grid = {f"{pool}.start_hour": [8, 16], f"{pool}.end_hour": [10]}  # each fine alone; 16 to 10 is not
    with pytest.raises(SweepParameterError) as info:
        sweep(scenario, grid, replications=1, workers=1)
    assert info.value.problems == [
        "grid point (services.approver_pools.leads.working_hours.start_hour=16, "
        "services.approver_pools.leads.working_hours.end_hour=10): "
        "services.approver_pools[0].working_hours: end_hour must be after start_hour"
    ]


# -- Pareto frontier --------------------------------------------------------------------------------------------


def hand_made() -> pd.DataFrame:
    rows = [
        # control, ttl, latency, exposure: two replications each
        ("static", 0, 1.0, 50.0),
        ("static", 0, 1.0, 50.0),
        ("jit", 60, 3.0, 5.0),
        ("jit", 60, 3.0, 7.0),  # mean (3, 6)
        ("jit", 600, 2.0, 20.0),
        ("jit", 600, 2.0, 20.0),  # (2, 20)
        ("step_up", 0, 4.0, 6.0),
        ("step_up", 0, 4.0, 6.0),  # (4, 6): same exposure as jit/60, slower -> dominated
        ("cedar", 60, 2.5, 30.0),
        ("cedar", 60, 2.5, 30.0),  # (2.5, 30): jit/600 is faster and safer -> dominated
        ("twin", 60, 3.0, 6.0),
        ("twin", 60, 3.0, 6.0),  # identical to jit/60: neither dominates the other
        ("idle", 0, math.nan, 0.0),
        ("idle", 0, math.nan, 0.0),  # no tasks, no latency: not comparable
    ]
    frame = pd.DataFrame(rows, columns=["control", "ttl", "latency_p95_s", "exposure_score_h"])
    return frame.assign(scenario="s", replication=[0, 1] * 7, seed=0, kind=frame["control"])


def test_pareto_frontier_keeps_the_non_dominated_groups():
    front = pareto_frontier(hand_made(), by=["control", "ttl"])
    assert front[["control", "ttl"]].to_records(index=False).tolist() == [
        ("static", 0),
        ("jit", 600),
        ("jit", 60),
        ("twin", 60),
    ]
    assert front["mean_latency_p95_s"].tolist() == [1.0, 2.0, 3.0, 3.0]
    assert front["mean_exposure_score_h"].tolist() == [50.0, 20.0, 6.0, 6.0]
    assert front["runs"].tolist() == [2, 2, 2, 2]


def test_pareto_frontier_groups_by_parameters_and_design_by_default():
    front = pareto_frontier(hand_made())  # 'ttl' is neither identity nor metric: a parameter
    assert list(front.columns[:2]) == ["ttl", "control"]
    assert len(front) == 4


def test_pareto_frontier_of_a_sweep(serial):
    front = pareto_frontier(serial)
    summary = sweep_summary(serial)
    assert list(front.columns[:4]) == [POINT_COLUMN, "approvers", "token_ttl", "control"]
    assert len(front) == int(summary["pareto"].sum()) >= 1
    for row in summary[~summary["pareto"]].itertuples():
        beaten = (front["mean_latency_p95_s"] <= row.mean_latency_p95_s) & (
            front["mean_exposure_score_h"] <= row.mean_exposure_score_h
        )
        assert beaten.any() or math.isnan(row.mean_latency_p95_s)


# -- progress and the command line -----------------------------------------------------------------------------


def test_progress_only_on_a_terminal_outside_ci(monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert sweep_module._show_progress()
    monkeypatch.setenv("CI", "true")
    assert not sweep_module._show_progress()
    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert not sweep_module._show_progress()


def test_a_progress_bar_changes_nothing(serial):
    shown = sweep(busy(), GRID, replications=4, seed=3, workers=1, progress=True)
    pd.testing.assert_frame_equal(shown, serial)


def test_no_progress_output_when_piped(capsys):
    sweep(busy(), {"approvers": [1]}, replications=1, workers=1, controls=["static_rbac"])
    assert capsys.readouterr().err == ""


@pytest.fixture
def cli(monkeypatch):
    """`workbench.cli.run` with the sweep command registered, as cli/__init__.py will do."""
    import workbench.cli as cli_module
    from workbench.cli import graph_commands, model_commands, simulate_commands, sweep_commands

    app = typer.Typer(name="workbench", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    for module in (model_commands, graph_commands, simulate_commands, sweep_commands):
        module.register(app)
    monkeypatch.setattr(cli_module, "app", app)
    return cli_module.run


@pytest.fixture
def busy_file(tmp_path):
    import yaml

    data = json.loads(busy().model_dump_json())
    path = tmp_path / "busy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_cli_sweep_csv_has_every_run(cli, busy_file, capsys):
    code = cli(
        ["sweep", str(busy_file), "--param", "approvers=1,2", "-p", "token_ttl=1m", "-r", "2", "-w", "1", "-f", "csv"]
    )
    out = capsys.readouterr().out
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("point,approvers,token_ttl,scenario,control,replication,seed,kind,exposure_score_h,")
    assert len(lines) == 1 + 2 * 3 * 2


def test_cli_sweep_json_and_table(cli, busy_file, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps headers at 80 columns when not on a terminal
    assert cli(["sweep", str(busy_file), "-p", "step_up_at=medium,high", "-r", "2", "-w", "1", "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["step_up_at"] for row in rows} == {"medium", "high"}
    assert all(row["latency_p95_s"] is None or isinstance(row["latency_p95_s"], float) for row in rows)
    assert cli(["sweep", str(busy_file), "-p", "approvers=1,2", "-r", "2", "-w", "1", "-c", "jit,rbac_step_up"]) == 0
    table = capsys.readouterr().out
    assert "pareto" in table and "Exposure" in table and "score-h" in table and "✓" in table


@pytest.mark.parametrize(
    "args",
    [
        ["-p", "controls.jit.token_tt=1m"],
        ["-p", "approvers=x"],
        ["-p", "approvers"],
        ["-p", "approvers=1,,2"],
        ["-p", "approvers=1", "-p", "approvers=2"],
        ["-c", "nope"],
        ["--scheduler", "tcp://127.0.0.1:1", "--local-cluster", "2"],
    ],
)
def test_cli_bad_parameters_exit_2(cli, busy_file, capsys, args):
    assert cli(["sweep", str(busy_file), "-r", "1", "-w", "1", *args]) == 2
    assert "Traceback" not in capsys.readouterr().err
