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


def test_compare_gives_bootstrap_intervals_and_paired_differences(result):
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
    expected = stats.bootstrap(
        (diff,), np.mean, method="percentile", n_resamples=9999, rng=np.random.default_rng(0)
    ).confidence_interval
    assert row["diff_mean"] == pytest.approx(diff.mean())
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx((expected.low, expected.high))
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
    assert "<table" in page and "jit" in page and "Exposure (score-h)" in page


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


def test_intervals_of_non_negative_metrics_never_go_below_zero(result):
    table = compare(result.summary())
    bounded = table.dropna(subset=["ci_low"])
    assert not bounded.empty
    assert (bounded["ci_low"] >= 0).all(), bounded.loc[bounded["ci_low"] < 0, ["control", "metric", "ci_low"]]
    assert (bounded["ci_low"] <= bounded["mean"]).all() and (bounded["mean"] <= bounded["ci_high"]).all()


def test_bootstrap_interval_stays_in_range_where_t_does_not():
    skewed = [0.0] * 9 + [120.0]  # most weeks no damage, one week a lot
    mean, low, high = mean_ci(skewed)
    assert 0.0 <= low <= mean <= high <= 120.0
    assert mean_ci(skewed, method="t")[1] < 0.0
    assert mean_ci([3.0, 3.0, 3.0]) == (3.0, 3.0, 3.0)


def test_bootstrap_interval_is_deterministic_for_a_seed():
    values = np.random.default_rng(5).exponential(10.0, size=30)
    assert mean_ci(values) == mean_ci(values) == mean_ci(values, seed=0)
    assert mean_ci(values, seed=1) != mean_ci(values, seed=0)
    assert compare(_two_designs(), metrics=["exposure_score_h"]).equals(
        compare(_two_designs(), metrics=["exposure_score_h"])
    )


def _two_designs():
    import pandas as pd

    rng = np.random.default_rng(3)
    rows = [
        {"control": c, "replication": r, "exposure_score_h": float(rng.exponential(5.0))}
        for c in ("static_rbac", "jit")
        for r in range(8)
    ]
    return pd.DataFrame(rows)
