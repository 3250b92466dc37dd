"""A scenario's rich display in notebooks: a compact HTML summary instead of a wall of pydantic repr."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.model.scenario import Scenario

__all__ = ["scenario_html"]


def scenario_html(scenario: Scenario) -> str:
    """HTML summary: what the scenario is, what it holds, which designs and threats it compares."""
    counts = scenario.entity_counts()
    title = escape(scenario.title or scenario.name)
    source = f" <code>{escape(scenario.source.file)}</code>" if scenario.source else ""
    rows = "".join(f"<tr><td>{escape(name)}</td><td>{count}</td></tr>" for name, count in counts if count)
    designs = ", ".join(f"<code>{escape(label)}</code>" for label in scenario.control_labels) or "none"
    agents = "".join(
        f"<li><code>{escape(a.id)}</code>: {escape(a.business_purpose or 'no business purpose')}"
        f" ({escape(a.environment)}, autonomy {escape(a.autonomy)}"
        f"{', reads untrusted input' if a.untrusted_input else ''})</li>"
        for a in scenario.agents[:10]
    )
    more = f"<li>… and {len(scenario.agents) - 10} more</li>" if len(scenario.agents) > 10 else ""
    description = f"<p>{escape(scenario.description)}</p>" if scenario.description else ""
    sim = scenario.simulation
    return (
        f"<div><p><b>{title}</b>{source}, as of {scenario.as_of.isoformat()}</p>{description}"
        f"<table><tr><th>entity</th><th>count</th></tr>{rows}</table>"
        f"<p>Control designs: {designs}. Simulation: {sim.replications} replications of "
        f"{sim.horizon / 86400:g} days, seed {sim.seed}.</p><ul>{agents}{more}</ul></div>"
    )
