"""`SimulationResult`: the runs of every design and replication, as DataFrames, comparisons and audits."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from workbench.analysis.audit import AgentState, state_of_run
from workbench.analysis.cascades import cascades
from workbench.analysis.compare import compare
from workbench.analysis.curves import PERCENTILES, TIME_POINTS, exposure_curves, held_blast_radius, latency_curves
from workbench.analysis.frames import (
    compromises_frame,
    events_frame,
    privileges_frame,
    runs_frame,
    services_frame,
    tasks_frame,
)
from workbench.model import BASELINE_KIND, Scenario
from workbench.sim.engine import ReplicationOutput
from workbench.sim.metrics import HEADLINE_METRICS, metric

__all__ = ["HEADLINE_METRICS", "SimulationResult", "state_at"]


@dataclass(eq=False, repr=False)
class SimulationResult:
    """Every run of a simulation; frames are built on first use."""

    scenario: Scenario
    runs: list[ReplicationOutput]
    controls: list[str]
    replications: int
    seed: int
    keep_records: bool = True
    baseline: str = field(default=BASELINE_KIND)

    @classmethod
    def from_runs(
        cls, scenario: Scenario, runs: list[ReplicationOutput], *, seed: int | None = None
    ) -> SimulationResult:
        """Assemble runs made elsewhere (e.g. `run_replication` in a process or dask pool) into one result."""
        ordered = sorted(runs, key=lambda out: (out.control, out.replication))
        controls = list(dict.fromkeys(out.control for out in runs))
        ordered = sorted(ordered, key=lambda out: controls.index(out.control))
        replications = len({out.replication for out in runs})
        static = [out.control for out in ordered if out.kind == BASELINE_KIND]
        baseline = static[0] if static else (controls[0] if controls else BASELINE_KIND)
        keep = all(out.keep_records for out in runs)
        root = seed if seed is not None else (runs[0].seed if runs else scenario.simulation.seed)
        return cls(scenario, ordered, controls, replications, root, keep, baseline)

    @cached_property
    def events(self) -> pd.DataFrame:
        """The event log of every run (tokens, approvals, denials, compromises, attacks)."""
        return events_frame(self.runs)

    @cached_property
    def tasks(self) -> pd.DataFrame:
        """One row per ended task."""
        return tasks_frame(self.runs)

    @cached_property
    def compromises(self) -> pd.DataFrame:
        """One row per compromise: reach, damage, exposure, dwell."""
        return compromises_frame(self.runs)

    @cached_property
    def services(self) -> pd.DataFrame:
        """Load on the token service, policy decision point and approver pools, per run."""
        return services_frame(self.runs)

    @cached_property
    def privileges(self) -> pd.DataFrame:
        """Standing and token privilege-seconds per identity and run."""
        return privileges_frame(self.runs)

    @cached_property
    def cascades(self) -> pd.DataFrame:
        """One row per cascade: a threat's compromise and all that spread from it, with summed exposure."""
        return cascades(self.compromises)

    def summary(self) -> pd.DataFrame:
        """One row per run (design × replication) with every run metric."""
        return runs_frame(self.runs)

    def compare(self, *, baseline: str | None = None, metrics: list[str] | None = None) -> pd.DataFrame:
        """Mean and 95% CI per design and metric, with the paired difference and ratio to the baseline."""
        return compare(self.summary(), baseline=baseline or self.baseline, metrics=metrics)

    def latency_curves(self, percentiles: Sequence[float] = PERCENTILES) -> pd.DataFrame:
        """Percentiles of root-task latency per design, pooled over replications (`control`, `percentile`,
        `latency_s`)."""
        return latency_curves(self.tasks, self.controls, percentiles=percentiles)

    def exposure_curves(self, points: int = TIME_POINTS) -> pd.DataFrame:
        """Mean cumulative exposure over the horizon per design (`control`, `time_h`, `exposure_score_h`)."""
        horizon_s = float(self.scenario.simulation.horizon)
        return exposure_curves(
            self.compromises, self.controls, replications=self.replications, horizon_s=horizon_s, points=points
        )

    def held_blast_radius(self, identities: Sequence[str] | None = None) -> pd.DataFrame:
        """Time-averaged score of what each identity (default: every agent) holds under each design
        (`identity`, `control`, `held_score`): what a thief of its credentials gets."""
        chosen = list(identities) if identities is not None else [agent.id for agent in self.scenario.agents]
        horizon_s = float(self.scenario.simulation.horizon)
        return held_blast_radius(
            self.privileges, self.controls, chosen, replications=self.replications, horizon_s=horizon_s
        )

    def run(self, control: str, replication: int = 0) -> ReplicationOutput:
        """The output of one run."""
        for out in self.runs:
            if out.control == control and out.replication == replication:
                return out
        raise KeyError(f"no run of design '{control}', replication {replication}")

    def state_at(self, agent: str, time_s: float, *, control: str | None = None, replication: int = 0) -> AgentState:
        """What `agent` could do at `time_s` (first design unless `control` is given), on which credential."""
        return state_of_run(self.scenario, self.run(control or self.controls[0], replication), agent, time_s)

    def __repr__(self) -> str:
        return (
            f"SimulationResult(scenario={self.scenario.name!r}, controls={self.controls!r}, "
            f"replications={self.replications}, seed={self.seed}, keep_records={self.keep_records})"
        )

    def _repr_html_(self) -> str:
        table = self.compare(metrics=list(HEADLINE_METRICS))
        if table.empty:
            return "<p>No runs.</p>"
        cells = table.assign(
            value=[_fmt(m, lo, hi) for m, lo, hi in zip(table["mean"], table["ci_low"], table["ci_high"], strict=True)]
        ).pivot(index="metric", columns="control", values="value")
        cells = cells.loc[list(HEADLINE_METRICS), self.controls]
        cells.index = [metric(name).heading for name in cells.index]
        title = html.escape(self.scenario.title or self.scenario.name)
        caption = (
            f"<p><b>{title}</b>: {len(self.controls)} designs × {self.replications} replications, seed {self.seed}; "
            f"mean [95% CI]. Frames: <code>.summary()</code>, <code>.compare()</code>, <code>.tasks</code>, "
            f"<code>.events</code>, <code>.compromises</code>, <code>.services</code>, <code>.privileges</code>.</p>"
        )
        return caption + cells.to_html(escape=True)


def _fmt(mean: float, low: float, high: float) -> str:
    if mean != mean:  # NaN
        return "–"
    if low != low:
        return f"{mean:.4g}"
    return f"{mean:.4g} [{low:.3g}, {high:.3g}]"


def state_at(
    result_or_run: SimulationResult | ReplicationOutput,
    agent: str,
    time_s: float,
    *,
    scenario: Scenario | None = None,
    control: str | None = None,
    replication: int = 0,
) -> AgentState:
    """What `agent` could do at `time_s`, on which credential, approved by whom and for which purpose.

    Pass a `SimulationResult` (choose the run with `control` and `replication`), or one run's output with
    the `scenario` it was made from.
    """
    if isinstance(result_or_run, SimulationResult):
        return result_or_run.state_at(agent, time_s, control=control, replication=replication)
    if scenario is None:
        raise ValueError("state_at on a single run needs the scenario it was made from")
    return state_of_run(scenario, result_or_run, agent, time_s)
