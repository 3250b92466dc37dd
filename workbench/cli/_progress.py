"""Progress of long commands on stderr: a live bar with counts and an ETA at a terminal, a line per finished
scenario otherwise (a CI log gets a readable record, not a bar's control codes).

Only the CLI shows progress; the library reports it through callbacks (`workbench.analysis.simulate`'s
`progress`, `workbench.report.report_scenarios`'s `progress`). Nothing here touches stdout or any file a
command writes, so reports are the same bytes with or without it.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from workbench.escaping import printable

__all__ = ["ScenarioProgress", "scenario_progress"]


class ScenarioProgress:
    """Runs (design × replication) of scenarios `k of n` (`workbench.report.BatchProgress`); thread-safe, as
    a thread draining worker processes' news calls it while the main thread sees scenarios finish."""

    def __init__(self, *, live: bool, stream: TextIO) -> None:
        self._live = live
        self._stream = stream
        self._names: list[str] = []
        self._runs: list[int] = []
        self._done: list[int] = []
        self._finished: list[bool] = []
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._bar: Progress | None = None
        self._task: Any = None

    def planned(self, names: Sequence[str], runs: Sequence[int]) -> None:
        """The scenarios to come, with the runs each takes; a live bar starts here."""
        with self._lock:
            self._names = [printable(name) for name in names]
            self._runs = list(runs)
            self._done = [0] * len(names)
            self._finished = [False] * len(names)
            self._started = time.monotonic()
            if self._live and self._bar is None:
                console = Console(file=self._stream, highlight=False, markup=False, emoji=False)
                columns = (
                    TextColumn("{task.description}", markup=False),  # a path `a[/]b.yaml` is no markup
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("runs (design × replication)"),
                    TimeElapsedColumn(),
                    TextColumn("ETA"),
                    TimeRemainingColumn(),
                )
                self._bar = Progress(*columns, console=console, transient=True)
                self._task = self._bar.add_task(self._description(), total=max(sum(self._runs), 1))
                self._bar.start()

    def ran(self, scenario: int, done: int) -> None:
        """Scenario number `scenario` (from 0) has finished `done` of its runs."""
        with self._lock:
            if self._finished[scenario]:
                return  # news from a worker that arrives after its scenario finished
            self._done[scenario] = min(done, self._runs[scenario])
            self._refresh()

    def finished(self, scenario: int) -> None:
        """Scenario number `scenario` is simulated and rendered: at no terminal, say so on one line."""
        with self._lock:
            self._finished[scenario] = True
            self._done[scenario] = self._runs[scenario]
            if self._bar is not None:
                self._refresh()
                return
            k, n = sum(self._finished), len(self._names)
            runs = self._runs[scenario]
            elapsed = time.monotonic() - self._started
            self._stream.write(
                f"[{k}/{n}] {self._names[scenario]}: {runs} run{'s' if runs != 1 else ''} done "
                f"({elapsed:.1f}s elapsed)\n"
            )
            self._stream.flush()

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.stop()
                self._bar = None

    def _refresh(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=sum(self._done), description=self._description())

    def _description(self) -> str:
        k, n = sum(self._finished), len(self._names)
        if not n:
            return ""
        running = [i for i, finished in enumerate(self._finished) if not finished]
        current = running[0] if running else n - 1
        # A scenario whose runs are all done is still being evaluated and rendered: a full bar that still
        # said "simulating" would read as stuck for the seconds that takes.
        phase = "simulating" if self._done[current] < self._runs[current] else "finishing"
        if n == 1:
            return f"{phase} {self._names[0]}"
        return f"scenario {min(k + 1, n)} of {n}: {phase} {self._names[current]}"


@contextmanager
def scenario_progress(stream: TextIO | None = None) -> Iterator[ScenarioProgress]:
    """A progress reporter on stderr: a live bar only when stderr is a terminal, else a line per scenario."""
    out = sys.stderr if stream is None else stream
    progress = ScenarioProgress(live=out.isatty(), stream=out)
    try:
        yield progress
    finally:
        progress.close()
