"""The work budget: every scenario that validates either fits its budget and finishes within it, or is refused
(exit 3, located at the fields that drive the work) before any replication starts."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import simpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sim_support import TINY, tiny

from workbench.analysis import simulate
from workbench.cli import run
from workbench.errors import ScenarioError
from workbench.model import load_scenario
from workbench.sim.budget import DEFAULT_MAX_EVENTS, check_work, estimate_work, mean_duration


@contextlib.contextmanager
def counting_events() -> Iterator[list[int]]:
    """Count every event SimPy schedules while the block runs."""
    count = [0]
    original = simpy.Environment.schedule

    def schedule(self: simpy.Environment, *args: Any, **kwargs: Any) -> None:
        count[0] += 1
        original(self, *args, **kwargs)

    with mock.patch.object(simpy.Environment, "schedule", schedule):
        yield count


def _steps(n: int, probability: float = 1.0) -> list[dict[str, Any]]:
    return [{"action": "read", "resource": "notes", "duration": "1s", "probability": probability}] * n


# -- the estimate -----------------------------------------------------------------------------------------------


def test_tasks_count_their_steps_weighted_by_probability():
    scenario = tiny(
        workload={
            "task_types": [
                {"id": "job", "agent": "bot", "arrival": {"rate": "10/h"}, "steps": _steps(2) + _steps(2, 0.5)}
            ]
        },
        simulation={"horizon": "3h", "replications": 4},
    )
    estimate = estimate_work(scenario)
    assert estimate.per_replication == pytest.approx(30 * (1 + 2 + 1))  # 30 tasks of 1 + 2 + 2 × 0.5
    assert estimate.total == pytest.approx(estimate.per_replication * 4 * 3)  # 4 replications × 3 designs
    assert estimate_work(scenario, replications=1, designs=1).total == pytest.approx(120)


def test_fixed_arrivals_count_only_those_before_the_horizon():
    scenario = tiny(simulation={"horizon": "10.2s", "replications": 1})  # `note` arrives at 10 s and 10.5 s
    assert estimate_work(scenario, designs=1).per_replication == pytest.approx(2)


def test_sub_task_fan_out_is_computed_over_the_delegation_graph_not_enumerated():
    # level i delegates two sub-tasks of level i-1: 2^60 leaves per root task, estimated instantly
    types = [{"id": "t0", "agent": "bot", "steps": _steps(1)}]
    for level in range(1, 61):
        delegate = {"delegate": f"t{level - 1}"}
        types.append({"id": f"t{level}", "agent": "bot", "steps": [delegate, delegate]})
    types[-1]["arrival"] = {"at": ["1s"]}
    scenario = tiny(workload={"task_types": types}, threats=[])
    estimate = estimate_work(scenario, replications=1, designs=1)
    assert estimate.per_replication == pytest.approx(3 * 2**60 - 1, rel=1e-9)
    with pytest.raises(ScenarioError) as refused:
        check_work(scenario)
    assert any(p.path == "workload.task_types[60].arrival.at" for p in refused.value.problems)


def test_an_unrevoked_hijack_acts_until_the_horizon():
    threat = {"id": "inj", "kind": "prompt_injection", "target": "bot", "at": ["0s"], "detection_delay": "1m"}
    kept = estimate_work(tiny(threats=[threat], workload={"task_types": []}), designs=1, replications=1)
    revoked = estimate_work(
        tiny(
            threats=[threat],
            workload={"task_types": []},
            revocation_triggers=[{"identity": "bot", "event": "anomaly_detected"}],
        ),
        designs=1,
        replications=1,
    )
    assert kept.per_replication > 86400 / 60  # a day of actions, one a minute
    assert revoked.per_replication < 20  # a minute of them, and a few retries


def test_a_compromise_counts_the_identities_it_may_spread_to():
    helper = {"id": "help", "agent": "aide", "steps": _steps(1)}
    lead = {"id": "lead", "agent": "bot", "arrival": {"rate": "1/h"}, "steps": [{"delegate": "help", "handoff": 0}]}
    threat = {"id": "inj", "kind": "prompt_injection", "target": "bot", "at": ["0s"], "detection_delay": "1h"}
    base = {
        "agents": [{"id": "bot", "roles": ["reader"]}, {"id": "aide", "roles": ["reader"]}],
        "threats": [threat],
        "revocation_triggers": [{"identity": "bot", "event": "anomaly_detected"}],
    }
    filtered = estimate_work(tiny(**base, workload={"task_types": [helper, lead]}), designs=1, replications=1)
    lead["steps"] = [{"delegate": "help", "handoff": 0.5}]
    spreads = estimate_work(tiny(**base, workload={"task_types": [helper, lead]}), designs=1, replications=1)
    # aide is never revoked: a spread to it may act for up to the whole horizon (1 day), one action a minute
    assert spreads.per_replication - filtered.per_replication > 1440
    assert "spreads to 1 more" in spreads.drivers[0].what


def test_mean_durations():
    from workbench.model.common import Constant, Exponential, LogNormal, Uniform

    assert mean_duration(Constant(value=3)) == 3
    assert mean_duration(Exponential(mean=5)) == 5
    assert mean_duration(Uniform(low=2, high=4)) == 3
    assert mean_duration(LogNormal(median=10, sigma=1)) == pytest.approx(10 * math.exp(0.5))


def test_shipped_scenarios_fit_the_default_budget_four_times_over(shipped_scenario_path: Path):
    assert estimate_work(load_scenario(shipped_scenario_path)).total < DEFAULT_MAX_EVENTS / 4


# -- the budget -------------------------------------------------------------------------------------------------

HEAVY = {"task_types": [{"id": "job", "agent": "bot", "arrival": {"rate": "1000/h"}, "steps": _steps(3)}]}


def test_refusal_names_the_fields_that_drive_the_work():
    scenario = tiny(workload=HEAVY, simulation={"horizon": "1000w", "replications": 100})
    with pytest.raises(ScenarioError) as refused:
        check_work(scenario)
    paths = {p.path for p in refused.value.problems}
    assert {"simulation.horizon", "simulation.replications", "workload.task_types[0].arrival.rate"} <= paths
    assert all(p.code == "work-budget" for p in refused.value.problems)
    summary = next(p for p in refused.value.problems if p.path == "simulation.horizon")
    assert "more than the budget of 20,000,000" in summary.message and "--max-events" in summary.message


def test_the_scenario_and_the_command_line_set_the_budget():
    data = {"workload": HEAVY, "simulation": {"horizon": "1d", "replications": 1}}
    estimate = estimate_work(tiny(**data)).total  # 24,000 tasks × 4 × 3 designs
    assert check_work(tiny(**data), max_events=int(estimate) + 1).total == estimate
    with pytest.raises(ScenarioError):
        check_work(tiny(**data), max_events=int(estimate) - 1)
    lowered = {**data, "simulation": {**data["simulation"], "max_events": int(estimate) - 1}}
    with pytest.raises(ScenarioError):
        check_work(tiny(**lowered))
    assert check_work(tiny(**lowered), max_events=int(estimate) + 1)  # --max-events wins


def test_simulate_refuses_before_running_anything():
    scenario = tiny(workload=HEAVY, simulation={"horizon": "1000w", "replications": 100})
    with counting_events() as events, pytest.raises(ScenarioError):
        simulate(scenario)
    assert events[0] == 0


def _write(tmp_path: Path, **changes: Any) -> Path:
    import yaml

    data = {**TINY, **changes}
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_cli_refuses_with_exit_3_and_locations(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = _write(tmp_path, workload=HEAVY, simulation={"horizon": "1000w", "replications": 100_000})
    for command in (["simulate", str(path)], ["report", str(path), "-o", str(tmp_path / "out")]):
        assert run(command) == 3
        err = capsys.readouterr().err
        assert f"{path}:" in err and "simulation.horizon" in err and "[work-budget]" in err
        assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert run(["sweep", str(path), "-p", "simulation.horizon=1000w,999w", "-w", "1"]) == 3
    assert "[work-budget]" in capsys.readouterr().err


def test_cli_max_events_raises_the_budget(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = _write(tmp_path, workload=HEAVY, simulation={"horizon": "1h", "replications": 1, "max_events": 10})
    assert run(["simulate", str(path), "-c", "static_rbac"]) == 3
    capsys.readouterr()
    assert run(["simulate", str(path), "-c", "static_rbac", "--max-events", "100000", "-f", "json"]) == 0
    assert run(["simulate", str(path), "--max-events", "0"]) == 2


# -- internal failures: one line, exit 4 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [MemoryError(), RecursionError("maximum recursion depth exceeded"), RuntimeError("two\nlines \x1b[31m")],
    ids=["memory", "recursion", "runtime"],
)
def test_internal_failures_end_in_one_clean_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], error: BaseException
):
    path = _write(tmp_path)
    with mock.patch("workbench.analysis.simulate", side_effect=error):
        assert run(["simulate", str(path)]) == 4
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("internal error: ")
    assert "Traceback" not in captured.err and "\x1b" not in captured.err
    assert captured.out == ""


# -- the promise ------------------------------------------------------------------------------------------------

BUDGET = 3000
SIMPY_EVENTS_PER_UNIT = 12
"""SimPy events one unit of the estimate may cost (a step at the PDP, a token, a review); the shipped scenarios
take 0.5-2 per unit, so this leaves room for Poisson counts above their mean."""

rates = st.sampled_from(["1/h", "6/h", "30/h", "2/m", "1/s"])
horizons = st.sampled_from(["10m", "1h", "6h", "1d", "1w"])
probabilities = st.sampled_from([0.1, 0.5, 1.0])


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    types: list[dict[str, Any]] = []
    for index in range(draw(st.integers(1, 4))):
        steps: list[dict[str, Any]] = []
        for _ in range(draw(st.integers(1, 3))):
            if index and draw(st.booleans()):
                steps.append({"delegate": f"t{draw(st.integers(0, index - 1))}", "probability": draw(probabilities)})
            else:
                resource = draw(st.sampled_from(["notes", "ledger"]))
                action = draw(st.sampled_from(["read", "write"])) if resource == "notes" else "read"
                steps.append(
                    {"action": action, "resource": resource, "duration": "1s", "probability": draw(probabilities)}
                )
        task: dict[str, Any] = {"id": f"t{index}", "agent": draw(st.sampled_from(["bot", "aide"])), "steps": steps}
        if draw(st.booleans()):
            task["arrival"] = {"rate": draw(rates)}
        types.append(task)
    threats = [
        {
            "id": f"x{index}",
            "kind": "prompt_injection",
            "target": "bot",
            "rate": draw(rates),
            "detection_delay": draw(st.sampled_from(["1m", "1h", "1d"])),
        }
        for index in range(draw(st.integers(0, 2)))
    ]
    data: dict[str, Any] = {
        "agents": [{"id": "bot", "roles": ["reader"]}, {"id": "aide", "roles": ["reader"]}],
        "datasets": [
            {"id": "notes", "sensitivity": "internal", "hijacks_readers": draw(st.sampled_from([0.0, 0.5, 1.0]))},
            {"id": "ledger", "sensitivity": "confidential", "value": 2},
        ],
        "workload": {"task_types": types},
        "threats": threats,
        "attacker": {"action_interval": draw(st.sampled_from(["1s", "1m"])), "retry_interval": "5m"},
        "simulation": {"horizon": draw(horizons), "replications": draw(st.integers(1, 3)), "seed": 1},
    }
    if draw(st.booleans()):
        data["revocation_triggers"] = [{"identity": "bot", "event": "anomaly_detected"}]
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios(), design=st.sampled_from(["static_rbac", "rbac_step_up", "jit"]))
def test_a_scenario_that_validates_finishes_within_its_budget_or_is_refused(data: dict[str, Any], design: str):
    scenario = tiny(**data)
    try:
        check_work(scenario, designs=1, max_events=BUDGET)
    except ScenarioError as refused:
        assert estimate_work(scenario, designs=1).total > BUDGET
        assert all(p.code == "work-budget" for p in refused.problems)
        return
    with counting_events() as events:
        simulate(scenario, controls=[design], max_events=BUDGET)
    assert events[0] <= SIMPY_EVENTS_PER_UNIT * BUDGET
