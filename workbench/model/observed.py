"""What agents were observed doing: the permissions their traced tool calls used, and where that was seen.

`workbench import traces` writes this block beside the workload it derives, so that least privilege can be
judged against real use (WB125, `workbench suggest roles`), the way an access analyser judges a cloud role
against its access log. Calls the importer could not map onto a tool, action and resource are listed here
too: they are use the scenario cannot account for, never dropped silently.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from workbench.model.common import Action, Id, StrictModel, Text

__all__ = ["MAX_OBSERVED", "Observed", "ObservedUse", "TraceFile", "UnmappedCall"]

MAX_OBSERVED = 1_000_000
"""Most uses, unmapped calls or files one observed block may list."""
_COUNT = 10**15


class TraceFile(StrictModel):
    """One trace file the observation was read from."""

    file: Text = Field(description="Trace file, as the path was given to the importer.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file's bytes.")
    requests: int = Field(ge=0, le=_COUNT, description="Export requests (lines) read.")
    spans: int = Field(ge=0, le=_COUNT, description="Spans read.")


class ObservedUse(StrictModel):
    """An agent used an action on a resource, through a tool, this many times in the window."""

    agent: Id = Field(description="Agent that made the calls.")
    action: Action = Field(description="Action used.")
    resource: Id = Field(description="Resource it was used on.")
    tool: Id | None = Field(None, description="Tool the calls went through.")
    calls: int = Field(ge=1, le=_COUNT, description="Tool calls (retries included) that used it.")
    failed: int = Field(0, ge=0, le=_COUNT, description="Of those, calls whose span ended in error.")


class UnmappedCall(StrictModel):
    """Tool calls (or agents) the importer could not map onto the scenario: listed, not dropped."""

    agent: Text = Field(description="The agent's id in the scenario, or its gen_ai.agent.id/name if unknown.")
    tool: Text | None = Field(None, description="gen_ai.tool.name of the calls; none for an unknown agent.")
    calls: int = Field(ge=1, le=_COUNT, description="Spans affected.")
    first_seen: Text = Field(description="FILE:LINE of the first such span.")


class Observed(StrictModel):
    """Use observed in traces over a window, with the files it came from."""

    window_start: dt.datetime = Field(description="Start of the earliest span read.")
    window_end: dt.datetime = Field(description="End of the latest span read.")
    sources: list[TraceFile] = Field(max_length=MAX_OBSERVED, description="Trace files read.")
    agents: list[Id] = Field(
        default_factory=list, max_length=MAX_OBSERVED, description="Scenario agents seen in the window."
    )
    uses: list[ObservedUse] = Field(default_factory=list, max_length=MAX_OBSERVED, description="Permissions used.")
    unmapped: list[UnmappedCall] = Field(
        default_factory=list, max_length=MAX_OBSERVED, description="Calls that map onto nothing in the scenario."
    )

    @model_validator(mode="after")
    def _window(self) -> Observed:
        if self.window_end < self.window_start:
            raise ValueError("window_end must not be before window_start")
        return self

    def used_by(self, agent: str) -> frozenset[tuple[str, str]]:
        """(action, resource) pairs the agent used, with executing each tool it called."""
        pairs: set[tuple[str, str]] = set()
        for use in self.uses:
            if use.agent == agent:
                pairs.add((use.action, use.resource))
                if use.tool is not None:
                    pairs.add(("execute", use.tool))
        return frozenset(pairs)
