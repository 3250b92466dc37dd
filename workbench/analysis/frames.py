"""Simulation records as tidy DataFrames: long, snake_case, units in names, run identity on every row.

Column names come from the record NamedTuples (workbench.sim.records), so they are declared exactly once;
`ID_COLUMNS` lead every frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from workbench.sim.engine import ReplicationOutput
from workbench.sim.records import RUN_METRICS, CompromiseRecord, Event, PrivilegeRecord, ServiceRecord, TaskRecord

__all__ = [
    "COMPROMISE_COLUMNS",
    "EVENT_COLUMNS",
    "ID_COLUMNS",
    "PRIVILEGE_COLUMNS",
    "RUN_COLUMNS",
    "SERVICE_COLUMNS",
    "TASK_COLUMNS",
    "compromises_frame",
    "events_frame",
    "privileges_frame",
    "runs_frame",
    "services_frame",
    "tasks_frame",
]

ID_COLUMNS: tuple[str, ...] = ("scenario", "control", "replication", "seed")
"""The run identity carried by every row of every frame."""

TASK_COLUMNS = ID_COLUMNS + TaskRecord._fields
EVENT_COLUMNS = ID_COLUMNS + Event._fields
COMPROMISE_COLUMNS = ID_COLUMNS + CompromiseRecord._fields
SERVICE_COLUMNS = ID_COLUMNS + ServiceRecord._fields
PRIVILEGE_COLUMNS = ID_COLUMNS + PrivilegeRecord._fields
RUN_COLUMNS = (*ID_COLUMNS, "kind", *RUN_METRICS)


def _frame(outputs: Sequence[ReplicationOutput], attribute: str, fields: tuple[str, ...]) -> pd.DataFrame:
    rows: list[tuple[Any, ...]] = []
    for out in outputs:
        ident = (out.scenario, out.control, out.replication, out.seed)
        records: Iterable[tuple[Any, ...]] = getattr(out, attribute)
        rows.extend(ident + tuple(record) for record in records)
    return pd.DataFrame.from_records(rows, columns=list(ID_COLUMNS + fields))


def tasks_frame(outputs: Sequence[ReplicationOutput]) -> pd.DataFrame:
    """One row per ended task (empty for runs made with keep_records=False)."""
    return _frame(outputs, "tasks", TaskRecord._fields)


def events_frame(outputs: Sequence[ReplicationOutput]) -> pd.DataFrame:
    """The event log of every run, one row per event, in time order within a run."""
    return _frame(outputs, "events", Event._fields)


def compromises_frame(outputs: Sequence[ReplicationOutput]) -> pd.DataFrame:
    """One row per compromise."""
    return _frame(outputs, "compromises", CompromiseRecord._fields)


def services_frame(outputs: Sequence[ReplicationOutput]) -> pd.DataFrame:
    """One row per governance service per run."""
    return _frame(outputs, "services", ServiceRecord._fields)


def privileges_frame(outputs: Sequence[ReplicationOutput]) -> pd.DataFrame:
    """One row per identity per run: standing and token privilege-seconds."""
    return _frame(outputs, "privileges", PrivilegeRecord._fields)


def runs_frame(outputs: Sequence[ReplicationOutput]) -> pd.DataFrame:
    """One row per run (design × replication) with every metric of `RUN_METRICS`."""
    rows = [
        (out.scenario, out.control, out.replication, out.seed, out.kind, *(out.summary[m] for m in RUN_METRICS))
        for out in outputs
    ]
    return pd.DataFrame.from_records(rows, columns=list(RUN_COLUMNS))
