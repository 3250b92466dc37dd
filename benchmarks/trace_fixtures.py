"""Realistic OpenTelemetry traces of agents, generated (seeded) in OTLP/JSON as the collector's file exporter
writes them: one `ExportTraceServiceRequest` per line.

A day of traffic follows a daily pattern (quiet nights, a morning ramp, a busy working day, an evening tail).
Each task is an `invoke_agent` span with a `chat` span and `execute_tool` spans beneath it, following the
GenAI semantic conventions; a tool call can fail and be retried, a failure can end the task, and an agent
can hand part of its task to a sub-agent (an `invoke_agent` span inside the parent's trace). Spans are
exported as they end, in batches that mix traces and services, so a parent often arrives lines after its
children, as it does from a real collector.

Used by the tests (tests/test_import_traces.py), by the import benchmark (`benchmarks.imports`), and to
write the shipped example trace (`python -m benchmarks.trace_fixtures support-desk OUT`).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "DAILY_SHAPE",
    "AgentSpec",
    "Call",
    "Delegate",
    "Kind",
    "Span",
    "benchmark_agents",
    "day_of_traffic",
    "support_desk_agents",
    "traffic_by_hour",
    "write_otlp",
]

DAILY_SHAPE = (
    0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 1.0, 2.5, 5.0, 7.0, 8.0, 8.0,
    6.5, 7.5, 8.0, 7.5, 6.5, 5.0, 3.0, 2.0, 1.5, 1.0, 0.6, 0.3,
)  # fmt: skip
"""Relative traffic in each hour of the day (UTC): the shape the fitted profile should find again."""
BATCH = 256
"""Spans per export request, as the collector's batch processor sends them."""


@dataclass(frozen=True)
class Call:
    """A tool call: its name, median duration, chance an attempt fails, and whether a failure is retried."""

    tool: str
    median_s: float
    fail: float = 0.0
    retries: int = 2


@dataclass(frozen=True)
class Delegate:
    """A hand-off to a sub-agent, which runs one of its kinds inside the parent's trace."""

    agent: str
    kind: str


@dataclass(frozen=True)
class Kind:
    """A kind of task: its name, relative frequency and steps."""

    name: str
    weight: float
    steps: tuple[Call | Delegate, ...]


@dataclass(frozen=True)
class AgentSpec:
    """An agent: ids as its spans carry them, its service, how many root tasks a day and what they are."""

    id: str
    name: str
    service: str
    tasks_per_day: float
    kinds: tuple[Kind, ...]
    tools_under_chat: bool = False


@dataclass
class Span:
    """One span in OTLP/JSON form, with its service."""

    service: str
    body: dict[str, Any]
    end_ns: int = field(default=0)


def _attributes(**values: str) -> list[dict[str, Any]]:
    return [{"key": key.replace("__", "."), "value": {"stringValue": value}} for key, value in values.items()]


