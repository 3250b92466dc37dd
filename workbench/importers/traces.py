"""Traces in, workload out: what agents were observed doing, as task types the simulation can replay.

Following the GenAI semantic conventions, an `invoke_agent` span is a task of its agent and the
`execute_tool` spans beneath it (through any model-call spans between) are its steps, in start order; an
`invoke_agent` span beneath another is a sub-task, so the parent's step there delegates. A failed call
followed at once by a call of the same tool is a retry: one step, whose duration runs from the first
attempt's start to the last attempt's end. Tasks of an agent with the same sequence of (tool, action,
resource) steps and sub-tasks are one task type; each step's duration is the empirical distribution of what
it took, and the task type's observed intent is what its steps use.

Arrivals are the recorded start times of the root tasks, either replayed exactly or fitted as a daily and
weekly profile. Simulation time 0 is Monday 00:00 UTC of the first observed week (the simulation's calendar,
which approvers' working hours and profiles share). The `observed` block lists every permission used,
per agent and tool, with the files read; calls and agents that map onto nothing are listed there too.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from workbench.importers.naming import one_line
from workbench.importers.otlp import AGENT, SpanRecord, TraceRead
from workbench.importers.trace_map import TraceMap
from workbench.model.common import MAX_EMPIRICAL
from workbench.model.scenario import Scenario

__all__ = ["MAX_SAMPLES", "ArrivalMode", "TraceImport", "import_traces"]

ArrivalMode = Literal["replay", "profile"]
MAX_SAMPLES = 200
"""Observed durations kept as samples; above this a step's durations are summarised as 101 quantiles."""
QUANTILES = 100
MAX_NESTING = 256
"""Parent links followed from a span to its agent's span: a cycle in hostile input stops here."""
_WEEK = 7 * 86400.0
_DAY = 86400.0
_HOUR = 3600.0

Signature = tuple[Any, ...]


@dataclass
class _Step:
    tool_name: str
    call: tuple[str, str, str] | None  # (tool, action, resource); None for a sub-task
    start_ns: int
    end_ns: int
    error: bool
    sub: _Task | None = None


@dataclass(eq=False)
class _Task:
    record: SpanRecord
    agent: str | None
    parent: _Task | None = None
    spans: list[tuple[int, bytes, SpanRecord | _Task]] = field(default_factory=list)
    steps: list[_Step] = field(default_factory=list)
    signature: Signature = ()


@dataclass
class TraceImport:
    """The scenario document with the derived workload and observed use, and what the summary says."""

    document: dict[str, Any]
    task_types: int
    root_tasks: int
    sub_tasks: int
    tool_calls: int
    retries: int
    failed_calls: int
    unmapped_calls: int
    idle_tasks: int
    origin: dt.datetime
    horizon_s: float


