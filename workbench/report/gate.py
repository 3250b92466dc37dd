"""The CI gate: which findings block a build at a `--fail-on` level.

A finding blocks when its severity is at or above the level and no (unexpired) accepted risk covers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from workbench.report.data import SEVERITIES, FindingView

__all__ = ["FAIL_ON_LEVELS", "FailOn", "blocking_findings"]

FailOn = Literal["none", "low", "medium", "high", "critical"]
FAIL_ON_LEVELS: tuple[FailOn, ...] = ("none", "low", "medium", "high", "critical")


def blocking_findings(findings: Iterable[FindingView], fail_on: FailOn) -> list[FindingView]:
    """Open findings at or above `fail_on` (none for 'none'), in the order given.

    >>> blocking_findings([], "high")
    []
    """
    if fail_on == "none":
        return []
    threshold = SEVERITIES.index(fail_on)
    return [f for f in findings if not f.suppressed and SEVERITIES.index(f.severity) >= threshold]
