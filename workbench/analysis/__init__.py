"""Simulation records as tidy DataFrames; `simulate()` over designs and replications; `compare()`; audits."""

from workbench.analysis.audit import AgentState, Holding
from workbench.analysis.cascades import CASCADE_COLUMNS, cascades, worst_cascade
from workbench.analysis.compare import COMPARE_COLUMNS, compare, mean_ci
from workbench.analysis.executors import ExecutorError, JobError
from workbench.analysis.frames import (
    COMPROMISE_COLUMNS,
    EVENT_COLUMNS,
    ID_COLUMNS,
    PRIVILEGE_COLUMNS,
    RUN_COLUMNS,
    SERVICE_COLUMNS,
    TASK_COLUMNS,
    compromises_frame,
    events_frame,
    privileges_frame,
    runs_frame,
    services_frame,
    tasks_frame,
)
from workbench.analysis.grid import SweepError
from workbench.analysis.pareto import pareto_frontier, sweep_summary
from workbench.analysis.result import HEADLINE_METRICS, SimulationResult, state_at
from workbench.analysis.simulate import SimulationParameterError, replication_seeds, simulate
from workbench.analysis.sweep import sweep
from workbench.sim.engine import run_replication

__all__ = [
    "CASCADE_COLUMNS",
    "COMPARE_COLUMNS",
    "COMPROMISE_COLUMNS",
    "EVENT_COLUMNS",
    "HEADLINE_METRICS",
    "ID_COLUMNS",
    "PRIVILEGE_COLUMNS",
    "RUN_COLUMNS",
    "SERVICE_COLUMNS",
    "TASK_COLUMNS",
    "AgentState",
    "ExecutorError",
    "Holding",
    "JobError",
    "SimulationParameterError",
    "SimulationResult",
    "SweepError",
    "cascades",
    "compare",
    "compromises_frame",
    "events_frame",
    "mean_ci",
    "pareto_frontier",
    "privileges_frame",
    "replication_seeds",
    "run_replication",
    "runs_frame",
    "services_frame",
    "simulate",
    "state_at",
    "sweep",
    "sweep_summary",
    "tasks_frame",
    "worst_cascade",
]