def import_traces(
    read: TraceRead,
    scenario: Scenario,
    trace_map: TraceMap | None = None,
    *,
    arrivals: ArrivalMode = "replay",
) -> TraceImport:
    """The scenario with a workload derived from `read` (task types of the agents seen) and `observed`."""
    trace_map = trace_map or TraceMap()
    agents = frozenset(agent.id for agent in scenario.agents)
    tasks: dict[bytes, _Task] = {}
    unmapped: Counter[tuple[str, str | None]] = Counter()
    first_seen: dict[tuple[str, str | None], str] = {}

    def note(key: tuple[str, str | None], record: SpanRecord) -> None:
        unmapped[key] += 1
        first_seen.setdefault(key, read.where(record))

    agent_of: dict[tuple[str, str], str | None] = {}  # rules are matched once per distinct name, not per span
    call_of: dict[tuple[str, str], tuple[str, str, str] | None] = {}
    for record in read.spans:
        if record.operation == AGENT:
            names = (record.agent_id, record.agent_name)
            if names not in agent_of:
                agent_of[names] = trace_map.agent_for(agents, *names)
            agent = agent_of[names]
            tasks[record.trace + record.span] = _Task(record, agent)
            if agent is None:
                note((record.agent_id or record.agent_name or "(unnamed agent)", None), record)
    parents = read.parents

    def owner(key: bytes) -> _Task | None:
        for _ in range(MAX_NESTING):
            parent = parents.get(key)
            if parent is None:
                return None
            found = tasks.get(parent)
            if found is not None:
                return found
            key = parent
        return None

    known_above: dict[_Task, _Task | None] = {}

    def known_owner(key: bytes) -> _Task | None:
        """The nearest task above `key` whose agent is known, past tasks of unknown agents; each unknown task's
        answer is kept, so a long chain of them is walked once, and a loop of them (hostile) ends the walk."""
        chain: dict[_Task, None] = {}
        above = owner(key)
        while above is not None and above.agent is None:
            if above in known_above:
                above = known_above[above]
                break
            if above in chain:
                above = None
                break
            chain[above] = None
            above = owner(above.record.trace + above.record.span)
        known_above.update(dict.fromkeys(chain, above))
        return above

    tool_calls = 0
    for record in read.spans:
        key = record.trace + record.span
        if record.operation == AGENT:
            task = tasks[key]
            above = known_owner(key)  # a sub-agent of an unknown agent is a root
            if above is not None and task.agent is not None:
                task.parent = above
                above.spans.append((record.start_ns, record.span, task))
            continue
        tool_calls += 1
        above = owner(key)
        if above is None:
            note(("(no invoke_agent span)", record.tool_name or "(unnamed tool)"), record)
        elif above.agent is not None:
            above.spans.append((record.start_ns, record.span, record))
        # calls of an unknown agent's task are counted with the agent, above

    uses: dict[tuple[str, str, str, str], list[int]] = {}
    retries = failed = 0
    known = [task for task in tasks.values() if task.agent is not None]
    for task in known:
        task.spans.sort(key=lambda item: (item[0], item[1]))
        agent = task.agent
        assert agent is not None
        for _start, _span, item in task.spans:
            if isinstance(item, _Task):
                task.steps.append(_Step("", None, item.record.start_ns, item.record.end_ns, False, item))
                continue
            called = (agent, item.tool_name)
            if called not in call_of:
                call_of[called] = trace_map.call_for(scenario, *called)
            call = call_of[called]
            if call is None:
                note((agent, item.tool_name or "(unnamed tool)"), item)
                continue
            counts = uses.setdefault((agent, *call), [0, 0])
            counts[0] += 1
            if item.error:
                counts[1] += 1
                failed += 1
            last = task.steps[-1] if task.steps else None
            if last is not None and last.sub is None and last.error and last.tool_name == item.tool_name:
                last.end_ns, last.error = max(last.end_ns, item.end_ns), item.error
                retries += 1
                continue
            task.steps.append(_Step(item.tool_name, call, item.start_ns, item.end_ns, item.error))

    _sign(known)
    idle = sum(1 for task in known if not task.steps)
    by_signature: dict[Signature, list[_Task]] = defaultdict(list)
    for task in known:
        if task.steps:
            by_signature[task.signature].append(task)
    ids = _name(by_signature)
    first_ns = read.first_ns or 0
    origin = _monday(first_ns)
    origin_ns = int(origin.timestamp()) * 1_000_000_000
    task_types = [
        _task_type(ids[signature], members, ids, origin_ns, arrivals)
        for signature, members in sorted(by_signature.items(), key=lambda item: ids[item[0]])
    ]
    seen = sorted({task.agent for task in known if task.agent is not None})
    horizon = _horizon(read, origin_ns)
    # What the author wrote, not what differs from the defaults: a default discriminator (`dist`, `kind`)
    # left out would make the union ambiguous on reload.
    document = scenario.model_dump(mode="json", exclude_unset=True, by_alias=True)
    kept = [t for t in document.get("workload", {}).get("task_types", []) if t.get("agent") not in seen]
    document["workload"] = {**document.get("workload", {}), "task_types": [*kept, *task_types]}
    if arrivals == "replay":
        document["simulation"] = {**document.get("simulation", {}), "horizon": horizon}
    document["observed"] = _observed(read, seen, uses, unmapped, first_seen)
    return TraceImport(
        document=document,
        task_types=len(task_types),
        root_tasks=sum(1 for task in known if task.parent is None and task.steps),
        sub_tasks=sum(1 for task in known if task.parent is not None and task.steps),
        tool_calls=tool_calls,
        retries=retries,
        failed_calls=failed,
        unmapped_calls=sum(unmapped.values()),
        idle_tasks=idle,
        origin=origin,
        horizon_s=horizon,
    )


