"""reports/index.md: the scenarios side by side, each linking its own report."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from markupsafe import Markup

from workbench.report.data import ReportData
from workbench.report.metrics import EXPOSURE, LATENCY_P95
from workbench.report.numbers import fmt, fmt_ratio
from workbench.report.templating import markdown_environment

__all__ = ["render_index"]


def _row(data: ReportData) -> dict[str, object]:
    info = data.scenario
    exposures = [(e.mean, e.design) for e in data.comparison if e.metric == EXPOSURE]
    best = min(exposures, key=lambda pair: (pair[0], info.designs.index(pair[1])))[1] if exposures else None
    exposure = data.estimate(best, EXPOSURE) if best else None
    latency = data.estimate(best, LATENCY_P95) if best else None
    open_ = [f for f in data.findings if not f.suppressed]
    counts = "/".join(
        str(sum(1 for f in open_ if f.severity == s)) for s in ("critical", "high", "medium", "low", "info")
    )
    agents = dict(info.counts).get("agents", 0)
    return {
        "title": info.title or info.name,
        "link": Markup(quote(f"{info.name}/report.md")),
        "agents": Markup(fmt(agents)),
        "designs": len(info.designs),
        "best": best or "–",
        "exposure": Markup(f"{fmt(exposure.mean)} {fmt_ratio(exposure.ratio)}") if exposure else "–",
        "latency": Markup(f"{fmt(latency.mean)} {fmt_ratio(latency.ratio)}") if latency else "–",
        "open": counts,
        "accepted": sum(1 for f in data.findings if f.suppressed),
    }


def render_index(reports: Sequence[ReportData]) -> str:
    """index.md for the given scenarios, sorted by name so the order of the command line does not matter."""
    rows = [_row(data) for data in sorted(reports, key=lambda d: d.scenario.name)]
    return markdown_environment().get_template("index.md.j2").render(rows=rows)
