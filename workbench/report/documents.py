"""Render one scenario's report, every file in memory: Markdown, HTML, results.json, SARIF and figures.

Nothing is written here. `render_report` returns {relative path: bytes}; `write.py` puts them on disk only
once all of them rendered, so a failure half-way never leaves a half-updated report behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files

from markupsafe import Markup

from workbench.report.data import ReportData
from workbench.report.figures import render_figures
from workbench.report.index import render_index, render_index_html
from workbench.report.results_json import results_json_text
from workbench.report.sarif import sarif_text
from workbench.report.templating import html_environment, markdown_environment
from workbench.report.view import build_view
from workbench.viz import svg_for_html

__all__ = ["check_unique_names", "render_html", "render_markdown", "render_report", "render_reports"]


def render_markdown(data: ReportData, *, figures: list[str]) -> str:
    """report.md: GitHub-flavoured Markdown linking the SVG figures under figures/."""
    view = build_view(data, figures=figures)
    return _tidy(markdown_environment().get_template("report.md.j2").render(view=view))


def render_html(data: ReportData, *, svgs: dict[str, str]) -> str:
    """report.html: one self-contained page, CSS and figures inline, every scenario string escaped."""
    view = build_view(data, figures=list(svgs))
    css = (files("workbench.report") / "templates" / "report.css").read_text(encoding="utf-8")
    inline = {figure_id: Markup(svg_for_html(svg, figure_id=figure_id)) for figure_id, svg in svgs.items()}
    page = html_environment().get_template("report.html.j2").render(view=view, css=Markup(css), svgs=inline)
    return _tidy(page)


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, exactly one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def render_report(data: ReportData) -> dict[str, bytes]:
    """Every file of one scenario's report, by path relative to its folder, rendered in memory."""
    svgs = render_figures(data)
    rendered = {
        "report.md": render_markdown(data, figures=list(svgs)),
        "report.html": render_html(data, svgs=svgs),
        "results.json": results_json_text(data),
        "findings.sarif": sarif_text(data),
        **{f"figures/{figure_id}.svg": svg for figure_id, svg in svgs.items()},
    }
    return {path: text.encode("utf-8") for path, text in rendered.items()}


def check_unique_names(names: Sequence[str]) -> None:
    """Refuse scenarios that share a name: their report folders would overwrite each other."""
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"two scenarios share the name {', '.join(duplicates)}: their reports would collide")


def render_reports(reports: Sequence[ReportData]) -> dict[str, bytes]:
    """Every file of a report folder: each scenario under `<name>/`, and `index.md` across them."""
    check_unique_names([data.scenario.name for data in reports])
    files: dict[str, bytes] = {}
    for data in reports:
        files.update({f"{data.scenario.name}/{path}": content for path, content in render_report(data).items()})
    files["index.md"] = render_index(reports).encode("utf-8")
    files["index.html"] = render_index_html(reports).encode("utf-8")
    return files