def _sign(tasks: list[_Task]) -> None:
    """Give every task its signature (agent, steps), children before parents."""
    for task in sorted(tasks, key=_depth, reverse=True):  # deepest first: a child is signed before its parent
        parts: list[Signature] = []
        for step in task.steps:
            if step.sub is not None:
                if step.sub.steps:
                    parts.append(("delegate", step.sub.signature))
            else:
                assert step.call is not None
                parts.append(("call", *step.call))
        task.signature = (task.agent, tuple(parts))


def _depth(task: _Task) -> int:
    depth = 0
    above = task.parent
    while above is not None and depth < MAX_NESTING:
        depth += 1
        above = above.parent
    return depth


def _name(groups: dict[Signature, list[_Task]]) -> dict[Signature, str]:
    """Task type ids: `AGENT.tN`, numbered per agent from the most frequent sequence down."""
    ids: dict[Signature, str] = {}
    per_agent: dict[str, list[Signature]] = defaultdict(list)
    for signature in groups:
        per_agent[signature[0]].append(signature)
    for agent, signatures in per_agent.items():
        ordered = sorted(
            signatures, key=lambda s: (-len(groups[s]), min(t.record.start_ns for t in groups[s]), repr(s))
        )
        for number, signature in enumerate(ordered, 1):
            ids[signature] = f"{agent}.t{number}"
    return ids


def _task_type(
    task_id: str, members: list[_Task], ids: dict[Signature, str], origin_ns: int, arrivals: ArrivalMode
) -> dict[str, Any]:
    exemplar = members[0]
    agent = exemplar.agent
    steps: list[dict[str, Any]] = []
    intent: dict[tuple[str, str], None] = {}
    simulated = [_simulated_steps(task) for task in members]  # once per task: a task may have a million steps
    for index, step in enumerate(simulated[0]):
        if step.sub is not None:
            steps.append({"delegate": ids[step.sub.signature]})
            continue
        assert step.call is not None
        tool, action, resource = step.call
        observed = [task_steps[index] for task_steps in simulated]
        steps.append(
            {
                "action": action,
                "resource": resource,
                "via_tool": tool,
                "duration": _empirical([(s.end_ns - s.start_ns) / 1e9 for s in observed]),
            }
        )
        intent.setdefault((action, resource))
    roots = sorted(task.record.start_ns for task in members if task.parent is None)
    sequence = " → ".join(str(step.get("via_tool") or f"sub-task {step['delegate']}") for step in steps)
    description = f"Observed {len(members)} time(s) in traces ({len(roots)} as a root task): {sequence}"
    task_type: dict[str, Any] = {"id": task_id, "agent": agent, "description": description}
    if roots:
        times = [round(max(start - origin_ns, 0) / 1e9, 6) for start in roots]
        if arrivals == "replay":
            origin = dt.datetime.fromtimestamp(origin_ns / 1e9, dt.UTC)
            task_type["arrival"] = {"replay": {"origin": _iso(origin), "times": times}}
        else:
            task_type["arrival"] = {"profile": _profile(times)}
    task_type["intent"] = [{"action": action, "resource": resource} for action, resource in intent]
    task_type["steps"] = steps
    return task_type


def _simulated_steps(task: _Task) -> list[_Step]:
    """The steps a task type is made of: its calls, and its sub-tasks that themselves made a call."""
    return [s for s in task.steps if s.sub is None or s.sub.steps]