class _Traffic:
    def __init__(self, agents: Sequence[AgentSpec], seed: int) -> None:
        self.agents = {agent.id: agent for agent in agents}
        self.rng = random.Random(seed)
        self.spans: list[Span] = []

    def ids(self, size: int) -> str:
        return f"{self.rng.getrandbits(size * 8):0{size * 2}x}"

    def emit(self, service: str, trace: str, span: str, parent: str | None, name: str, start: int, end: int,
             attributes: list[dict[str, Any]], error: str | None = None, kind: int = 1) -> None:  # fmt: skip
        body: dict[str, Any] = {"traceId": trace, "spanId": span}
        if parent:
            body["parentSpanId"] = parent
        body |= {
            "name": name,
            "kind": kind,
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(end),
            "attributes": attributes,
            "status": {"code": 2, "message": error} if error else {},
        }
        if error:
            body["attributes"] = [*attributes, *_attributes(error__type=error)]
        self.spans.append(Span(service, body, end))

    def task(self, agent: AgentSpec, kind: Kind, trace: str, parent: str | None, start: int) -> tuple[int, bool]:
        """Emit one task's spans from `start`; returns its end and whether it failed."""
        span = self.ids(8)
        now = start + self.rng.randint(5, 50) * 1_000_000
        chat = self.ids(8)
        chat_start = now
        now += int(self.rng.lognormvariate(0, 0.4) * 600_000_000)
        chat_end = now
        under = chat if agent.tools_under_chat else span
        failed = False
        for step in kind.steps:
            if isinstance(step, Delegate):
                sub = self.agents[step.agent]
                sub_kind = next(k for k in sub.kinds if k.name == step.kind)
                now, sub_failed = self.task(sub, sub_kind, trace, span, now + 2_000_000)
                if sub_failed:
                    failed = True
                    break
                continue
            for _attempt in range(step.retries + 1):
                begin = now + self.rng.randint(1, 20) * 1_000_000
                length = int(self.rng.lognormvariate(0, 0.5) * step.median_s * 1e9)
                error = "ToolError" if self.rng.random() < step.fail else None
                now = begin + length
                if agent.tools_under_chat:
                    chat_end = max(chat_end, now)
                attributes = _attributes(
                    gen_ai__operation__name="execute_tool",
                    gen_ai__tool__name=step.tool,
                    gen_ai__tool__call__id=f"call_{self.ids(6)}",
                    gen_ai__tool__type="function",
                )
                self.emit(agent.service, trace, self.ids(8), under, f"execute_tool {step.tool}", begin, now,
                          attributes, error)  # fmt: skip
                if error is None:
                    break
            else:
                failed = True
                break
        end = now + self.rng.randint(10, 200) * 1_000_000
        chat_attributes = _attributes(gen_ai__operation__name="chat", gen_ai__request__model="gpt-4o")
        chat_attributes += _attributes(gen_ai__provider__name="openai")
        self.emit(agent.service, trace, chat, span, "chat gpt-4o", chat_start, chat_end, chat_attributes, kind=3)
        attributes = _attributes(
            gen_ai__operation__name="invoke_agent", gen_ai__agent__id=agent.id, gen_ai__agent__name=agent.name
        )
        self.emit(agent.service, trace, span, parent, f"invoke_agent {agent.name}", start, end, attributes,
                  "TaskFailed" if failed else None)  # fmt: skip
        return end, failed


def traffic_by_hour(agents: Sequence[AgentSpec], *, day: dt.date, seed: int = 7) -> Iterator[list[Span]]:
    """The spans of a day of the agents' root tasks, hour by hour (tasks that start in the hour), each hour's
    in the order they end: a day of a hundred agents never has to be in memory at once."""
    traffic = _Traffic(agents, seed)
    total = sum(DAILY_SHAPE)
    midnight = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()) * 1_000_000_000
    for hour, share in enumerate(DAILY_SHAPE):
        for agent in agents:
            if agent.tasks_per_day <= 0:
                continue
            count = _poisson(traffic.rng, agent.tasks_per_day * share / total)
            for fraction in sorted(traffic.rng.random() for _ in range(count)):
                start = midnight + int((hour + fraction) * 3600e9)
                kind = traffic.rng.choices(agent.kinds, [kind.weight for kind in agent.kinds])[0]
                traffic.task(agent, kind, traffic.ids(16), None, start)
        traffic.spans.sort(key=lambda span: (span.end_ns, span.body["spanId"]))
        yield traffic.spans
        traffic.spans = []


