"""`workbench import traces`: OTLP/JSON in (hostile), a replayable workload and observed use out."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import os
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from benchmarks.trace_fixtures import DAILY_SHAPE, day_of_traffic, support_desk_agents, write_otlp
from workbench.analysis import simulate
from workbench.cli import run
from workbench.errors import ScenarioError
from workbench.importers import import_traces, load_trace_map, read_traces
from workbench.importers.merge import render_scenario
from workbench.model import load_scenario, parse_scenario

REPO = Path(__file__).resolve().parent.parent
BASE = REPO / "scenarios" / "traces" / "support-desk.yaml"
MAP = REPO / "scenarios" / "traces" / "support-desk.map.yaml"
DAY = dt.date(2026, 11, 25)  # a Wednesday: time 0 is Monday 23 November 00:00 UTC
ORIGIN_NS = int(dt.datetime(2026, 11, 23, tzinfo=dt.UTC).timestamp()) * 10**9


@pytest.fixture(scope="module")
def day_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("traces") / "day.otlp.jsonl"
    write_otlp(path, day_of_traffic(support_desk_agents(120), day=DAY, seed=5))
    return path


def imported(path: Path, arrivals: str = "replay", map_file: Path | None = MAP):
    trace_map = load_trace_map(map_file) if map_file is not None else None
    return import_traces(read_traces([path]), load_scenario(BASE), trace_map, arrivals=arrivals)  # type: ignore[arg-type]


def as_scenario(document: dict, tmp_path: Path):
    text = render_scenario(document, header="test", base_dir=tmp_path)
    return parse_scenario(text, filename="imported.yaml", base_dir=tmp_path)


# -- hostile input ------------------------------------------------------------------------------------------


def span(**changes) -> dict:
    body = {
        "traceId": "5b8efff798038103d269b633813fc60c",
        "spanId": "eee19b7ec3c1b174",
        "name": "invoke_agent Support assistant",
        "kind": 1,
        "startTimeUnixNano": "1764000000000000000",
        "endTimeUnixNano": "1764000001000000000",
        "attributes": [
            {"key": "gen_ai.operation.name", "value": {"stringValue": "invoke_agent"}},
            {"key": "gen_ai.agent.id", "value": {"stringValue": "support-agent"}},
        ],
    }
    body.update(changes)
    return body


def request(*spans: dict) -> str:
    return json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": list(spans)}]}]})


def problem_of(tmp_path: Path, *lines: str, **limits) -> str:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError) as caught:
        read_traces([path], **limits)
    (problem,) = caught.value.problems
    return str(problem)


@pytest.mark.parametrize(
    ("second", "where", "says"),
    [
        ('{"resourceSpans": [', ":2:20: <document>:", "expecting value"),
        (request(span(), span(nme="x")), ":2:1: /resourceSpans/0/scopeSpans/0/spans/1/nme:", 'no field named "nme"'),
        (request(span(startTimeUnixNano="soon")), ":2:1: /resourceSpans/0/scopeSpans/0/spans/0/startTimeUnixNano:", ""),
        (request(span(kind="SIDEWAYS")), ":2:1: /resourceSpans/0/scopeSpans/0/spans/0/kind:", "Invalid enum value"),
        (request(span(spanId="xyz")), ":2:1: /resourceSpans/0/scopeSpans/0/spans/0/spanId:", "16 hex digits"),
        (
            request(span(attributes=[{"key": "n", "value": {"intValue": "1.5"}}])),
            ":2:1: /resourceSpans/0/scopeSpans/0/spans/0/attributes/0/value/intValue:",
            "non-integer",
        ),
        (json.dumps({"resourceSpans": {}}), ":2:1: /resourceSpans:", "must be in []"),
        ("[1, 2]", ":2:1: <document>:", "ExportTraceServiceRequest object"),
        ('{"resourceSpans": [], "x": NaN}', ":2:1: <document>:", "NaN is not a JSON number"),
    ],
)
def test_malformed_otlp_is_located_at_file_line_and_pointer(tmp_path, second, where, says):
    text = problem_of(tmp_path, request(span()), second)
    assert f"bad.jsonl{where}" in text
    assert says in text
    assert "Traceback" not in text


def test_deep_nesting_is_refused_in_bounded_time(tmp_path):
    value: dict = {"stringValue": "x"}
    for _ in range(200):
        value = {"arrayValue": {"values": [value]}}
    text = problem_of(tmp_path, request(span(attributes=[{"key": "deep", "value": value}])))
    assert "bad.jsonl:1:1:" in text and "[traces-otlp]" in text
    deeper = "[" * 100_000 + "]" * 100_000
    assert "nesting is too deep" in problem_of(tmp_path, deeper) or "[traces-" in problem_of(tmp_path, deeper)


def test_line_and_span_limits_bound_the_read(tmp_path):
    line = request(span(), span(spanId="eee19b7ec3c1b175"))
    assert "bad.jsonl:2:1: <document>: line is longer than 100 bytes" in problem_of(
        tmp_path, "{}", line, max_line_bytes=100
    )
    assert "more than 3 spans [traces-too-many]" in problem_of(tmp_path, line, line, max_spans=3)


def test_bad_bytes_and_non_files_are_refused(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(request(span()).encode() + b'\n{"resourceSpans": [\xff]}\n')
    with pytest.raises(ScenarioError, match=r"bad.jsonl:2:\d+: .*invalid UTF-8"):
        read_traces([path])
    with pytest.raises(ScenarioError, match="directory"):
        read_traces([tmp_path])
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="pipe"):
        read_traces([fifo])


def test_cli_exit_3_with_located_problem_and_no_output(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(request(span()) + "\n" + request(span(parentSpanId="12")) + "\n")
    out = tmp_path / "out.yaml"
    code = run(["import", "traces", str(bad), "--scenario", str(BASE), "--map", str(MAP), "-o", str(out)])
    assert code == 3
    err = capsys.readouterr().err
    assert "bad.jsonl:2:1: /resourceSpans/0/scopeSpans/0/spans/0/parentSpanId: parentSpanId must be 16 hex" in err
    assert not out.exists()


def test_map_file_errors_are_located(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("tools:\n  - {match: 'a*', tool: t, action: fly, resource: r}\n")
    with pytest.raises(ScenarioError, match=r"map.yaml:2:\d+: tools\[0\]\.action"):
        load_trace_map(path)


# -- what comes out -----------------------------------------------------------------------------------------


def test_day_of_traces_becomes_task_types_with_sub_tasks_retries_and_failures(day_file, tmp_path):
    result = imported(day_file)
    scenario = as_scenario(result.document, tmp_path)
    types = {task.id: task for task in scenario.workload.task_types}
    answer = types["support-agent.t1"]
    assert [(s.action, s.resource, s.via_tool) for s in answer.steps] == [
        ("read", "tickets", "ticketing"),
        ("read", "crm-customers", "crm-mcp"),
        ("write", "tickets", "ticketing"),
        ("send", "outbound-mail", "mailer"),
    ]
    assert all(step.duration.dist == "empirical" for step in answer.steps)
    assert [(p.action, p.resource) for p in answer.intent or []] == [
        ("read", "tickets"),
        ("read", "crm-customers"),
        ("write", "tickets"),
        ("send", "outbound-mail"),
    ]
    refund = next(t for t in types.values() if any(s.delegate for s in t.steps))
    sub = types[next(s.delegate for s in refund.steps if s.delegate)]
    assert sub.agent == "billing-agent" and sub.arrival.fixed_times == []  # it only runs as a sub-task
    assert [(s.action, s.resource) for s in sub.steps] == [("read", "invoices"), ("transfer", "payments")]
    assert result.retries > 0 and result.failed_calls > result.retries  # the refund call fails, unretried
    assert result.sub_tasks > 0 and result.unmapped_calls == 0
    # the workload the base scenario guessed for the support agent is gone; only observed task types remain
    assert "answer-email" not in types
    observed = scenario.observed
    assert observed is not None and observed.agents == ["billing-agent", "support-agent"]
    assert observed.used_by("billing-agent") == {
        ("read", "invoices"),
        ("transfer", "payments"),
        ("execute", "billing-api"),
    }
    assert observed.sources[0].spans == sum(1 for _ in day_of_traffic(support_desk_agents(120), day=DAY, seed=5))


def test_retried_call_is_one_step_timed_from_first_attempt_to_success(day_file):
    read = read_traces([day_file])
    calls = [s for s in read.spans if s.tool_name == "crm.lookup_customer"]
    failed = [s for s in calls if s.error]
    assert failed, "the fixture has failed CRM lookups"
    document = imported(day_file).document
    crm = [
        step
        for task in document["workload"]["task_types"]
        for step in task["steps"]
        if step.get("via_tool") == "crm-mcp"
    ]
    steps = sum(len(step["duration"].get("samples", [])) for step in crm)
    uses = {(u["agent"], u["tool"], u["action"]): u for u in document["observed"]["uses"]}
    use = uses[("support-agent", "crm-mcp", "read")]
    assert use["calls"] == len(calls) and use["failed"] == len(failed)
    assert steps < len(calls)  # retries folded into their step


def test_unmapped_calls_and_agents_are_listed_not_dropped(day_file, tmp_path):
    narrow = tmp_path / "map.yaml"
    narrow.write_text(
        MAP.read_text().replace('  - {match: "mail.send", tool: mailer, action: send, resource: outbound-mail}\n', "")
    )
    spans = day_of_traffic(support_desk_agents(30), day=DAY, seed=2)
    for item in spans:
        for attribute in item.body["attributes"]:
            if attribute["key"] == "gen_ai.agent.id" and attribute["value"]["stringValue"] == "billing-agent":
                attribute["value"]["stringValue"] = "mystery-agent"
    path = tmp_path / "t.jsonl"
    write_otlp(path, spans)
    result = imported(path, map_file=narrow)
    unmapped = {(u["agent"], u.get("tool")): u for u in result.document["observed"]["unmapped"]}
    assert ("support-agent", "mail.send") in unmapped
    assert unmapped[("support-agent", "mail.send")]["first_seen"].startswith(f"{path}:")
    assert ("mystery-agent", None) in unmapped
    assert "mystery-agent" not in str(result.document["workload"])


def test_import_is_byte_identical_across_runs(day_file, tmp_path):
    out = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for target in out:
        args = ["import", "traces", str(day_file), "--scenario", str(BASE), "--map", str(MAP), "-o", str(target)]
        assert run(args) == 0
    assert out[0].read_bytes() == out[1].read_bytes()


def test_replayed_arrivals_are_the_recorded_arrivals(day_file, tmp_path):
    read = read_traces([day_file])
    recorded = sorted(
        round((s.start_ns - ORIGIN_NS) / 1e9, 6) for s in read.spans if s.operation == "invoke_agent" and not s.parent
    )
    scenario = as_scenario(imported(day_file).document, tmp_path)
    scenario = scenario.model_copy(update={"simulation": scenario.simulation.model_copy(update={"replications": 2})})
    tasks = simulate(scenario, controls=["static_rbac"]).tasks
    for _replication, group in tasks.groupby("replication"):
        roots = group[group["parent_id"] < 0]
        assert sorted(roots["arrival_s"]) == recorded


def test_fitted_profile_has_the_day_of_traffic_and_its_shape(day_file, tmp_path):
    result = imported(day_file, arrivals="profile")
    scenario = as_scenario(result.document, tmp_path)
    roots = {t.id: t for t in scenario.workload.task_types if t.arrival.profile is not None}
    for task_type in roots.values():
        profile = task_type.arrival.profile
        assert profile is not None and profile.weekday == [1.0] * 7  # one day observed: no weekday factors
        count = int(re.search(r"\((\d+) as a root task\)", task_type.description or "").group(1))  # type: ignore[union-attr]
        assert profile.expected(0, 86400) == pytest.approx(count, rel=1e-5)  # the day's count, exactly
    hourly = sum(np.asarray(t.arrival.profile.hourly) for t in roots.values())  # type: ignore[union-attr]
    assert np.corrcoef(hourly, DAILY_SHAPE)[0, 1] > 0.9
    assert scenario.simulation.horizon == load_scenario(BASE).simulation.horizon  # a profile keeps the horizon


def test_fitted_profile_gets_weekday_factors_from_a_week(tmp_path):
    spans = []
    for offset, volume in enumerate([60, 60, 60, 60, 60, 6, 6]):  # quiet weekend
        spans += day_of_traffic(
            support_desk_agents(volume), day=dt.date(2026, 11, 23) + dt.timedelta(offset), seed=offset
        )
    spans.sort(key=lambda s: (s.end_ns, s.body["spanId"]))
    path = tmp_path / "week.jsonl"
    write_otlp(path, spans)
    document = imported(path, arrivals="profile").document
    answer = next(t for t in document["workload"]["task_types"] if t["id"] == "support-agent.t1")
    weekday = answer["arrival"]["profile"]["weekday"]
    assert min(weekday[:5]) > 3 * max(weekday[5:])


def test_imported_scenario_keeps_what_the_traces_do_not_observe(day_file):
    document = imported(day_file).document
    base = load_scenario(BASE)
    assert document["roles"] == [r.model_dump(mode="json", exclude_unset=True) for r in base.roles]
    last_s = (read_traces([day_file]).last_ns - ORIGIN_NS) / 1e9  # type: ignore[operator]
    assert 2 * 86400 < last_s < 3 * 86400  # Wednesday
    assert document["simulation"]["horizon"] == math.ceil(last_s / 3600) * 3600 + 3600  # its end + an hour
    assert copy.deepcopy(document["controls"]) == [c.model_dump(mode="json", exclude_unset=True) for c in base.controls]


def test_hostile_names_in_spans_reach_the_scenario_escaped(tmp_path):
    tool = {"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}}
    evil = "\x1b[31mrm -rf\n" + "x" * 5000
    call = span(
        spanId="eee19b7ec3c1b175",
        parentSpanId="eee19b7ec3c1b174",
        name="execute_tool x",
        attributes=[tool, {"key": "gen_ai.tool.name", "value": {"stringValue": evil}}],
    )
    path = tmp_path / "evil.jsonl"
    path.write_text(request(span(), call) + "\n")
    result = imported(path)
    (entry,) = result.document["observed"]["unmapped"]
    assert "\x1b" not in entry["tool"] and "\n" not in entry["tool"] and len(entry["tool"]) <= 1000
    as_scenario(result.document, tmp_path)  # the written scenario loads


def test_parent_links_looping_through_unknown_agents_end_the_walk(tmp_path):
    """A span that is its own parent, or two unknown agents each the other's parent, once hung the import."""
    tool = {"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}}

    def unknown(span_id: str, parent: str) -> dict:
        agent = {"key": "gen_ai.agent.id", "value": {"stringValue": "nobody"}}
        return span(spanId=span_id, parentSpanId=parent, attributes=[span()["attributes"][0], agent])

    spans = [
        unknown("000000000000000a", "000000000000000a"),  # its own parent
        unknown("000000000000000b", "000000000000000c"),
        unknown("000000000000000c", "000000000000000b"),
        span(spanId="000000000000000d", parentSpanId="000000000000000b"),  # a known agent beneath the loop
        span(
            spanId="000000000000000e",
            parentSpanId="000000000000000d",
            name="execute_tool x",
            attributes=[tool, {"key": "gen_ai.tool.name", "value": {"stringValue": "crm.lookup_customer"}}],
        ),
    ]
    path = tmp_path / "loops.jsonl"
    path.write_text(request(*spans) + "\n")
    done: list = []
    worker = threading.Thread(target=lambda: done.append(imported(path)), daemon=True)
    worker.start()
    worker.join(60)
    assert done, "the import did not finish"
    (result,) = done
    assert (result.root_tasks, result.sub_tasks, result.tool_calls) == (1, 0, 1)  # the known agent is a root
    assert [(u["agent"], u["calls"]) for u in result.document["observed"]["unmapped"]] == [("nobody", 3)]
    as_scenario(result.document, tmp_path)


def test_cli_header_says_how_it_was_made_then_carries_the_base_scenarios_prose(tmp_path, capsys):
    base = tmp_path / "base.yaml"
    prose = "#\n# yaml-language-server: $schema=elsewhere.json\n#\n# Purpose: a desk.\n#\n#What to expect: calm.\n#\n"
    body = BASE.read_text(encoding="utf-8").split("\nschema_version:", 1)[1]
    base.write_text(prose + "schema_version:" + body, encoding="utf-8")
    path = tmp_path / "one.jsonl"
    path.write_text(request(span()) + "\n")
    out = tmp_path / "out" / "imported.yaml"
    out.parent.mkdir()
    assert run(["import", "traces", str(path), "--scenario", str(base), "--map", str(MAP), "-o", str(out)]) == 0
    schema = os.path.relpath(REPO / "workbench" / "model" / "scenario.schema.json", out.parent)
    header = [
        f"# yaml-language-server: $schema={Path(schema).as_posix()}",
        "# Generated by `workbench import traces one.jsonl --scenario base.yaml --map support-desk.map.yaml "
        "--arrivals replay`: edit base.yaml and import again.",
        "# Purpose: a desk.",
        "#",
        "# What to expect: calm.",
    ]  # the base's schema line and the blank comment lines around its prose are left out
    assert out.read_text(encoding="utf-8").startswith("\n".join(header) + "\nschema_version: 1\n")
    capsys.readouterr()


def test_without_a_map_a_tool_named_by_its_id_with_one_use_maps_onto_it_and_nothing_else_does(tmp_path):
    tool = {"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}}
    names = ["mailer", "crm-mcp", "tickets", "nothing-here"]  # one use; two actions; a dataset's id; unknown
    calls = [
        span(
            spanId=f"{number + 1:016x}",
            parentSpanId="eee19b7ec3c1b174",
            name="execute_tool x",
            attributes=[tool, {"key": "gen_ai.tool.name", "value": {"stringValue": name}}],
        )
        for number, name in enumerate(names)
    ]
    path = tmp_path / "unmapped.jsonl"
    path.write_text(request(span(), *calls) + "\n")
    result = imported(path, map_file=None)
    observed = result.document["observed"]
    assert [(u["agent"], u["action"], u["resource"], u["tool"]) for u in observed["uses"]] == [
        ("support-agent", "send", "outbound-mail", "mailer")
    ]
    assert sorted(u["tool"] for u in observed["unmapped"]) == ["crm-mcp", "nothing-here", "tickets"]
