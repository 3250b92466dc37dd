"""Arrivals that follow the clock or the record: profile thinning against its closed form, exact replay,
and empirical step durations drawn from what was observed."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError
from scipy import stats
from test_sim_support import tiny

from workbench.analysis import simulate
from workbench.model import Scenario
from workbench.model.common import Empirical
from workbench.model.workload import Arrival, ArrivalProfile
from workbench.sim.budget import estimate_work
from workbench.sim.streams import make_sampler, quantile

HOURLY = [0.0] * 6 + [20 / 3600] * 3 + [60 / 3600] * 8 + [30 / 3600] * 5 + [5 / 3600] * 2
"""Quiet nights, a morning ramp, a busy working day, a tail in the evening (events per second)."""
WEEKDAY = [1.0, 0.0, 2.0, 1.0, 1.0, 0.5, 0.5]


def with_arrival(arrival: dict, horizon: str = "3d", replications: int = 20, duration="1s") -> Scenario:
    return tiny(
        workload={
            "task_types": [
                {
                    "id": "work",
                    "agent": "bot",
                    "arrival": arrival,
                    "steps": [{"action": "read", "resource": "notes", "duration": duration}],
                }
            ]
        },
        controls=[{"kind": "static_rbac"}],
        simulation={"horizon": horizon, "replications": replications, "seed": 3},
    )


def arrivals_of(scenario: Scenario) -> np.ndarray:
    tasks = simulate(scenario).tasks
    return tasks["arrival_s"].to_numpy()


def test_profile_expected_count_is_the_integral_of_the_rate():
    profile = ArrivalProfile(hourly=HOURLY, weekday=WEEKDAY)
    day = sum(HOURLY) * 3600
    assert profile.expected(0, 86400) == pytest.approx(day)
    assert profile.expected(0, 3 * 86400) == pytest.approx(day * (1 + 0 + 2))
    # half an hour at 09:30 on Wednesday, at 60/h doubled
    assert profile.expected(2 * 86400 + 9.5 * 3600, 2 * 86400 + 10 * 3600) == pytest.approx(60)
    assert profile.peak == pytest.approx(120 / 3600)


def test_profile_expected_count_over_a_century_is_whole_weeks_plus_the_rest():
    # A horizon of 100 years is valid; the count is weeks × the week's total plus a day and a half, by hand.
    profile = ArrivalProfile(hourly=HOURLY, weekday=WEEKDAY)
    day = sum(HOURLY) * 3600
    week = day * sum(WEEKDAY)
    weeks = 5_200
    # Monday (×1) whole, then Tuesday (×0) until noon
    assert profile.expected(0, weeks * 7 * 86400 + 1.5 * 86400) == pytest.approx(weeks * week + day)
    assert profile.expected(3 * 86400, 3 * 86400) == 0.0


def test_profile_thinning_matches_expected_counts_hour_by_hour():
    profile = ArrivalProfile(hourly=HOURLY, weekday=WEEKDAY)
    scenario = with_arrival({"profile": profile.model_dump()})
    times = arrivals_of(scenario)
    replications = scenario.simulation.replications
    hours = np.arange(72)
    expected = np.array([profile.expected(h * 3600.0, (h + 1) * 3600.0) for h in hours]) * replications
    observed = np.bincount((times // 3600).astype(int), minlength=72)[:72]
    # Hours whose rate is zero (nights, the whole of Tuesday) never see a task: thinning rejects every candidate.
    assert observed[expected == 0].sum() == 0
    assert expected.sum() > 0
    total = expected.sum()
    assert abs(observed.sum() - total) < 4 * np.sqrt(total)  # Poisson: the variance is the mean
    busy = expected > 0
    _, p_value = stats.chisquare(observed[busy], expected[busy] * observed.sum() / total)
    assert p_value > 0.001, p_value


def test_profile_counts_per_replication_are_poisson():
    # A flat profile is a homogeneous Poisson process: counts per replication have mean = variance = λT.
    profile = {"hourly": [30 / 3600] * 24}
    scenario = with_arrival({"profile": profile}, horizon="1d", replications=60)
    tasks = simulate(scenario).tasks
    counts = tasks.groupby("replication").size().reindex(range(60), fill_value=0).to_numpy()
    assert counts.mean() == pytest.approx(720, rel=4 / np.sqrt(720 * 60))
    assert counts.var(ddof=1) == pytest.approx(720, rel=0.45)  # 2.4 standard errors of a variance of 60 counts


def test_replay_simulates_the_recorded_arrivals_exactly():
    recorded = [0.0, 0.25, 3600.0, 3600.0, 7200.5, 86399.0, 86500.0]  # two at the same instant; one past the end
    scenario = with_arrival(
        {"replay": {"origin": "2026-11-30T00:00:00Z", "times": recorded}}, horizon="1d", replications=3
    )
    tasks = simulate(scenario).tasks
    for _replication, group in tasks.groupby("replication"):
        assert sorted(group["arrival_s"]) == [t for t in recorded if t < 86400 - 1]  # ended before the horizon
    assert estimate_work(scenario).drivers[0].events == pytest.approx(2 * 6)  # 6 inside the horizon × 2 events


def test_replay_refuses_unordered_times_and_naive_origins():
    with pytest.raises(ValidationError, match="in order"):
        Arrival(replay={"origin": "2026-11-30T00:00:00Z", "times": [5, 1]})
    with pytest.raises(ValidationError, match="time zone"):
        Arrival(replay={"origin": "2026-11-30T00:00:00", "times": [1]})
    with pytest.raises(ValidationError, match="exactly one"):
        Arrival(rate="1/h", profile={"hourly": [0] * 24})


def test_profile_refuses_wrong_lengths_and_rates():
    with pytest.raises(ValidationError):
        ArrivalProfile(hourly=[1] * 23)
    with pytest.raises(ValidationError):
        ArrivalProfile(hourly=[0] * 24, weekday=[1] * 6)
    with pytest.raises(ValidationError, match="limit"):
        ArrivalProfile(hourly=[900] * 24, weekday=[2] * 7)


def test_empirical_samples_draw_only_observed_values_in_proportion():
    dist = Empirical(samples=[1, 2, 2, 10])
    sampler = make_sampler(np.random.default_rng(1), dist)
    draws = np.array([sampler() for _ in range(40_000)])
    assert set(np.unique(draws)) == {1.0, 2.0, 10.0}
    assert (draws == 2).mean() == pytest.approx(0.5, abs=0.01)
    assert draws.mean() == pytest.approx(dist.mean, rel=0.02)
    inverse = quantile(dist)
    assert [inverse(u) for u in (0.01, 0.3, 0.6, 0.99)] == [1, 2, 2, 10]


def test_empirical_quantiles_interpolate_within_the_observed_range():
    dist = Empirical(quantiles=["1s", "2s", "4s", "10s"])  # p0, p1/3, p2/3, p1
    assert dist.mean == pytest.approx(((1 + 2) + (2 + 4) + (4 + 10)) / 6)
    sampler = make_sampler(np.random.default_rng(2), dist)
    draws = np.array([sampler() for _ in range(60_000)])
    assert draws.min() >= 1 and draws.max() <= 10
    assert np.quantile(draws, [1 / 3, 2 / 3]) == pytest.approx([2, 4], rel=0.02)
    assert draws.mean() == pytest.approx(dist.mean, rel=0.01)
    inverse = quantile(dist)
    assert inverse(0.5) == pytest.approx(3.0)


def test_empirical_refuses_both_forms_and_decreasing_quantiles():
    with pytest.raises(ValidationError, match="exactly one"):
        Empirical(samples=[1], quantiles=[1, 2])
    with pytest.raises(ValidationError, match="decrease"):
        Empirical(quantiles=[2, 1])
    with pytest.raises(ValidationError, match="at least two"):
        Empirical(quantiles=[2])


def test_empirical_step_durations_reach_the_simulation():
    scenario = with_arrival(
        {"at": ["1s", "2s", "3s"]}, duration={"dist": "empirical", "samples": ["7s", "9s"]}, replications=4
    )
    tasks = simulate(scenario).tasks
    assert set(tasks["work_s"]) <= {7.0, 9.0}
    assert len(tasks) == 12
