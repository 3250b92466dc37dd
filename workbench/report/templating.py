"""The Jinja2 environments the report templates render in, one per output format, each escaping for it.

Scenario text is untrusted (it comes from YAML anyone can edit), so nothing reaches a page unescaped:
HTML autoescapes (and shows control characters as escapes); Markdown escapes every interpolated string that
is not explicitly marked safe, so a name cannot break out of a table cell, open a code span, forge a link,
smuggle in raw HTML or start a heading, list, rule or fence. The escaping itself is `workbench.escaping`'s.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from workbench.escaping import html_text, markdown, markdown_cell, markdown_code

__all__ = ["html_environment", "markdown_environment", "md_cell", "md_code", "md_escape"]

md_escape = markdown
"""Markdown-escape a value for any place in a document (`workbench.escaping.markdown`)."""
md_cell = markdown_cell
"""A value for one Markdown line: a table cell, a heading, a list item (`workbench.escaping.markdown_cell`)."""
md_code = markdown_code
"""A value as a Markdown code span (`workbench.escaping.markdown_code`)."""


def _finalize_markdown(value: Any) -> Any:
    return md_escape("" if value is None else value)


def _finalize_html(value: Any) -> Any:
    return html_text("" if value is None else value)


def _common(environment: Environment) -> Environment:
    environment.globals["severity_badge"] = {
        "critical": "🟥 critical", "high": "🟧 high", "medium": "🟨 medium", "low": "🟦 low", "info": "⬜ info",
    }  # fmt: skip
    return environment


def markdown_environment() -> Environment:
    """Templates `*.md.j2`: every `{{ }}` is Markdown-escaped unless marked safe with `|safe`."""
    environment = Environment(
        loader=PackageLoader("workbench.report", "templates"),
        autoescape=False,
        finalize=_finalize_markdown,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["cell"] = md_cell
    environment.filters["code"] = md_code
    environment.filters["safe"] = Markup
    return _common(environment)


def html_environment() -> Environment:
    """Templates `*.html.j2`: HTML autoescaping on for every expression."""
    environment = Environment(
        loader=PackageLoader("workbench.report", "templates"),
        autoescape=True,
        finalize=_finalize_html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return _common(environment)
