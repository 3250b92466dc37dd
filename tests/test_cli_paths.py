"""Paths from the command line are checked like paths in a scenario, and before any work starts: outputs must
be (or become) regular files or folders we may write, inputs regular files of bounded size inside their
folder; a malformed results.json given to `diff` is named, never a KeyError or RecursionError."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from unittest import mock

import pytest

from workbench.cli import run
from workbench.report.atomic import OutputPathError, atomic_write_bytes, check_output_dir, check_output_file

REPO = Path(__file__).resolve().parents[1]
SUPPORT = REPO / "scenarios" / "customer-support.yaml"
NOT_SIMULATED = "workbench.analysis.simulate"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


# -- outputs ----------------------------------------------------------------------------------------------------


def test_the_atomic_writer_refuses_what_is_not_a_regular_file(tmp_path: Path, fifo: Path):
    device = tmp_path / "null"
    device.symlink_to("/dev/null")
    for target, reason in ((fifo, "named pipe"), (device, "character device"), (tmp_path, "directory")):
        with pytest.raises(OutputPathError, match=reason):
            atomic_write_bytes(target, b"x")
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and device.is_symlink()
    assert not list(tmp_path.glob(".*.tmp"))


def test_output_checks_name_what_is_wrong(tmp_path: Path):
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OutputPathError, match="empty"):
        check_output_file("")
    with pytest.raises(OutputPathError, match="dangling"):
        check_output_file(dangling)
    with pytest.raises(OutputPathError, match="not a folder"):
        check_output_file(tmp_path / "file" / "below")
    with pytest.raises(OutputPathError, match="not a folder"):
        check_output_dir(tmp_path / "file")
    with pytest.raises(OutputPathError, match="dangling"):
        check_output_dir(dangling)
    assert check_output_file(tmp_path / "new" / "deeper.txt") == tmp_path / "new" / "deeper.txt"
    linked = tmp_path / "link"
    linked.symlink_to(tmp_path / "file")
    atomic_write_bytes(linked, b"through the link")
    assert linked.is_symlink() and (tmp_path / "file").read_bytes() == b"through the link"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write read-only files")
def test_a_read_only_output_is_refused(tmp_path: Path):
    target = tmp_path / "ro.txt"
    target.write_text("x", encoding="utf-8")
    target.chmod(0o444)
    with pytest.raises(OutputPathError, match="read-only"):
        check_output_file(target)


def test_bad_out_is_refused_before_anything_is_simulated(
    tmp_path: Path, fifo: Path, capsys: pytest.CaptureFixture[str]
):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    cases = [
        ["report", str(SUPPORT), "-o", str(tmp_path / "file")],
        ["report", str(SUPPORT), "-o", ""],
        ["diff", str(SUPPORT), str(SUPPORT), "-o", str(fifo)],
        ["diff", str(SUPPORT), str(SUPPORT), "-o", str(tmp_path)],
        ["generate", "-n", "3", "-o", str(fifo)],
        ["generate", "-n", "3", "-o", ""],
    ]
    with mock.patch(NOT_SIMULATED, side_effect=AssertionError("simulated before --out was checked")):
        for argv in cases:
            assert run(argv) == 2, argv
            err = capsys.readouterr().err
            assert "error: output" in err and "Traceback" not in err, err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


# -- inputs from the command line -------------------------------------------------------------------------------


@pytest.fixture
def cedar_scenario(tmp_path: Path) -> Path:
    folder = tmp_path / "scenario"
    shutil.copytree(REPO / "scenarios", folder)
    return folder / "customer-support.yaml"


@pytest.mark.parametrize("kind", ["absolute", "escaping", "fifo", "device", "directory"])
def test_sweep_policy_paths_are_contained_and_regular(
    cedar_scenario: Path, capsys: pytest.CaptureFixture[str], kind: str
):
    folder = cedar_scenario.parent
    secret = folder.parent / "secret.cedar"
    secret.write_text("token-4f1c9e", encoding="utf-8")
    policy = {
        "absolute": str(secret),
        "escaping": "../secret.cedar",
        "fifo": "pipe.cedar",
        "device": "zero.cedar",
        "directory": "policies",
    }[kind]
    if kind == "fifo":
        os.mkfifo(folder / "pipe.cedar")
    if kind == "device":
        (folder / "zero.cedar").symlink_to("/dev/zero")
    argv = ["sweep", str(cedar_scenario), "-p", f"controls.cedar.policy={policy}", "-w", "1", "-r", "1"]
    with mock.patch("workbench.analysis.sweep.run_replication", side_effect=AssertionError("ran")):
        assert run(argv) in (2, 3)
    err = capsys.readouterr().err
    assert "policy" in err and "token-4f1c9e" not in err and "Traceback" not in err


@pytest.mark.parametrize("kind", ["fifo", "device", "directory", "missing"])
def test_atlas_must_be_a_regular_file(tmp_path: Path, fifo: Path, capsys: pytest.CaptureFixture[str], kind: str):
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    atlas = {"fifo": fifo, "device": zero, "directory": tmp_path, "missing": tmp_path / "no.yaml"}[kind]
    with mock.patch(NOT_SIMULATED, side_effect=AssertionError("simulated before --atlas was read")):
        assert run(["report", str(SUPPORT), "-o", str(tmp_path / "out"), "--atlas", str(atlas)]) == 2
    err = capsys.readouterr().err
    assert "--atlas" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


# -- diff with malformed results.json ---------------------------------------------------------------------------

GOOD = REPO / "reports" / "customer-support" / "results.json"


def _malformed(tmp_path: Path) -> dict[str, Path]:
    good = json.loads(GOOD.read_text(encoding="utf-8"))
    cases: dict[str, str] = {
        "not json": "{",
        "not an object": "[]",
        "no version": "{}",
        "only a version": json.dumps({"format_version": 1}),
        "findings not a list": json.dumps({**good, "findings": "x"}),
        "finding not an object": json.dumps({**good, "findings": [1]}),
        "scenario not an object": json.dumps({**good, "scenario": []}),
        "blast radius rows wrong": json.dumps({**good, "blast_radius": [{"identity": "a", "score": "high"}]}),
        "nested deeply": "[" * 100_000 + "]" * 100_000,
        "not utf-8": "\udcff",
    }
    paths = {}
    for name, text in cases.items():
        path = tmp_path / f"{name.replace(' ', '-')}.json"
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        paths[name] = path
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    paths["fifo"] = fifo
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    paths["device"] = zero
    return paths


def test_diff_names_a_malformed_results_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    for name, path in _malformed(tmp_path).items():
        assert run(["diff", str(path), str(GOOD)]) == 2, name
        err = capsys.readouterr().err
        assert path.name in err and "Traceback" not in err, (name, err)
        assert run(["diff", str(GOOD), str(path), "--format", "json"]) == 2, name
        capsys.readouterr()
    assert run(["diff", str(GOOD), str(GOOD)]) == 0
