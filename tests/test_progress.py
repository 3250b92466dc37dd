"""Progress of long commands: on stderr only, a line per finished scenario when stderr is no terminal, and
never a byte of difference in what a command writes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from test_report_support import cli, small_support, write_scenario

from workbench.cli._progress import ScenarioProgress
from workbench.report import report_scenarios


def _two_scenarios(folder: Path) -> list[Path]:
    return [
        write_scenario(folder, small_support(), name="a.yaml"),
        write_scenario(folder, small_support(name="support-copy"), name="b.yaml"),
    ]


class _Recorder:
    """A BatchProgress that remembers what it heard."""

    def __init__(self) -> None:
        self.heard: list[tuple[object, ...]] = []

    def planned(self, names: list[str], runs: list[int]) -> None:
        self.heard.append(("planned", tuple(names), tuple(runs)))

    def ran(self, scenario: int, done: int) -> None:
        self.heard.append(("ran", scenario, done))

    def finished(self, scenario: int) -> None:
        self.heard.append(("finished", scenario))


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_hears_every_run_and_every_scenario_and_changes_no_byte(tmp_path: Path, jobs: int) -> None:
    paths = _two_scenarios(tmp_path)
    _reports, quiet = report_scenarios(paths, root=tmp_path, jobs=jobs)
    recorder = _Recorder()
    _reports, heard = report_scenarios(paths, root=tmp_path, jobs=jobs, progress=recorder)
    assert heard == quiet
    designs = 5  # customer-support's designs, two replications each
    assert recorder.heard[0] == ("planned", ("customer-support", "support-copy"), (2 * designs, 2 * designs))
    for scenario in (0, 1):
        ran = [done for kind, *rest in recorder.heard if kind == "ran" and rest[0] == scenario for done in rest[1:]]
        assert sorted(ran) == list(range(1, 2 * designs + 1)), "every run of each scenario, once"
        assert recorder.heard.count(("finished", scenario)) == 1
    assert {event for event in recorder.heard if event[0] == "finished"} == {("finished", 0), ("finished", 1)}


def test_without_a_terminal_each_finished_scenario_is_one_line() -> None:
    stream = io.StringIO()  # no terminal: isatty() is False
    progress = ScenarioProgress(live=stream.isatty(), stream=stream)
    progress.planned(["alpha", "beta\x1b[31m"], [10, 4])
    for done in range(1, 11):
        progress.ran(0, done)
    progress.finished(0)
    progress.ran(1, 4)
    progress.finished(1)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"\[1/2\] alpha: 10 runs done \(\d+\.\ds elapsed\)", lines[0])
    assert lines[1].startswith("[2/2] beta\\x1b[31m: 4 runs done"), "a scenario's name cannot drive the terminal"


def test_report_prints_progress_on_stderr_and_results_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_scenario(tmp_path, small_support(simulation={"horizon": "2h", "replications": 1, "seed": 7}))
    assert cli(["report", str(path), "--out", str(tmp_path / "out"), "--root", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert re.search(r"^\[1/1\] customer-support: 5 runs done \(", captured.err, re.MULTILINE)
    assert "runs done" not in captured.out
    assert "customer-support:" in captured.out  # the summary line stays on stdout


class _Terminal(io.StringIO):
    """A stream that says it is a terminal, so rich draws the live bar into it."""

    def isatty(self) -> bool:
        return True


def test_at_a_terminal_a_name_with_brackets_is_shown_as_it_is_not_read_as_markup() -> None:
    stream = _Terminal()
    progress = ScenarioProgress(live=True, stream=stream)
    progress.planned(["base[/]x.yaml", "head[red].yaml"], [2, 2])  # `workbench diff` plans file paths
    progress.ran(0, 1)
    progress._bar.refresh()  # type: ignore[union-attr]  # draw now, not on the refresh thread's clock
    progress.close()
    assert "base[/]x.yaml" in stream.getvalue()


def test_at_a_terminal_a_scenario_whose_runs_are_done_reads_as_finishing_not_simulating() -> None:
    stream = _Terminal()
    progress = ScenarioProgress(live=True, stream=stream)
    progress.planned(["alpha", "beta"], [2, 3])
    progress.ran(0, 1)
    progress._bar.refresh()  # type: ignore[union-attr]
    assert "scenario 1 of 2: simulating alpha" in stream.getvalue()
    progress.ran(0, 2)  # simulated; its findings, statistics and figures are still to come
    progress._bar.refresh()  # type: ignore[union-attr]
    assert "scenario 1 of 2: finishing alpha" in stream.getvalue()
    progress.finished(0)
    progress._bar.refresh()  # type: ignore[union-attr]
    assert "scenario 2 of 2: simulating beta" in stream.getvalue()
    progress.close()


def test_planned_runs_are_designs_times_replications(tmp_path: Path) -> None:
    from workbench.model import load_scenario
    from workbench.report.batch import planned_runs

    scenario = load_scenario(write_scenario(tmp_path, small_support()))  # 5 designs, 2 replications
    assert planned_runs(scenario) == 10
    assert planned_runs(scenario, replications=3) == 15
    assert planned_runs(scenario, replications=3, designs=2) == 6  # `simulate --controls a,b`
