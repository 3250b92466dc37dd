"""The report folder is published as a set: a reader (or a run killed at any moment) sees the old folder or the
new one whole, never new figures beside an old report.md; leftovers of a killed run are cleaned next time."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
import yaml
from test_sim_support import TINY

from workbench.report import write as write_module
from workbench.report.atomic import OutputPathError
from workbench.report.write import write_files


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()
    }


def test_unchanged_files_keep_their_inode_and_time_and_strangers_stay(tmp_path: Path):
    out = tmp_path / "out"
    assert len(write_files(out, {"a/report.md": b"1", "a/figures/x.svg": b"2", "index.md": b"3"})) == 3
    (out / "README").write_text("mine", encoding="utf-8")
    before = (out / "a" / "figures" / "x.svg").stat()
    assert write_files(out, {"a/report.md": b"1", "a/figures/x.svg": b"2", "index.md": b"3"}) == []
    assert write_files(out, {"a/report.md": b"one", "a/figures/x.svg": b"2", "index.md": b"3"}) == [
        out / "a" / "report.md"
    ]
    after = (out / "a" / "figures" / "x.svg").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert _snapshot(out) == {"README": b"mine", "a/figures/x.svg": b"2", "a/report.md": b"one", "index.md": b"3"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failure_part_way_leaves_the_old_folder_whole(tmp_path: Path):
    out = tmp_path / "out"
    write_files(out, {"a/report.md": b"old", "a/figures/x.svg": b"old"})
    calls = []

    def failing(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        original(path, data)

    original = write_module._write_new
    with mock.patch.object(write_module, "_write_new", failing), pytest.raises(OSError):
        write_files(out, {"a/report.md": b"new", "a/figures/x.svg": b"new"})
    assert _snapshot(out) == {"a/figures/x.svg": b"old", "a/report.md": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_what_a_killed_run_left_is_cleaned_or_restored(tmp_path: Path):
    out = tmp_path / "out"
    write_files(out, {"index.md": b"old"})
    (tmp_path / ".out.staging-dead").mkdir()
    (tmp_path / ".out.staging-dead" / "index.md").write_bytes(b"half")
    (out / ".index.md.x1.tmp").write_bytes(b"half")
    write_files(out, {"index.md": b"new"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and _snapshot(out) == {"index.md": b"new"}
    # killed between the two renames of the fallback swap: the old folder is put back, then replaced
    os.rename(out, tmp_path / ".out.old-dead")
    write_files(out, {"index.md": b"newer", "b/report.md": b"b"})
    assert _snapshot(out) == {"b/report.md": b"b", "index.md": b"newer"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_fallback_swap_without_renameat2(tmp_path: Path):
    out = tmp_path / "out"
    write_files(out, {"index.md": b"old"})
    with mock.patch.object(write_module, "_exchange", return_value=False):
        write_files(out, {"index.md": b"new"})
    assert _snapshot(out) == {"index.md": b"new"} and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_current_folder_is_not_a_report_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    for out in (".", str(tmp_path), str(tmp_path.parent)):
        with pytest.raises(OutputPathError, match="current folder"):
            write_files(out, {"index.md": b"x"})


def _scenario(path: Path, title: str) -> Path:
    data = copy.deepcopy(TINY)
    data["title"] = title
    data["simulation"] = {"horizon": "1h", "replications": 2, "seed": 7}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.slow
def test_kill_9_mid_run_leaves_all_old_or_all_new(tmp_path: Path):
    command = [sys.executable, "-c", "from workbench.cli import main; main()", "report"]
    out = tmp_path / "out"
    old_file, new_file = _scenario(tmp_path / "old.yaml", "Old"), _scenario(tmp_path / "new.yaml", "New")
    subprocess.run([*command, str(new_file), "-o", str(out)], check=True, capture_output=True)
    new = _snapshot(out)
    start = time.monotonic()
    subprocess.run([*command, str(old_file), "-o", str(out)], check=True, capture_output=True)
    duration = time.monotonic() - start
    old = _snapshot(out)
    assert old != new
    seen = set()
    for attempt in range(5):
        process = subprocess.Popen([*command, str(new_file), "-o", str(out)], stderr=subprocess.DEVNULL)
        time.sleep(duration * (0.5 + 0.1 * attempt))  # the last part of a run, where the writing is
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = _snapshot(out)
        assert now in (old, new), f"attempt {attempt}: a mix of old and new files"
        seen.add("old" if now == old else "new")
        subprocess.run([*command, str(old_file), "-o", str(out)], check=True, capture_output=True)
        assert _snapshot(out) == old
        assert sorted(p.name for p in tmp_path.iterdir()) == ["new.yaml", "old.yaml", "out"]
        assert not list(out.rglob(".*.tmp"))
