"""Reports: Markdown, self-contained HTML, results.json, SARIF and SVG figures, rendered from one
`ReportData` per scenario and written atomically.

The pipeline is collect -> render -> write, each a separate step so that nothing touches the disk until
every file of every scenario rendered:

>>> from workbench.model import load_scenario                                  # doctest: +SKIP
>>> data = collect(load_scenario("scenarios/customer-support.yaml"))             # doctest: +SKIP
>>> files = render_reports([data])            # {"customer-support/report.md": b"...", ...}  # doctest: +SKIP
>>> write_files("reports", files)                                                # doctest: +SKIP

Heavy layers (simulation, findings, matplotlib) load only when `collect` or a renderer is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.report.assemble import collect
    from workbench.report.atomic import atomic_write_bytes, atomic_write_text
    from workbench.report.batch import report_scenarios
    from workbench.report.data import ReportData
    from workbench.report.diff import ResultsDiff, diff_results, results_of
    from workbench.report.documents import render_report, render_reports
    from workbench.report.gate import FAIL_ON_LEVELS, FailOn, blocking_findings
    from workbench.report.results_json import FORMAT_VERSION, ResultsFormatError, read_results, results_document
    from workbench.report.sarif import sarif_document
    from workbench.report.write import write_files

_HOME: dict[str, str] = {
    "atomic_write_bytes": "workbench.report.atomic",
    "atomic_write_text": "workbench.report.atomic",
    "collect": "workbench.report.assemble",
    "report_scenarios": "workbench.report.batch",
    "ReportData": "workbench.report.data",
    "ResultsDiff": "workbench.report.diff",
    "diff_results": "workbench.report.diff",
    "results_of": "workbench.report.diff",
    "render_report": "workbench.report.documents",
    "render_reports": "workbench.report.documents",
    "FAIL_ON_LEVELS": "workbench.report.gate",
    "FailOn": "workbench.report.gate",
    "blocking_findings": "workbench.report.gate",
    "FORMAT_VERSION": "workbench.report.results_json",
    "ResultsFormatError": "workbench.report.results_json",
    "read_results": "workbench.report.results_json",
    "results_document": "workbench.report.results_json",
    "sarif_document": "workbench.report.sarif",
    "write_files": "workbench.report.write",
}
"""Module each public name lives in; imported on first use so `report.atomic` stays cheap for the CLI.
No module is named like a public name: importing the module would shadow the name on the package."""

__all__ = [
    "FAIL_ON_LEVELS",
    "FORMAT_VERSION",
    "FailOn",
    "ReportData",
    "ResultsDiff",
    "ResultsFormatError",
    "atomic_write_bytes",
    "atomic_write_text",
    "blocking_findings",
    "collect",
    "diff_results",
    "read_results",
    "render_report",
    "render_reports",
    "report_scenarios",
    "results_document",
    "results_of",
    "sarif_document",
    "write_files",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'workbench.report' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
