"""The verdict: which design the numbers favour under the budget, how sure, and what would change it."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from workbench.analysis.sensitivity import perturbed
from workbench.analysis.verdict import SensitivityRow, decide
from workbench.errors import ScenarioError
from workbench.model import Budget, load_scenario, parse_scenario


def runs(**exposure: list[float]) -> pd.DataFrame:
    """A run frame: per design its exposure per replication; cost metrics fixed (override per test)."""
    rows = [
        {
            "control": design,
            "replication": r,
            "exposure_score_h": value,
            "latency_p95_s": 60.0,
            "approver_utilisation": 0.1,
            "denied_rate": 0.0,
        }
        for design, values in exposure.items()
        for r, value in enumerate(values)
    ]
    return pd.DataFrame(rows)


def test_a_design_lower_on_every_seed_is_the_clear_winner() -> None:
    frame = runs(static=[100.0, 120.0, 90.0, 110.0], jit=[20.0, 25.0, 18.0, 30.0], cedar=[40.0, 45.0, 35.0, 50.0])
    verdict = decide(frame, Budget())
    assert (verdict.status, verdict.design, verdict.replications) == ("winner", "jit", 4)
    assert [c.design for c in verdict.contrasts] == ["cedar", "static"], "runner-up first"
    assert all(c.separated for c in verdict.contrasts)
    assert verdict.contrasts[0].diff == pytest.approx(19.25)  # paired: mean of (40-20, 45-25, 35-18, 50-30)
    assert verdict.tied == () and verdict.runner_up == "cedar"
    assert verdict.leader_ci_low <= verdict.leader_mean <= verdict.leader_ci_high


def test_overlapping_intervals_give_no_clear_winner() -> None:
    # jit is lower on average, but cedar beats it on two of four seeds: the paired interval includes zero.
    frame = runs(static=[100.0, 100.0, 100.0, 100.0], jit=[20.0, 30.0, 22.0, 28.0], cedar=[25.0, 26.0, 27.0, 24.0])
    verdict = decide(frame, Budget())
    assert (verdict.status, verdict.design) == ("no_clear_winner", "jit")
    assert verdict.tied == ("jit", "cedar"), "static is clearly worse, so not among the tied"
    cedar = verdict.contrasts[0]
    assert cedar.diff_ci_low <= 0 <= cedar.diff_ci_high


def test_identical_designs_are_not_a_win() -> None:
    verdict = decide(runs(jit=[5.0, 6.0, 7.0], cedar=[5.0, 6.0, 7.0]), Budget())
    assert verdict.status == "no_clear_winner" and verdict.tied == ("jit", "cedar")


def test_a_design_over_budget_is_not_eligible_and_the_limit_is_named() -> None:
    frame = runs(static=[100.0, 110.0, 105.0], step_up=[10.0, 12.0, 11.0], jit=[40.0, 42.0, 41.0])
    frame.loc[frame["control"] == "step_up", "latency_p95_s"] = [1900.0, 2100.0, 2000.0]
    verdict = decide(frame, Budget(latency_p95=600.0))
    assert (verdict.status, verdict.design) == ("winner", "jit"), "the lowest exposure breaks the budget"
    assert verdict.eligible == ("static", "jit")
    [breach] = verdict.breaches
    assert (breach.design, breach.metric, breach.limit_field, breach.limit) == (
        "step_up",
        "latency_p95_s",
        "latency_p95",
        600.0,
    )
    assert breach.mean == pytest.approx(2000.0)
    assert decide(frame, Budget()).design == "step_up", "without the limit it would win"


def test_every_limit_of_the_budget_is_checked() -> None:
    frame = runs(a=[1.0, 1.0], b=[2.0, 2.0], c=[3.0, 3.0])
    frame.loc[frame["control"] == "a", "approver_utilisation"] = 0.95
    frame.loc[frame["control"] == "b", "denied_rate"] = 0.2
    verdict = decide(frame, Budget(approver_utilisation=0.8, denied_rate=0.05))
    assert [(b.design, b.metric) for b in verdict.breaches] == [("a", "approver_utilisation"), ("b", "denied_rate")]
    assert (verdict.status, verdict.design, verdict.contrasts) == ("winner", "c", ()), "alone within budget"


def test_nothing_within_budget_is_said_so() -> None:
    frame = runs(a=[1.0, 2.0], b=[2.0, 3.0])
    verdict = decide(frame, Budget(latency_p95=30.0))
    assert (verdict.status, verdict.design) == ("none_eligible", "")
    assert {b.design for b in verdict.breaches} == {"a", "b"}


def test_a_design_without_tasks_breaks_no_latency_limit() -> None:
    frame = runs(a=[1.0, 2.0], b=[5.0, 6.0])
    frame.loc[frame["control"] == "a", "latency_p95_s"] = math.nan
    assert decide(frame, Budget(latency_p95=30.0)).design == "a"


def test_one_replication_is_never_a_clear_win() -> None:
    verdict = decide(runs(a=[1.0], b=[9.0]), Budget())
    assert verdict.status == "no_clear_winner", "one replication has no interval"


def test_the_most_sensitive_assumption_is_the_one_that_flips_or_narrows_the_lead_most() -> None:
    verdict = decide(runs(a=[1.0, 1.1, 0.9], b=[5.0, 5.2, 4.9]), Budget())
    rows = [
        SensitivityRow("compromise rate", 2.0, 2.0, 8.0, 6.0, 4.0),
        SensitivityRow("detection delay", 2.0, 6.0, 5.0, -1.0, 4.0),
        SensitivityRow("detection delay", 0.5, 1.0, 3.0, 2.0, 4.0),
    ]
    worst = verdict.with_sensitivity(rows, 3).most_sensitive
    assert worst is not None and (worst.parameter, worst.factor, worst.flips) == ("detection delay", 2.0, True)
    already_behind = SensitivityRow("detection delay", 2.0, 6.0, 5.0, -3.0, -1.0)
    assert not already_behind.flips and already_behind.shift == -2.0, "no flip where the seeds already disagree"


def test_perturbations_scale_the_threat_assumptions_one_at_a_time(repo: Path) -> None:
    scenario = load_scenario(repo / "scenarios" / "customer-support.yaml")
    variants = {(parameter, factor): s for parameter, factor, s in perturbed(scenario)}
    assert set(variants) == {
        (p, f)
        for p in (
            "compromise rate",
            "detection delay",
            "attacker action interval",
            "approvers fooled (1 − rejects_malicious)",
        )
        for f in (0.5, 2.0)
    }
    rated = next(t for t in scenario.threats if t.rate)
    doubled = variants[("compromise rate", 2.0)]
    assert next(t for t in doubled.threats if t.id == rated.id).rate == pytest.approx(2 * (rated.rate or 0))
    assert doubled.attacker == scenario.attacker and doubled.services == scenario.services, "only the one changes"
    halved = variants[("detection delay", 0.5)].threats[0].detection_delay
    original = scenario.threats[0].detection_delay
    assert halved.model_dump()["median"] == pytest.approx(original.model_dump()["median"] / 2)
    slower = variants[("attacker action interval", 2.0)].attacker.action_interval
    assert slower == pytest.approx(2 * scenario.attacker.action_interval)
    pool = variants[("approvers fooled (1 − rejects_malicious)", 2.0)].services.approver_pools[0]
    fooled = 1 - scenario.services.approver_pools[0].rejects_malicious
    assert 1 - pool.rejects_malicious == pytest.approx(min(1.0, 2 * fooled))
    assert variants[("detection delay", 2.0)].base_dir == scenario.base_dir, "policy files still resolve"


def test_a_bad_budget_is_located_in_the_file() -> None:
    text = "schema_version: 1\nname: b\nas_of: 2026-01-01\nbudget:\n  latency_p95: 0s\n  denied_rate: 1.5\n"
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, filename="b.yaml")
    message = str(caught.value)
    assert "b.yaml:5:" in message and "b.yaml:6:" in message
