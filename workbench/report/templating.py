"""The Jinja2 environments the report templates render in, one per output format, each escaping for it.

Scenario text is untrusted (it comes from YAML anyone can edit), so nothing reaches a page unescaped:
HTML autoescapes; Markdown escapes every interpolated string that is not explicitly marked safe, so a
name cannot break out of a table cell, open a code span, forge a link or smuggle in raw HTML.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

__all__ = ["html_environment", "markdown_environment", "md_cell", "md_code", "md_escape"]

_MD_SPECIAL = str.maketrans(
    {"\\": "\\\\", "`": "\\`", "|": "\\|", "[": "\\[", "]": "\\]", "<": "&lt;", ">": "&gt;", "&": "&amp;"}
)


def md_escape(value: Any) -> str:
    """Markdown-escape a value; `Markup` values (already safe) pass unchanged."""
    if isinstance(value, Markup):
        return str(value)
    return str(value).translate(_MD_SPECIAL)


def md_cell(value: Any) -> Markup:
    """Escape a value for a Markdown table cell: also fold line breaks, which would end the row."""
    return Markup(" ".join(md_escape(value).split()))


def md_code(value: Any) -> Markup:
    """A value as a Markdown code span: shown literally, so only backticks (which would end it) are replaced."""
    return Markup("`" + " ".join(str(value).replace("`", "'").split()) + "`")


def _finalize_markdown(value: Any) -> Any:
    return md_escape("" if value is None else value)


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
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return _common(environment)