def _empirical(durations: list[float]) -> dict[str, Any]:
    values = sorted(max(d, 0.0) for d in durations)
    if len(values) <= MAX_SAMPLES:
        return {"dist": "empirical", "samples": [round(v, 6) for v in values]}
    points = np.quantile(np.asarray(values), np.linspace(0.0, 1.0, QUANTILES + 1))
    assert len(points) <= MAX_EMPIRICAL
    return {"dist": "empirical", "quantiles": [round(float(v), 6) for v in points]}


def _profile(times: list[float]) -> dict[str, Any]:
    """A profile fitted to arrival times: each hour of day's rate is its count over the time observed in that
    hour; weekday factors, fitted only when at least a week was observed, scale each day to its own count."""
    start, end = times[0], times[-1]
    span_start = math.floor(start / _DAY) * _DAY
    span_end = max(math.ceil(end / _DAY) * _DAY, span_start + _DAY)
    exposure = np.zeros((7, 24))
    t = span_start
    while t < span_end:
        exposure[int(t // _DAY) % 7, int(t // _HOUR) % 24] += _HOUR
        t += _HOUR
    counts = np.zeros((7, 24))
    for when in times:
        counts[int(when // _DAY) % 7, int(when // _HOUR) % 24] += 1
    hour_exposure = exposure.sum(axis=0)
    hourly = np.divide(counts.sum(axis=0), hour_exposure, out=np.zeros(24), where=hour_exposure > 0)
    weekday = [1.0] * 7
    if span_end - span_start >= _WEEK:
        expected = (exposure * hourly).sum(axis=1)
        observed = counts.sum(axis=1)
        weekday = [round(float(o / e), 6) if e > 0 else 1.0 for o, e in zip(observed, expected, strict=True)]
    return {"hourly": [float(f"{rate:.6g}") for rate in hourly], "weekday": weekday}


def _monday(first_ns: int) -> dt.datetime:
    day = dt.datetime.fromtimestamp(first_ns // 1_000_000_000, dt.UTC).date()
    monday = day - dt.timedelta(days=day.weekday())
    return dt.datetime(monday.year, monday.month, monday.day, tzinfo=dt.UTC)


def _horizon(read: TraceRead, origin_ns: int) -> float:
    """The end of the observed window from the origin, rounded up to the hour, plus an hour to finish in."""
    end = max((read.last_ns or origin_ns) - origin_ns, 0) / 1e9
    return math.ceil(end / _HOUR) * _HOUR + _HOUR


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _observed(
    read: TraceRead,
    seen: list[str],
    uses: dict[tuple[str, str, str, str], list[int]],
    unmapped: Counter[tuple[str, str | None]],
    first_seen: dict[tuple[str, str | None], str],
) -> dict[str, Any]:
    first, last = read.first_ns or 0, read.last_ns or read.first_ns or 0
    sources = [
        {"file": label, "sha256": digest, "requests": requests, "spans": spans}
        for label, digest, requests, spans in zip(read.files, read.sha256, read.requests, read.span_counts, strict=True)
    ]
    listed = []
    for key, calls in sorted(unmapped.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or "")):
        agent, tool = key
        entry: dict[str, Any] = {"agent": one_line(agent)}  # span text: escaped and cut to model Text
        if tool is not None:
            entry["tool"] = one_line(tool)
        listed.append(entry | {"calls": calls, "first_seen": one_line(first_seen[key])})
    return {
        "window_start": _iso(dt.datetime.fromtimestamp(first / 1e9, dt.UTC)),
        "window_end": _iso(dt.datetime.fromtimestamp(last / 1e9, dt.UTC)),
        "sources": sources,
        "agents": seen,
        "uses": [
            {"agent": agent, "action": action, "resource": resource, "tool": tool, "calls": calls}
            | ({"failed": errors} if errors else {})
            for (agent, tool, action, resource), (calls, errors) in sorted(uses.items())
        ],
        "unmapped": listed,
    }
