"""The simulation: the only package that imports simpy.

Tasks, governance services (token service, policy decision point, approver pools), threats and the
attacker run as SimPy processes on one environment per run; results are flat records (records.py).
"""

from workbench.sim.engine import ReplicationOutput, design_for, run_replication, standing_source
from workbench.sim.reach import ReachIndex
from workbench.sim.records import (
    EVENT_KINDS,
    RUN_METRICS,
    CompromiseRecord,
    Event,
    PrivilegeRecord,
    ServiceRecord,
    TaskRecord,
)

__all__ = [
    "EVENT_KINDS",
    "RUN_METRICS",
    "CompromiseRecord",
    "Event",
    "PrivilegeRecord",
    "ReachIndex",
    "ReplicationOutput",
    "ServiceRecord",
    "TaskRecord",
    "design_for",
    "run_replication",
    "standing_source",
]