def day_of_traffic(agents: Sequence[AgentSpec], *, day: dt.date, seed: int = 7) -> list[Span]:
    """Every span of a day of the agents' root tasks, in the order they end (as an exporter sends them)."""
    spans = [span for hour in traffic_by_hour(agents, day=day, seed=seed) for span in hour]
    spans.sort(key=lambda span: (span.end_ns, span.body["spanId"]))
    return spans


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 50:  # normal approximation, rounded: cheap, and exact enough for traffic
        return max(round(rng.gauss(mean, mean**0.5)), 0)
    limit, count, product = 2.718281828459045 ** (-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def export_requests(spans: Sequence[Span], batch: int = BATCH) -> Iterator[dict[str, Any]]:
    """ExportTraceServiceRequest objects of `batch` spans each, spans grouped by service within a request."""
    for begin in range(0, len(spans), batch):
        by_service: dict[str, list[dict[str, Any]]] = {}
        for span in spans[begin : begin + batch]:
            by_service.setdefault(span.service, []).append(span.body)
        yield {
            "resourceSpans": [
                {
                    "resource": {"attributes": _attributes(service__name=service)},
                    "scopeSpans": [
                        {"scope": {"name": "opentelemetry.instrumentation.genai", "version": "0.9.0"}, "spans": bodies}
                    ],
                }
                for service, bodies in by_service.items()
            ]
        }


def write_otlp(path: Path, spans: Iterable[Span] | Iterable[list[Span]], batch: int = BATCH) -> int:
    """Write spans (or chunks of spans, e.g. `traffic_by_hour`) as OTLP/JSON, one request per line; returns
    the number of spans written."""
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for chunk in _chunks(spans):
            for request in export_requests(chunk, batch):
                out.write(json.dumps(request, separators=(",", ":")) + "\n")
            written += len(chunk)
    return written


def _chunks(spans: Iterable[Span] | Iterable[list[Span]]) -> Iterator[Sequence[Span]]:
    pending: list[Span] = []
    for item in spans:
        if isinstance(item, list):
            yield item
        else:
            pending.append(item)
    if pending:
        yield pending


def support_desk_agents(tasks_per_day: float = 240.0) -> list[AgentSpec]:
    """The shipped example's agents: a support agent that hands refunds to a billing sub-agent."""
    support = AgentSpec(
        id="support-agent",
        name="Support assistant",
        service="support-desk",
        tasks_per_day=tasks_per_day,
        kinds=(
            Kind("answer", 8.0, (Call("tickets.get", 0.8), Call("crm.lookup_customer", 1.2, fail=0.04),
                                 Call("tickets.update", 0.5), Call("mail.send", 2.0))),
            Kind("refund", 1.0, (Call("tickets.get", 0.8), Call("crm.lookup_customer", 1.2, fail=0.04),
                                 Delegate("billing-agent", "refund"), Call("mail.send", 2.0))),
            Kind("triage", 3.0, (Call("tickets.get", 0.8), Call("tickets.update", 0.5))),
        ),
    )  # fmt: skip
    billing = AgentSpec(
        id="billing-agent",
        name="Billing assistant",
        service="billing",
        tasks_per_day=0.0,
        kinds=(Kind("refund", 1.0, (Call("billing.invoices", 1.5), Call("billing.refund", 3.0, fail=0.1, retries=0))),),
        tools_under_chat=True,
    )
    return [support, billing]


def benchmark_agents(count: int = 100, spans_per_agent: int = 10_000) -> list[AgentSpec]:
    """`count` agents of three or four tool calls per task (about six spans a task with chat and retries)."""
    agents = []
    for number in range(count):
        name = f"agent-{number:03d}"
        kinds = (
            Kind("lookup", 3.0, (Call(f"{name}.search", 0.5, fail=0.02), Call(f"{name}.read", 0.3),
                                 Call(f"{name}.write", 0.4))),
            Kind("report", 1.0, (Call(f"{name}.search", 0.5, fail=0.02), Call(f"{name}.read", 0.3),
                                 Call(f"{name}.read", 0.3), Call(f"{name}.send", 1.0, fail=0.01))),
        )  # fmt: skip
        agents.append(AgentSpec(name, f"Agent {number}", f"svc-{number % 10}", spans_per_agent / 5.9, kinds))
    return agents


def main(argv: Sequence[str]) -> None:
    """`python -m benchmarks.trace_fixtures support-desk OUT [DAY]`: write the shipped example's day."""
    _, what, out, *rest = argv
    if what != "support-desk":
        raise SystemExit("usage: python -m benchmarks.trace_fixtures support-desk OUT [YYYY-MM-DD]")
    day = dt.date.fromisoformat(rest[0]) if rest else dt.date(2026, 11, 25)
    write_otlp(Path(out), day_of_traffic(support_desk_agents(), day=day, seed=20261125))


if __name__ == "__main__":
    main(sys.argv)
