"""The map file of `workbench import traces`: what spans do not say, filled in by name patterns.

Spans name an agent (`gen_ai.agent.id`, `gen_ai.agent.name`) and a tool (`gen_ai.tool.name`), but not the
scenario tool a call goes through, nor the action and resource it uses. A small YAML file says so:

    agents:
      - {match: "support-*", agent: support-agent}
    tools:
      - {match: "crm.lookup*", tool: crm-mcp, action: read, resource: crm-customers}
      - {match: "send_*", agent: support-agent, tool: mailer, action: send, resource: outbound-mail}

Patterns are shell-style (`fnmatch`, case-sensitive); the first rule that matches wins. Without a rule, a
span's agent id or name that is a scenario agent's id maps to it, and a tool name that is a scenario tool's
id maps to that tool when the tool accesses exactly one resource with one action.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from workbench.errors import Problem, ScenarioError
from workbench.escaping import printable
from workbench.model.assets import Tool
from workbench.model.common import Action, Id, StrictModel, Text
from workbench.model.scenario import Scenario
from workbench.model.yaml_safe import LoadLimits, format_path, load_yaml, read_scenario_bytes

__all__ = ["AgentRule", "MappedCall", "ToolRule", "TraceMap", "load_trace_map"]

MAX_RULES = 10_000
MappedCall = tuple[str, str, str]
"""(tool id, action, resource) of a traced tool call."""


class AgentRule(StrictModel):
    """Spans whose agent id (or, lacking one, name) matches `match` are the scenario's `agent`."""

    match: Text = Field(description="Shell-style pattern on gen_ai.agent.id, else gen_ai.agent.name.")
    agent: Id = Field(description="Scenario agent they are.")


class ToolRule(StrictModel):
    """Calls of tools whose name matches `match` (by `agent`, if given) use `action` on `resource` via `tool`."""

    match: Text = Field(description="Shell-style pattern on gen_ai.tool.name.")
    agent: Id | None = Field(None, description="Only calls by this scenario agent.")
    tool: Id = Field(description="Scenario tool the call goes through.")
    action: Action = Field(description="Action the call uses.")
    resource: Id = Field(description="Resource the call uses it on.")


class TraceMap(StrictModel):
    """Name patterns mapping traced agents and tool calls onto the scenario."""

    agents: list[AgentRule] = Field(default_factory=list, max_length=MAX_RULES, description="Agent rules.")
    tools: list[ToolRule] = Field(default_factory=list, max_length=MAX_RULES, description="Tool rules.")

    def agent_for(self, scenario_agents: frozenset[str], agent_id: str, agent_name: str) -> str | None:
        """The scenario agent of a span, or None."""
        subject = agent_id or agent_name
        for rule in self.agents:
            if _matches(rule.match, subject):
                return rule.agent
        for candidate in (agent_id, agent_name):
            if candidate in scenario_agents:
                return candidate
        return None

    def call_for(self, scenario: Scenario, agent: str, tool_name: str) -> MappedCall | None:
        """(tool, action, resource) of a call of `tool_name` by `agent`, or None when nothing says."""
        for rule in self.tools:
            if (rule.agent is None or rule.agent == agent) and _matches(rule.match, tool_name):
                return (rule.tool, rule.action, rule.resource)
        tool = scenario.by_id.get(tool_name)  # one lookup per distinct name, however many tools and names
        if isinstance(tool, Tool):
            pairs = [(action, access.resource) for access in tool.accesses for action in access.actions]
            if len(pairs) == 1:
                return (tool.id, pairs[0][0], pairs[0][1])
        return None


@functools.lru_cache(maxsize=4096)
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(text))


def _matches(pattern: str, value: str) -> bool:
    return bool(value) and _pattern(pattern).match(value) is not None


def load_trace_map(path: str | Path) -> TraceMap:
    """Read and validate a map file; ScenarioError at FILE:LINE:COL for anything wrong in it."""
    label = printable(str(path))
    document = load_yaml(read_scenario_bytes(Path(path), LoadLimits()), filename=label)
    try:
        return TraceMap.model_validate(document.data)
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False):
            where = _existing(document.data, tuple(detail["loc"]))
            line, column = document.locate(where)
            message = str(detail["msg"]).removeprefix("Value error, ")
            problems.append(Problem(label, line, column, format_path(where), printable(message), "traces-map"))
        raise ScenarioError(problems) from None


def _existing(data: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """The longest prefix of a pydantic location that exists in the data (unknown keys: their parent)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        if in_dict or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            node = node[part]
        else:
            break
        path.append(part)
    return tuple(path)
