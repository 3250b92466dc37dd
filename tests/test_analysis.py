"""Frames, comparisons, audits and the notebook view of simulation results."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from test_sim_support import anomaly_approved, tiny

from workbench.analysis import (
    COMPARE_COLUMNS,
    ID_COLUMNS,
    SimulationResult,
    compare,
    mean_ci,
    simulate,
    state_at,
)
from workbench.sim import RUN_METRICS, run_replication


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    scenario = tiny(
        workload={
            "task_types": [
                {
                    "id": "note",
                    "agent": "bot",
                    "arrival": {"rate": "30/h"},
                    "steps": [
                        {"action": "read", "resource": "notes", "duration": {"dist": "exponential", "mean": "20s"}},
                        {"action": "read", "resource": "ledger", "duration": "5s", "probability": 0.2},
                    ],
                }
            ]
        },
        threats=[{"id": "inj", "kind": "prompt_injection", "target": "bot", "rate": "4/d", "detection_delay": "1h"}],
        revocation_triggers=[{"identity": "bot", "event": "anomaly_detected", "latency": "5m"}],
        approvals=[
            {
                "id": "ok-notes",
                "agent": "bot",
                "approver": "hana",
                "business_purpose": "keep notes",
                "scope": [{"action": "read", "resource": "notes"}],
                "granted": "2025-06-01",
            }
        ],
    )
    return simulate(scenario, replications=4, seed=2)


def test_every_frame_leads_with_the_run_identity(result):
    frames = {
        "summary": result.summary(),
        "tasks": result.tasks,
        "events": result.events,
        "compromises": result.compromises,
        "services": result.services,
        "privileges": result.privileges,
    }
    for name, frame in frames.items():
        assert tuple(frame.columns[:4]) == ID_COLUMNS, name
        assert not frame.empty, name
        assert frame["scenario"].eq("tiny").all() and frame["seed"].eq(2).all(), name
        assert all(c == c.lower() and " " not in c for c in frame.columns), name
    assert list(result.summary().columns[5:]) == list(RUN_METRICS)
    assert len(result.summary()) == 3 * 4


def test_compare_gives_t_intervals_and_paired_differences(result):
    table = result.compare()
    assert tuple(table.columns) == COMPARE_COLUMNS
    assert set(table["baseline"]) == {"static_rbac"}
    base = table[(table["control"] == "static_rbac") & (table["metric"] == "latency_mean_s")].iloc[0]
    assert (base["diff_mean"], base["ratio"]) == (0.0, 1.0)
    summary = result.summary()
    jit = summary[summary["control"] == "jit"].sort_values("replication")["latency_mean_s"].to_numpy()
    static = summary[summary["control"] == "static_rbac"].sort_values("replication")["latency_mean_s"].to_numpy()
    row = table[(table["control"] == "jit") & (table["metric"] == "latency_mean_s")].iloc[0]
    diff = jit - static
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff))
    assert row["diff_mean"] == pytest.approx(diff.mean())
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx((diff.mean() - half, diff.mean() + half))
    assert row["ratio"] == pytest.approx(jit.mean() / static.mean())
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]


def test_compare_falls_back_to_the_first_design_as_baseline(result):
    table = compare(result.summary(), baseline="nonexistent", metrics=["tasks"])
    assert set(table["baseline"]) == {"static_rbac"}
    assert len(table) == 3


def test_mean_ci_of_too_few_values():
    assert mean_ci([]) != mean_ci([]) or math.isnan(mean_ci([])[0])
    mean, low, high = mean_ci([4.0])
    assert mean == 4.0 and math.isnan(low) and math.isnan(high)


def test_state_at_names_credential_approver_and_purpose(result):
    static = result.state_at("bot", 3600.0, control="static_rbac")
    frame = static.to_frame()
    notes = frame[(frame["action"] == "read") & (frame["resource"] == "notes")].iloc[0]
    assert notes["credential"] == "role:reader"
    assert notes["approved_by"] == "hana (approval ok-notes)"
    assert notes["purpose"] == "keep notes"
    assert static.permissions == {("read", "notes"), ("write", "notes"), ("read", "ledger")}

    run = result.run("jit", 0)
    issued = next(e for e in run.events if e.kind == "token_issued" and e.purpose == "task")
    during = state_at(result, "bot", issued.time_s + 0.001, control="jit")
    tokens = [h for h in during.holdings if h.kind == "token"]
    assert issued.credential in {h.credential for h in tokens}
    assert any("token for task" in h.purpose for h in tokens)
    before = state_at(run, "bot", 1.0, scenario=result.scenario)
    assert before.permissions == frozenset()  # JIT: nothing standing, no task yet


def test_state_at_flags_a_compromised_agent(result):
    record = result.compromises.iloc[0]
    moment = (record["compromised_s"] + record["contained_s"]) / 2
    state = result.state_at("bot", moment, control=record["control"], replication=int(record["replication"]))
    assert state.compromised


def test_state_at_needs_the_event_log():
    out = run_replication(tiny(), "jit", 0, np.random.SeedSequence(1), keep_records=False)
    with pytest.raises(ValueError, match="keep_records"):
        state_at(out, "bot", 1.0, scenario=tiny())


def test_notebook_view_is_a_table_of_designs(result):
    page = result._repr_html_()
    assert "<table" in page and "jit" in page and "exposure_score_h" in page


def test_runs_made_elsewhere_assemble_into_the_same_result(result):
    from concurrent.futures import ProcessPoolExecutor

    from workbench.analysis import replication_seeds

    seeds = replication_seeds(2, 4)
    jobs = [(result.scenario, label, r, seeds[r]) for label in result.controls for r in range(4)]
    with ProcessPoolExecutor(2) as pool:
        runs = list(pool.map(run_replication, *zip(*jobs, strict=True)))
    assert {out.seed for out in runs} == {2}  # replication seeds keep the root's entropy
    assembled = SimulationResult.from_runs(result.scenario, list(reversed(runs)))
    assert set(assembled.controls) == set(result.controls) and assembled.baseline == "static_rbac"
    mine = assembled.summary().sort_values(["control", "replication"]).reset_index(drop=True)
    theirs = result.summary().sort_values(["control", "replication"]).reset_index(drop=True)
    assert mine.equals(theirs)


def test_state_at_leaves_out_an_approval_while_an_anomaly_suspends_it():
    run = run_replication(anomaly_approved(["anomaly"]), "rbac_step_up", 0, np.random.SeedSequence(1))

    def approvers(time_s: float) -> set[str]:
        state = state_at(run, "bot", time_s, scenario=anomaly_approved(["anomaly"]))
        return {a for h in state.holdings if ("read", "ledger") in h.permissions for a in h.approved_by}

    assert approvers(300.0) == {"hana (approval ledger-ok)"}  # before detection at 400 s
    assert approvers(500.0) == set()  # suspended
    assert approvers(1100.0) == {"hana (approval ledger-ok)"}  # re-approved at 1061 s
