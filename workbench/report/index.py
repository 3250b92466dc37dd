"""reports/index.md: the scenarios side by side, each linking its own report.

Rows are built from each scenario's results.json document, so an index can keep the rows of scenarios that
were not part of this run (`workbench report one.yaml` into a folder holding other reports) from the
results.json beside their report, instead of shrinking to one row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from workbench.report.data import SEVERITIES, ReportData
from workbench.report.numbers import fmt, fmt_count, fmt_ratio
from workbench.report.results_json import ResultsFormatError, read_results, results_document
from workbench.report.templating import html_environment, markdown_environment
from workbench.sim.metrics import EXPOSURE, LATENCY_P95

__all__ = ["existing_reports", "render_index", "render_index_html"]


def _row(document: Mapping[str, Any]) -> dict[str, object]:
    info = document["scenario"]
    designs = list(info.get("designs", []))
    estimates = {(row["design"], row["metric"]): row for row in document.get("comparison", [])}
    verdict = document.get("verdict") or {}
    best = verdict.get("design") or None
    exposure = estimates.get((best, EXPOSURE)) if best else None
    latency = estimates.get((best, LATENCY_P95)) if best else None
    open_counts = document.get("summary", {}).get("findings", {})
    counts = "/".join(str(open_counts.get(s, 0)) for s in reversed(SEVERITIES))
    agents = sum(1 for row in document.get("blast_radius", []) if row.get("kind") == "agent")

    def cell(row: Mapping[str, Any] | None) -> object:
        return Markup(f"{fmt(row['mean'])} {fmt_ratio(row['ratio'])}") if row else "–"

    return {
        "name": info["name"],
        "title": info.get("title") or info["name"],
        "link": Markup(quote(f"{info['name']}/report.md")),
        "html_link": quote(f"{info['name']}/report.html"),
        "agents": Markup(fmt(agents)),
        "designs": len(designs),
        "verdict": _verdict_cell(verdict),
        "sensitive": _sensitive_cell(verdict),
        "exposure": cell(exposure),
        "latency": cell(latency),
        "open": counts,
        "accepted": document.get("summary", {}).get("suppressed", 0),
    }


def _verdict_cell(verdict: Mapping[str, Any]) -> str:
    """The verdict in a few words: the winner, or why there is none."""
    status = verdict.get("status")
    if status == "winner":
        return str(verdict.get("design", ""))
    if status == "no_clear_winner":
        tied = ", ".join(str(d) for d in verdict.get("tied", []))
        return f"no clear winner at {fmt_count(int(verdict.get('replications', 0)), 'replication')} ({tied})"
    if status == "none_eligible":
        return "no design within budget"
    return "–"


def _sensitive_cell(verdict: Mapping[str, Any]) -> str:
    """The assumption the verdict is most sensitive to, and whether changing it flips the verdict."""
    worst = (verdict.get("sensitivity") or {}).get("most_sensitive")
    if not worst:
        return "–"
    return f"{worst['parameter']} ×{worst['factor']:g}" + (" (flips it)" if worst.get("flips") else "")


def existing_reports(folder: str | Path, *, besides: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The results.json documents of the reports already in `folder`, except the scenarios named `besides`.

    A report counts when its folder holds both report.md and a results.json this workbench reads; others
    (a stale format, a half-deleted folder) are left out of the index rather than linked broken.
    """
    root = Path(folder)
    if not root.is_dir():
        return []
    skip = {name.casefold() for name in besides}  # folders equal but for case are one folder on some systems
    documents = []
    for results in sorted(root.glob("*/results.json")):
        if results.parent.name.casefold() in skip or not (results.parent / "report.md").is_file():
            continue
        try:
            document = read_results(results)
        except ResultsFormatError:
            continue
        if document.get("scenario", {}).get("name") == results.parent.name:
            documents.append(document)
    return documents


def _rows(reports: Sequence[ReportData], others: Sequence[Mapping[str, Any]]) -> list[dict[str, object]]:
    rows = [_row(results_document(data)) for data in reports]
    names = {row["name"] for row in rows}
    rows += [_row(document) for document in others if document["scenario"]["name"] not in names]
    rows.sort(key=lambda row: str(row["name"]))
    return rows


def render_index(reports: Sequence[ReportData], *, others: Sequence[Mapping[str, Any]] = ()) -> str:
    """index.md for the given scenarios and the results.json documents of `others` (reports kept from an
    earlier run), sorted by name so the order of the command line does not matter."""
    return markdown_environment().get_template("index.md.j2").render(rows=_rows(reports, others))


def render_index_html(reports: Sequence[ReportData], *, others: Sequence[Mapping[str, Any]] = ()) -> str:
    """index.html: the same table as index.md, linking each scenario's report.html."""
    css = (files("workbench.report") / "templates" / "report.css").read_text(encoding="utf-8")
    return html_environment().get_template("index.html.j2").render(rows=_rows(reports, others), css=Markup(css))
