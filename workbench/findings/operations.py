"""Rules over a simulation result, one finding per control design: queues, token lifetimes, exposure.

WB201 approver queue saturated, WB202 tokens living far longer than their tasks, WB203 compromise exposure
above threshold. They read the result's DataFrames by column name (see `workbench.analysis.frames`; this
layer may not import the simulation, so the names are declared here and a test checks them against it):
`result.services` for approver pools, `result.summary()` (one row per design × replication) for the rest,
which is kept even when a simulation drops its per-task records. A missing table or column is a RuleError.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from workbench.errors import RuleError
from workbench.findings.context import RuleContext
from workbench.findings.finding import Finding
from workbench.model import Control, format_duration

__all__ = [
    "SERVICE_COLUMNS_READ",
    "SUMMARY_COLUMNS_READ",
    "exposure_above_threshold",
    "long_lived_tokens",
    "saturated_approver_queue",
]

SERVICE_COLUMNS_READ: tuple[str, ...] = ("control", "service", "requests", "utilisation", "wait_p95_s")
"""Columns of `result.services` that WB201 reads."""

SUMMARY_COLUMNS_READ: tuple[str, ...] = ("control", "replication", "latency_mean_s", "compromises", "exposure_score_h")
"""Columns of `result.summary()` that WB202 and WB203 read."""

APPROVER_POOL_SERVICE = "approver_pool:{}"
"""How the service frame names an approver pool."""


def saturated_approver_queue(ctx: RuleContext) -> Iterator[Finding]:
    """WB201: a pool's p95 wait, averaged over replications, above its sla_p95, per design.

    Pools without an SLA, and designs that never used the pool, are skipped.
    """
    services = _table(ctx, "WB201", "services", SERVICE_COLUMNS_READ)
    for index, pool in enumerate(ctx.scenario.services.approver_pools):
        if pool.sla_p95 is None:
            continue
        rows = services[services["service"] == APPROVER_POOL_SERVICE.format(pool.id)]
        for control, runs in _by_control(ctx, "WB201", rows):
            if runs["requests"].sum() == 0:
                continue
            p95 = float(runs["wait_p95_s"].mean())
            if not p95 > pool.sla_p95:
                continue
            yield ctx.finding(
                "WB201",
                pool.id,
                f"Under design '{control}', approver pool '{pool.id}' makes requests wait "
                f"{format_duration(p95)} at the 95th percentile (mean over {len(runs)} run(s)), above its SLA "
                f"of {format_duration(pool.sla_p95)}.",
                key={"control": control},
                evidence={
                    "wait_p95_s": p95,
                    "sla_p95_s": pool.sla_p95,
                    "requests": int(runs["requests"].sum()),
                    "utilisation": float(runs["utilisation"].mean()),
                    "runs": len(runs),
                },
                at=("services", "approver_pools", index, "sla_p95"),
            )


def long_lived_tokens(ctx: RuleContext) -> Iterator[Finding]:
    """WB202: token TTL over the mean task duration above thresholds.token_lifetime_ratio, per token design.

    Standing designs issue no tokens (their credentials are judged by WB102/WB103). The mean task duration
    is the mean over replications of each run's mean root-task latency (arrival to end).
    """
    summary = _table(ctx, "WB202", "summary", SUMMARY_COLUMNS_READ)
    limit = ctx.scenario.thresholds.token_lifetime_ratio
    for control, runs in _by_control(ctx, "WB202", summary):
        ttl = _control(ctx, control).token_lifetime
        duration = float(runs["latency_mean_s"].mean())
        if ttl is None or not duration > 0:
            continue
        ratio = ttl / duration
        if not ratio > limit:
            continue
        yield ctx.finding(
            "WB202",
            control,
            f"Under design '{control}', tokens live {format_duration(ttl)}, {ratio:.3g} times the mean task "
            f"duration of {format_duration(duration)} (limit {limit:g} times).",
            evidence={"token_ttl_s": ttl, "task_mean_s": duration, "ratio": ratio, "limit": limit},
            at=(*_control_path(ctx, control), "token_ttl"),
            entity_kind="control",
        )


def exposure_above_threshold(ctx: RuleContext) -> Iterator[Finding]:
    """WB203: mean exposure per compromise (total score-hours over all compromises of the design's runs,
    divided by their number) above thresholds.exposure. Designs whose runs saw no compromise are skipped."""
    summary = _table(ctx, "WB203", "summary", SUMMARY_COLUMNS_READ)
    limit = ctx.scenario.thresholds.exposure
    for control, runs in _by_control(ctx, "WB203", summary):
        compromises = int(runs["compromises"].sum())
        if compromises == 0:
            continue
        mean = float(runs["exposure_score_h"].sum()) / compromises
        if not mean > limit:
            continue
        yield ctx.finding(
            "WB203",
            control,
            f"Under design '{control}', a compromise exposes {mean:.4g} score-hours on average over "
            f"{compromises} compromise(s), above the threshold of {limit:g}.",
            evidence={"exposure_mean_score_h": mean, "compromises": compromises, "runs": len(runs), "limit": limit},
            at=_control_path(ctx, control),
            entity_kind="control",
        )


# -- reading the result -------------------------------------------------------------------------------------


def _table(ctx: RuleContext, rule_id: str, name: str, columns: Sequence[str]) -> pd.DataFrame:
    """A table of the simulation result, checked to have the columns the rule reads."""
    if ctx.simulation is None:
        raise RuleError(f"{rule_id}: needs a simulation result, and none was given")
    table: Any = getattr(ctx.simulation, name, None)
    if callable(table):
        table = table()
    if not isinstance(table, pd.DataFrame):
        raise RuleError(f"{rule_id}: the simulation result has no '{name}' table")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise RuleError(f"{rule_id}: the simulation result's '{name}' table lacks column(s) {', '.join(missing)}")
    return table


def _by_control(ctx: RuleContext, rule_id: str, table: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """Rows per design, designs in scenario order; a design the scenario does not declare is an error."""
    labels = ctx.scenario.control_labels
    unknown = sorted(set(table["control"]) - set(labels))
    if unknown:
        raise RuleError(f"{rule_id}: the simulation result has design(s) the scenario lacks: {', '.join(unknown)}")
    for label in labels:
        rows = table[table["control"] == label]
        if not rows.empty:
            yield label, rows


def _control(ctx: RuleContext, label: str) -> Control:
    return ctx.scenario.controls[ctx.scenario.control_labels.index(label)]


def _control_path(ctx: RuleContext, label: str) -> tuple[str | int, ...]:
    return ("controls", ctx.scenario.control_labels.index(label))
